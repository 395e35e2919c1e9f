// Spools a large request body (an archive upload) to a file of its own as it arrives, for a worker thread to read.
// Gathered into one buffer on the event loop, a 50 MB body took 65 ms of copying into fresh memory plus the
// collections that 50 MB brought, while everyone else's edits waited; written to disk, each chunk is handed to the
// file system as it is and never copied here, and only a few are held at a time, however many uploads run.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AppError } from '@tandem/core';

/**
 * Bytes of body, over all uploads, between two young-generation collections. Each chunk dies as soon as the file
 * system has it, but V8 counts chunks only as memory outside its heap, and with 64 MB of that piled up it marks the
 * whole heap in steps of up to 28 ms on the event loop (seen with --trace-gc during a 51 MB upload, as a peer's
 * edit took 13 ms). Collected every few megabytes instead, the dead chunks go in about half a millisecond.
 */
const COLLECT_EVERY_BYTES = 4 * 1024 * 1024;
let uncollected = 0;
let collectYoung: (() => void) | undefined;

function collectYoungChunks(bytes: number): void {
  uncollected += bytes;
  if (uncollected < COLLECT_EVERY_BYTES) return;
  uncollected = 0;
  if (collectYoung === undefined) {
    // `gc` is exposed to contexts made after the flag is set, not to this one.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options: { type: 'minor' }) => void;
    collectYoung = () => gc({ type: 'minor' });
  }
  collectYoung();
}

function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, {
    details: { limit },
  });
}

export interface SpooledBody {
  /** The file holding the body, readable until `remove`. */
  path: string;
  bytes: number;
  remove(): Promise<void>;
}

/**
 * The whole body in a file of its own (in a new folder under `parent`, the system's temporary folder by default),
 * refused with PAYLOAD_TOO_LARGE past `limit` bytes (before reading, when it says its length). A refused body
 * leaves no file.
 */
export async function spoolBody(
  req: IncomingMessage,
  limit: number,
  parent = tmpdir(),
): Promise<SpooledBody> {
  const encoding = req.headers['content-encoding']?.toLowerCase() ?? 'identity';
  if (encoding !== 'identity') {
    throw new AppError('BAD_INPUT', `Send the body without Content-Encoding (got ${encoding}).`);
  }
  const declared = req.headers['content-length'];
  const length = declared === undefined ? undefined : Number(declared);
  if (length !== undefined && !(Number.isSafeInteger(length) && length >= 0)) {
    throw new AppError('BAD_INPUT', 'The Content-Length header is not a byte count.');
  }
  if (length !== undefined && length > limit) throw tooLarge(limit);
  const dir = await mkdtemp(path.join(parent, 'tandem-upload-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'body');
  let size = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(file, { flags: 'wx' });
      let settled = false;
      const stop = (error?: AppError) => {
        if (settled) return;
        settled = true;
        req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
        if (error) {
          out.destroy();
          // The rest is read and dropped, so the refusal still reaches the client.
          req.resume();
          reject(error);
        } else resolve();
      };
      const onData = (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > limit) {
          stop(tooLarge(limit));
          return;
        }
        collectYoungChunks(chunk.byteLength);
        // The file system takes the chunk as it is; the body waits while the disk is behind.
        if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => {
            if (!settled) req.resume();
          });
        }
      };
      const onEnd = () => out.end();
      const onError = () => stop(new AppError('BAD_INPUT', 'The request body could not be read.'));
      const onClose = () => {
        if (!req.complete) stop(new AppError('BAD_INPUT', 'The request body ended early.'));
      };
      out.once('finish', () => stop());
      out.once('error', (cause) =>
        stop(new AppError('INTERNAL', 'The upload could not be written to disk.', { cause })),
      );
      req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    });
  } catch (error) {
    await remove();
    throw error;
  }
  return { path: file, bytes: size, remove };
}
