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
