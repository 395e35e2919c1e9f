import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { resolveClientAddress, type TrustProxy } from './trust-proxy.ts';

const safeId = /^[A-Za-z0-9._-]{1,64}$/;

/** Honours a well-formed incoming X-Request-Id (from a proxy) so logs correlate end to end. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && safeId.test(incoming) ? incoming : randomUUID();
}

/**
 * The address rate limits and the audit log key on. X-Forwarded-For counts only past the proxies the operator
 * trusts (TANDEM_TRUST_PROXY); the parameter is required so that no transport can forget it.
 */
export function clientIp(req: IncomingMessage, trust: TrustProxy | undefined): string {
  return resolveClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trust);
}
