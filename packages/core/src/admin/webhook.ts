// The security webhook: what is posted, how it is signed, when a delivery is tried again, and which URLs and
// addresses it may go to (the admin names the URL, but the server makes the request: SSRF).
//
// Signature: `X-Tandem-Signature: sha256=<hex>` is HMAC-SHA256 with the admin's secret over
// `<X-Tandem-Timestamp>.<raw body>`, so a receiver can refuse old replays by the timestamp and a changed body by
// the signature. The address check runs on every resolved address; the server then connects to the checked one.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { AppError } from '../errors.ts';
import { isPrivateAddress } from '../git/remote-url.ts';

export const webhookHeaders = {
  signature: 'X-Tandem-Signature',
  timestamp: 'X-Tandem-Timestamp',
  event: 'X-Tandem-Event',
} as const;

/** Waits before attempt 1, 2, 3: three attempts in all, backing off. */
export const defaultWebhookRetryDelaysMs: readonly number[] = [0, 2_000, 10_000];

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8ToBytes(`${timestamp}.${body}`)))}`;
}

/** Constant-time comparison of a received signature header against the expected one. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = signWebhook(secret, timestamp, body);
  if (header.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ header.charCodeAt(i);
  return diff === 0;
}

/** Whether an attempt that ended this way is worth another: network failures, timeouts, 429 and 5xx. */
export function shouldRetryWebhook(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500;
}

const refuse = (reason: string, details: Record<string, unknown> = {}) =>
  new AppError('WEBHOOK_URL_REFUSED', `This webhook URL is not allowed: ${reason}.`, {
    details: { reason, ...details },
  });

/** Checks the form of a webhook URL (http/https, a host, no credentials in it); returns the host to resolve. */
export function parseWebhookUrl(text: string): { url: URL; host: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw refuse(`the ${url.protocol.replace(/:$/, '')}:// scheme is not allowed (https and http are)`);
  }
  if (url.username || url.password) throw refuse('put the secret in the secret field, not in the URL');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (!host) throw refuse('the URL names no host');
  return { url, host };
}

/**
 * Checks every address `host` resolved to: one private, loopback, link-local, unique-local, multicast, CGNAT or
 * unspecified address (IPv4, IPv6 or IPv4-mapped IPv6) refuses the URL, unless the operator allowed private
 * addresses (TANDEM_WEBHOOK_ALLOW_PRIVATE).
 */
export function checkWebhookAddresses(
  host: string,
  addresses: readonly string[],
  allowPrivate: boolean,
): void {
  if (addresses.length === 0) throw refuse(`${host} has no address`, { host });
  if (allowPrivate) return;
  const blocked = addresses.filter((address) => isPrivateAddress(address));
  if (blocked.length > 0) {
    throw refuse(
      `${host} is a private, loopback or link-local address (${blocked.join(', ')}); an operator can allow them with TANDEM_WEBHOOK_ALLOW_PRIVATE=1`,
      { host, addresses: blocked },
    );
  }
}
