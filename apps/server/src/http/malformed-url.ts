// A request target that cannot be decoded (bad percent-encoding such as `/%E0%A4%A`, or an absolute URL that does
// not parse) is the client's mistake: it gets a typed 400 on every route and on WebSocket upgrades, before any
// router tries to decode it and fails in its own way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

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

const body = (problem: string) => JSON.stringify({ error: { code: 'BAD_INPUT', message: problem } });

/**
 * Answers a malformed request with 400 and returns true. It runs before Express: Express's router cannot place a
 * target that does not parse (`http://[x/`) and would answer 404 HTML without running any middleware.
 */
export function refuseMalformedRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const problem = malformedUrl(req.url);
  if (!problem) return false;
  const text = body(problem);
  res.writeHead(400, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(text);
  return true;
}

/** The same answer for an upgrade request, written on the raw socket (no WebSocket was accepted). */
export function refuseMalformedUpgrade(url: string | undefined, socket: Duplex): boolean {
  const problem = malformedUrl(url);
  if (!problem) return false;
  const text = body(problem);
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
  return true;
}
