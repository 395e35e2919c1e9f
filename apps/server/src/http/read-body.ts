// Reads a large request body (an archive upload) as the chunks it arrives in, for a worker thread to join. Joining
// on the event loop cost more than the copy suggests: a 50 MB buffer's pages are first touched by that copy, and on
// the 2-core VM the bench runs on that page-faulting alone took about 3.6 ms a megabyte (370 ms of the event loop per
// upload, in stretches of 15-25 ms whenever several chunks came in one turn). Node reads each chunk into a buffer of
// its own, so the chunks move to the worker as they are, without a copy.
import type { IncomingMessage } from 'node:http';
import { AppError } from '@tandem/core';

function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, {
    details: { limit },
  });
}

/**
 * The whole body as its chunks in order, refused with PAYLOAD_TOO_LARGE past `limit` bytes (before reading, when
 * it says its length).
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array[]> {
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
  const chunks: Uint8Array[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const stop = (error?: AppError) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        chunks.length = 0;
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
      chunks.push(chunk);
    };
    const onEnd = () => stop();
    const onError = () => stop(new AppError('BAD_INPUT', 'The request body could not be read.'));
    const onClose = () => {
      if (!req.complete) stop(new AppError('BAD_INPUT', 'The request body ended early.'));
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
  return chunks;
}
