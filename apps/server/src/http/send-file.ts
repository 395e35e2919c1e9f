// Sends a file as a response body through two buffers of its own, each reused once the socket has taken what it
// held. A 48 MB archive handed to the event loop in one buffer (or read in fresh chunks) counted as that much new
// memory outside the heap, and the collections that pressure set off held everyone's edits for up to 28 ms; read
// into the same two buffers again and again, a download adds nothing for the collector to chase.
import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

/** Bytes read and written in one step. */
export const SEND_FILE_CHUNK = 256 * 1024;

/**
 * Writes the file's first `size` bytes (all of it, as packed for this response) and ends the response. Returns
 * early, without an error, once the client has gone; a file shorter than `size` is an error.
 */
export async function sendFile(res: ServerResponse, file: string, size: number): Promise<void> {
  const handle = await open(file, 'r');
  const gone = new Promise<void>((resolve) => res.once('close', resolve));
  const buffers = [Buffer.allocUnsafeSlow(SEND_FILE_CHUNK), Buffer.allocUnsafeSlow(SEND_FILE_CHUNK)];
  // Settles when the socket has taken that buffer's bytes (or the response failed): the buffer is free again.
  const taken: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
  try {
    for (let position = 0, step = 0; position < size; step += 1) {
      const slot = step % 2;
      await Promise.race([taken[slot], gone]);
      if (res.destroyed) return;
      const buffer = buffers[slot] as Buffer;
      const length = Math.min(SEND_FILE_CHUNK, size - position);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      if (bytesRead === 0) throw new Error(`${file} ended at ${position} of ${size} bytes`);
      position += bytesRead;
      // The callback gets the write's error, if any; the response reports it through 'close' too.
      taken[slot] = new Promise((resolve) => res.write(buffer.subarray(0, bytesRead), resolve));
    }
    // Whatever the socket has not taken yet stays queued in order behind the last write.
    if (!res.destroyed) res.end();
  } finally {
    await handle.close();
  }
}
