// The archive codec on Node's native zlib, for the server's archive worker (`@tandem/core/zlib`; the browser never
// loads it). zlib has no synchronous streaming API, so a gzip stream is decompressed in one call bounded by
// the caller's limit and `ONE_SHOT_BYTES`; one that would pass it (a bomb, or a tar followed by much padding) is
// handed to the pure JavaScript codec, which decompresses step by step and stops where the tar ends.
import { constants, crc32, deflateRawSync, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { concatBytes, ownsWholeBuffer } from '../bytes.ts';
import { type ArchiveCodec, DEFLATE_LEVEL, jsArchiveCodec } from './archive-codec.ts';

/** Output held in memory at once by a one-call gunzip: more than a workspace's 100 MiB of files and their tar. */
const ONE_SHOT_BYTES = 192 * 1024 * 1024;
/** zlib's own output steps; larger ones mean fewer copies. */
const CHUNK_BYTES = 256 * 1024;

function tooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

/** The bytes with a buffer of their own: a small result of zlib's sits in Node's shared pool. */
function owned(buffer: Buffer): Uint8Array {
  return ownsWholeBuffer(buffer)
    ? new Uint8Array(buffer.buffer, 0, buffer.byteLength)
    : new Uint8Array(buffer);
}

export const zlibArchiveCodec: ArchiveCodec = {
  gunzip(bytes, maxBytes, sink) {
    const limit = Math.min(maxBytes, ONE_SHOT_BYTES);
    let output: Buffer;
    try {
      output = gunzipSync(bytes, { maxOutputLength: Math.max(1, limit), chunkSize: CHUNK_BYTES });
    } catch (error) {
      if (!tooLarge(error)) throw error;
      // Step by step, the tar reader sees the headers as they come: it names the entry that is too large, or
      // ends at the tar's end when only what follows it was.
      return jsArchiveCodec.gunzip(bytes, maxBytes, sink);
    }
    if (output.byteLength > 0) sink(new Uint8Array(output.buffer, output.byteOffset, output.byteLength));
    return true;
  },

  inflateRaw(bytes, maxBytes) {
    if (maxBytes === 0) {
      // zlib refuses a zero output limit: an empty entry is one whose stream ends without output.
      return jsArchiveCodec.inflateRaw(bytes, 0);
    }
    try {
      return owned(
        inflateRawSync(bytes, {
          maxOutputLength: maxBytes,
          chunkSize: Math.max(constants.Z_MIN_CHUNK, Math.min(maxBytes, CHUNK_BYTES)),
        }),
      );
    } catch (error) {
      if (tooLarge(error)) return undefined;
      throw error;
    }
  },

  crc32: (bytes) => crc32(bytes),

  deflateRaw: (bytes) => owned(deflateRawSync(bytes, { level: DEFLATE_LEVEL, chunkSize: CHUNK_BYTES })),

  gzip(write) {
    // In one call: the whole input is held anyway by the caller (a workspace's files).
    const parts: Uint8Array[] = [];
    write((chunk) => parts.push(chunk));
    return owned(gzipSync(concatBytes(parts), { level: DEFLATE_LEVEL, chunkSize: CHUNK_BYTES }));
  },
};
