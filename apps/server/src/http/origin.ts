// CSRF defence for cookie auth: a state-changing request must come from our own origin. Browsers always send
// Origin (and Sec-Fetch-Site) on cross-origin POSTs and WebSocket upgrades; non-browser clients send neither
// and cannot carry a victim's cookies, so a missing header is allowed.
import type { IncomingMessage } from 'node:http';
import { AppError } from '@tandem/core';

export function requestOrigin(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const proto = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${proto}://${req.headers.host ?? 'localhost'}`;
}

export function checkOrigin(req: IncomingMessage, publicUrl: string | undefined): void {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    throw new AppError('CSRF_REJECTED', 'Cross-site request refused.');
  }
  const origin = req.headers.origin;
  if (origin === undefined) return;
  if (origin !== requestOrigin(req, publicUrl)) {
    throw new AppError('CSRF_REJECTED', 'Cross-origin request refused.');
  }
}

// A Host header that is a hostname or IP literal with an optional port, and nothing that could end a CSP source.
const plainHost = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Where the page may connect (CSP `connect-src`): its own origin, also in ws(s) form. CSP 3 lets 'self' cover
 * same-origin ws/wss, but older engines do not, so the WebSocket origin is also named explicitly. Without a public
 * URL both schemes are allowed on the request's own host, since a TLS proxy in front makes the page https while
 * this socket is plain.
 */
export function connectSources(req: IncomingMessage, publicUrl: string | undefined): string {
  if (publicUrl) return `'self' ${publicUrl.replace(/^http/, 'ws')}`;
  const host = req.headers.host ?? '';
  return plainHost.test(host) ? `'self' ws://${host} wss://${host}` : "'self'";
}
