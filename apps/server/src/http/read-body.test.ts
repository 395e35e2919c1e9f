import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAppError } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from './read-body.ts';

const LIMIT = 256 * 1024;

/** What the server made of one request: the body's bytes and whether they own their buffer, or the error code. */
type Outcome = { bytes: number[]; own: boolean } | { error: string };

describe('readBody', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      readBody(req, LIMIT).then(
        (body) => {
          const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
          res.end(JSON.stringify({ bytes: [...body.subarray(0, 4)], length: body.byteLength, own }));
        },
        (error: unknown) =>
          res.end(JSON.stringify({ error: isAppError(error) ? error.code : String(error) })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends `chunks` one write each; with `length`, a Content-Length, else chunked transfer encoding. */
  const send = (chunks: Buffer[], headers: Record<string, string | number> = {}) =>
    new Promise<Outcome & { length?: number }>((resolve, reject) => {
      const req = request({ port, method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => (text += part));
        res.on('end', () => resolve(JSON.parse(text) as Outcome & { length?: number }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });

  const body = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => i % 251));

  it('reads a body of declared length into a buffer of its own', async () => {
    const whole = body(100_000);
    const chunks = [whole.subarray(0, 30_000), whole.subarray(30_000)];
    expect(await send(chunks, { 'content-length': whole.byteLength })).toEqual({
      bytes: [0, 1, 2, 3],
      length: 100_000,
      own: true,
    });
  });

  it('reads a chunked body, growing as it arrives', async () => {
    const whole = body(LIMIT);
    const chunks = Array.from({ length: 8 }, (_, i) =>
      whole.subarray(i * (LIMIT / 8), (i + 1) * (LIMIT / 8)),
    );
    expect(await send(chunks)).toEqual({ bytes: [0, 1, 2, 3], length: LIMIT, own: true });
    expect(await send([body(10)])).toMatchObject({ length: 10 });
  });

  it('refuses a body over the limit, declared or streamed, and still answers', async () => {
    expect(await send([body(LIMIT + 1)], { 'content-length': LIMIT + 1 })).toEqual({
      error: 'PAYLOAD_TOO_LARGE',
    });
    expect(await send([body(LIMIT + 1)])).toEqual({ error: 'PAYLOAD_TOO_LARGE' });
    expect(await send([body(LIMIT / 2), body(LIMIT / 2 + 1)])).toEqual({ error: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses an encoded body rather than storing it undecoded', async () => {
    expect(await send([body(10)], { 'content-encoding': 'gzip', 'content-length': 10 })).toEqual({
      error: 'BAD_INPUT',
    });
  });
});
