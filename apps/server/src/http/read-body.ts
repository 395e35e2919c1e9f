// Reads a large request body (an archive upload) into one buffer as it arrives. express.raw collects the chunks and
// joins them at the end: one copy of up to 50 MB on the event loop (over 100 ms on a busy 2-core machine) while
// everyone else's edits wait. Here each chunk is copied as it comes, into a buffer sized from Content-Length, so the
// work is spread over the upload; the buffer is the body's own and moves to a worker thread without a copy.
import type { IncomingMessage } from 'node:http';
import { AppError } from '@tandem/core';

/** Without a Content-Length (chunked), the buffer starts here and doubles as the body grows. */
const INITIAL_CHUNKED_BYTES = 1024 * 1024;

function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, {
    details: { limit },
  });
}

/** The whole body, refused with PAYLOAD_TOO_LARGE past `limit` bytes (before reading, when it says its length). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
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
  // Not zero-filled: every byte handed back is written from the body first.
  let buffer = Buffer.allocUnsafeSlow(length ?? Math.min(limit, INITIAL_CHUNKED_BYTES));
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const stop = (error?: AppError) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        // The rest is read and dropped, so the refusal still reaches the client.
        req.resume();
        reject(error);
      } else resolve();
    };
    const onData = (chunk: Buffer) => {
      const end = size + chunk.byteLength;
      if (end > limit) {
        stop(tooLarge(limit));
        return;
      }
      if (end > buffer.byteLength) {
        // Node ends a body at its Content-Length, so only a chunked body grows.
        const grown = Buffer.allocUnsafeSlow(Math.min(limit, Math.max(end, buffer.byteLength * 2)));
        buffer.copy(grown, 0, 0, size);
        buffer = grown;
      }
      chunk.copy(buffer, size);
      size = end;
    };
    const onEnd = () => stop();
    const onError = () => stop(new AppError('BAD_INPUT', 'The request body could not be read.'));
    const onClose = () => {
      if (!req.complete) stop(new AppError('BAD_INPUT', 'The request body ended early.'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
  const body = size === buffer.byteLength ? buffer : Buffer.from(buffer.subarray(0, size));
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}
