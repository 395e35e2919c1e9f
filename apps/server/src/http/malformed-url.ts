// A request target that cannot be decoded (bad percent-encoding such as `/%E0%A4%A`, or an absolute URL that does
// not parse) is the client's mistake: it gets a typed 400 on every route and on WebSocket upgrades, before any
// router tries to decode it and fails in its own way.
import type { Duplex } from 'node:stream';
import { AppError } from '@tandem/core';
import type { RequestHandler } from 'express';
import { sendError } from './http-errors.ts';

/** Why the request target is malformed, or undefined when it decodes. */
export function malformedUrl(url: string | undefined): string | undefined {
  if (url === undefined) return 'The request has no URL.';
  try {
    new URL(url, 'http://localhost');
  } catch {
    return 'The URL does not parse.';
  }
  const q = url.indexOf('?');
  for (const part of q === -1 ? [url] : [url.slice(0, q), url.slice(q + 1)]) {
    try {
      decodeURIComponent(part);
    } catch {
      return 'The URL has malformed percent-encoding.';
    }
  }
  return undefined;
}

export const refuseMalformedUrls: RequestHandler = (req, res, next) => {
  const problem = malformedUrl(req.url);
  if (problem) sendError(res, new AppError('BAD_INPUT', problem));
  else next();
};

/** The same answer for an upgrade request, written on the raw socket (no WebSocket was accepted). */
export function refuseMalformedUpgrade(url: string | undefined, socket: Duplex): boolean {
  const problem = malformedUrl(url);
  if (!problem) return false;
  const body = JSON.stringify({ error: { code: 'BAD_INPUT', message: problem } });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return true;
}
