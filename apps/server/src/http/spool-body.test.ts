import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAppError } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoolBody } from './spool-body.ts';

const LIMIT = 256 * 1024;
const LARGE = 40 * 1024 * 1024;

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
      const large = req.url === '/large';
      spoolBody(req, large ? LARGE : LIMIT, parent).then(
        async (body) => {
          spooled += 1;
          if (large) {
            // Not read back here: that would weigh on the memory the test watches.
            await body.remove();
            res.end(JSON.stringify({ bytes: [], length: body.bytes }));
            return;
          }
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

  const url = (route: string) => `http://127.0.0.1:${port}${route}`;

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

  it('lets the chunks of a large body go as it arrives, rather than all of them in one late collection', async () => {
    const source = path.join(parent, 'large-source');
    // Made by another process too: 40 MB made here would be garbage that goes during the upload.
    const fd = openSync(source, 'w');
    try {
      execFileSync('head', ['-c', String(LARGE), '/dev/urandom'], { stdio: ['ignore', fd, 'ignore'] });
    } finally {
      closeSync(fd);
    }
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 2);
    let answer: string;
    try {
      // Sent by another process, so that only the receiver's memory is in this one.
      const curl = [
        ['-sf', '--data-binary', `@${source}`],
        ['-H', 'content-type: application/octet-stream', url('/large')],
      ].flat();
      answer = (await promisify(execFile)('curl', curl)).stdout;
    } finally {
      clearInterval(sampler);
      rmSync(source);
    }
    expect(JSON.parse(answer)).toEqual({ bytes: [], length: LARGE });
    // Each chunk is a new buffer outside the heap; uncollected, 40 MB of them would pile up.
    expect(peak - baseline).toBeLessThan(16 * 1024 * 1024);
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
