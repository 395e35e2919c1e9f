import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAppError } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoolBody } from './spool-body.ts';

const LIMIT = 256 * 1024;

/** What the server made of one request: the spooled body's first bytes and length, or the error code. */
type Outcome = { bytes: number[]; length: number } | { error: string };

describe('spoolBody', () => {
  /** Where this suite's bodies are spooled, to check that none is left behind. */
  const parent = mkdtempSync(path.join(tmpdir(), 'spool-body-test-'));
  let spooled = 0;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      spoolBody(req, LIMIT, parent).then(
        async (body) => {
          spooled += 1;
          expect(path.dirname(path.dirname(body.path))).toBe(parent);
          const bytes = readFileSync(body.path);
          expect(bytes.byteLength).toBe(body.bytes);
          await body.remove();
          res.end(JSON.stringify({ bytes: [...bytes.subarray(0, 4)], length: body.bytes }));
        },
        (error: unknown) =>
          res.end(JSON.stringify({ error: isAppError(error) ? error.code : String(error) })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(parent, { recursive: true, force: true });
  });

  /** Sends `chunks` one write each; with `length`, a Content-Length, else chunked transfer encoding. */
  const send = (chunks: Buffer[], headers: Record<string, string | number> = {}) =>
    new Promise<Outcome>((resolve, reject) => {
      const req = request({ port, method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => (text += part));
        res.on('end', () => resolve(JSON.parse(text) as Outcome));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });

  const body = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => i % 251));

  it('spools a body of declared length to a file', async () => {
    const whole = body(100_000);
    const chunks = [whole.subarray(0, 30_000), whole.subarray(30_000)];
    expect(await send(chunks, { 'content-length': whole.byteLength })).toEqual({
      bytes: [0, 1, 2, 3],
      length: 100_000,
    });
  });

  it('spools a chunked body', async () => {
    const whole = body(LIMIT);
    const chunks = Array.from({ length: 8 }, (_, i) =>
      whole.subarray(i * (LIMIT / 8), (i + 1) * (LIMIT / 8)),
    );
    expect(await send(chunks)).toEqual({ bytes: [0, 1, 2, 3], length: LIMIT });
    expect(await send([body(10)])).toMatchObject({ length: 10 });
  });

  it('refuses a body over the limit, declared or streamed, and still answers', async () => {
    expect(await send([body(LIMIT + 1)], { 'content-length': LIMIT + 1 })).toEqual({
      error: 'PAYLOAD_TOO_LARGE',
    });
    expect(await send([body(LIMIT + 1)])).toEqual({ error: 'PAYLOAD_TOO_LARGE' });
    expect(await send([body(LIMIT / 2), body(LIMIT / 2 + 1)])).toEqual({ error: 'PAYLOAD_TOO_LARGE' });
  });

  it('leaves no file behind, accepted or refused', () => {
    expect(spooled).toBeGreaterThan(0);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses an encoded body rather than storing it undecoded', async () => {
    expect(await send([body(10)], { 'content-encoding': 'gzip', 'content-length': 10 })).toEqual({
      error: 'BAD_INPUT',
    });
  });
});
