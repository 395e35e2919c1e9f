// Who may read /metrics. The figures say who is active and how busy the instance is, so they are not public:
// with TANDEM_METRICS_TOKEN a bearer token is required; otherwise, on a listener of its own
// (TANDEM_METRICS_PORT) it answers whoever reaches that address; otherwise only loopback clients that did not
// come through a proxy (a proxy on the same host would make every visitor look local).
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { AppError } from '@tandem/core';
import type { RequestHandler } from 'express';
import type { Config } from '../env.ts';
import { sendError } from './http-errors.ts';
import { normalizeAddress } from './trust-proxy.ts';

const forwardingHeaders = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = normalizeAddress(address);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

// Hashing first makes both sides one length, so the comparison time says nothing about the token's length either.
const digest = (text: string) => createHash('sha256').update(text).digest();

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token));
}

/** Guards /metrics; `ownListener` is true on the TANDEM_METRICS_PORT listener. */
export function metricsAccess(config: Config['metrics'], ownListener: boolean): RequestHandler {
  return (req, res, next) => {
    if (config.token !== undefined) {
      if (bearerMatches(req.headers.authorization, config.token)) {
        next();
        return;
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      sendError(
        res,
        new AppError('UNAUTHENTICATED', 'Metrics need the bearer token (TANDEM_METRICS_TOKEN).'),
      );
      return;
    }
    if (ownListener) {
      next();
      return;
    }
    const proxied = forwardingHeaders.some((name) => req.headers[name] !== undefined);
    if (isLoopback(req.socket.remoteAddress) && !proxied) {
      next();
      return;
    }
    sendError(
      res,
      new AppError(
        'FORBIDDEN',
        'Metrics answer only to loopback clients; set TANDEM_METRICS_TOKEN or TANDEM_METRICS_PORT to read them remotely.',
      ),
    );
  };
}
