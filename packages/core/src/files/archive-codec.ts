// The compression work of archives, behind one interface so the reading and writing rules stay in one place. Core's
// own codec is pure JavaScript (fflate) and runs anywhere; the server's archive worker passes native zlib
// (zlib-codec.ts, `@tandem/core/zlib`), which does the same work several times faster: a 51 MB tar.gz took 4 s
// to decompress with fflate in 4 KB steps and 0.5 s with zlib.

import { deflateSync, Gunzip, Gzip, Inflate, inflateSync } from 'fflate';
import { concatBytes } from '../bytes.ts';
import { crc32 } from './crc32.ts';

export interface ArchiveCodec {
  /**
   * Decompresses a gzip stream, handing the output to `sink` in order until it returns false. Returns false,
   * having stopped, when the output would pass `maxBytes`.
   */
  gunzip(bytes: Uint8Array, maxBytes: number, sink: (chunk: Uint8Array) => boolean): boolean;
  /** The output of a raw deflate stream, or undefined when it would pass `maxBytes`. */
  inflateRaw(bytes: Uint8Array, maxBytes: number): Uint8Array | undefined;
  crc32(bytes: Uint8Array): number;
  /** A raw deflate stream of `bytes`, at the usual level (6). */
  deflateRaw(bytes: Uint8Array): Uint8Array;
  /** A gzip stream (mtime 0) of everything `write` emits, in order. */
  gzip(write: (emit: (chunk: Uint8Array) => void) => void): Uint8Array;
}

/** zlib's default trade of speed for size, as `gzip` and `zip` use it. */
export const DEFLATE_LEVEL = 6;

/** Compressed bytes handed to fflate per step; deflate expands at most ~1032x, so one step yields <= ~4 MiB. */
const STEP = 4096;

/** Thrown from fflate's callbacks to end the work early. */
const stop = new Error('stopped');

/** fflate, fed in small steps so that no burst of output is much larger than what the caller allows. */
export const jsArchiveCodec: ArchiveCodec = {
  gunzip(bytes, maxBytes, sink) {
    let produced = 0;
    let fits = true;
    try {
      const gunzip = new Gunzip((chunk) => {
        produced += chunk.length;
        if (produced > maxBytes) fits = false;
        // Stop once the sink is done or full: whatever follows is never decompressed.
        if (!fits || !sink(chunk)) throw stop;
      });
      for (let offset = 0; offset < bytes.length; offset += STEP) {
        gunzip.push(bytes.subarray(offset, offset + STEP), offset + STEP >= bytes.length);
      }
    } catch (error) {
      if (error !== stop) throw error;
    }
    return fits;
  },

  inflateRaw(bytes, maxBytes) {
    // One step's worth of input decodes in bounded time, so small streams skip the streaming machinery. fflate
    // never grows a caller's buffer; the one spare byte is how a longer stream shows itself.
    if (bytes.length <= STEP) {
      const output = inflateSync(bytes, { out: new Uint8Array(maxBytes + 1) });
      return output.length > maxBytes ? undefined : output;
    }
    const output = new Uint8Array(maxBytes);
    let written = 0;
    try {
      const inflater = new Inflate((chunk) => {
        if (written + chunk.length > maxBytes) throw stop;
        output.set(chunk, written);
        written += chunk.length;
      });
      for (let offset = 0; offset < bytes.length; offset += STEP) {
        inflater.push(bytes.subarray(offset, offset + STEP), offset + STEP >= bytes.length);
      }
    } catch (error) {
      if (error !== stop) throw error;
      return undefined;
    }
    return written === maxBytes ? output : output.slice(0, written);
  },

  crc32: (bytes) => crc32(bytes),

  deflateRaw: (bytes) => deflateSync(bytes, { level: DEFLATE_LEVEL }),

  gzip(write) {
    const parts: Uint8Array[] = [];
    const gzip = new Gzip({ level: DEFLATE_LEVEL, mtime: 0 }, (chunk) => parts.push(chunk));
    write((chunk) => gzip.push(chunk));
    gzip.push(new Uint8Array(0), true);
    return concatBytes(parts);
  },
};
