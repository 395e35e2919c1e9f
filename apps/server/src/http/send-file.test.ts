import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND_FILE_CHUNK, sendFile } from './send-file.ts';

const FILE_BYTES = 24 * 1024 * 1024;
const run = promisify(execFile);

describe('sendFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'send-file-test-'));
  const file = path.join(dir, 'archive');
  const content = randomBytes(FILE_BYTES);
  /** How each request's sendFile ended: undefined, or its error's message. */
  const outcomes: Promise<string | undefined>[] = [];
  let server: Server;
  let url: string;
  beforeAll(async () => {
    writeFileSync(file, content);
    server = createServer((req, res) => {
      // The size asked for: the file's, or more than it holds (?short).
      const size = req.url === '/short' ? FILE_BYTES + 1 : FILE_BYTES;
      res.setHeader('Content-Length', String(size));
      outcomes.push(
        sendFile(res, file, size).then(
          () => undefined,
          (error: unknown) => {
            res.destroy();
            return error instanceof Error ? error.message : String(error);
          },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const openFiles = () =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });

  it('sends the whole file through the same two buffers, whatever its size', async () => {
    const received = path.join(dir, 'received');
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 2);
    try {
      // Read by another process, so that only the sender's memory is in this one.
      await run('curl', ['-sf', '-o', received, `${url}/whole`]);
    } finally {
      clearInterval(sampler);
    }
    expect(await outcomes.at(-1)).toBeUndefined();
    expect(readFileSync(received).equals(content)).toBe(true);
    // Fresh chunks for 24 MB would count as that much memory outside the heap until a collection.
    expect(peak - baseline).toBeLessThan(16 * SEND_FILE_CHUNK);
    expect(openFiles()).toEqual([]);
  });

  it('stops when the client goes away in the middle, and closes the file', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request(`${url}/gone`, (res) => {
        res.once('data', () => {
          // Taken one chunk, then hung up with megabytes still to come.
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
    expect(await outcomes.at(-1)).toBeUndefined();
    expect(openFiles()).toEqual([]);
  });

  it('fails when the file is shorter than the response says, and closes it', async () => {
    const ended = await new Promise<boolean>((resolve) => {
      const req = request(`${url}/short`, (res) => {
        res.resume();
        res.on('end', () => resolve(true));
        res.on('error', () => resolve(false));
        res.on('aborted', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    expect(ended, 'the client sees the response cut short').toBe(false);
    expect(await outcomes.at(-1)).toMatch(/ended at 25165824 of 25165825 bytes/);
    expect(openFiles()).toEqual([]);
  });
});
