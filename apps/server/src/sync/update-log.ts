// The write-ahead log of document updates on local disk, under core's WriteAheadStorage: each record framed with its
// length and a CRC-32 and appended with one write. Like PGlite's own files it is written through the operating
// system's cache without fsync, so it survives the process being killed as the database does. A process killed in
// the middle of a write leaves at most a torn last record, which nobody had been sent, and reading stops there.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync, writevSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { AppendLog } from '@tandem/core';

const HEADER_BYTES = 8;
// Within every system's limit on the buffers one writev takes (1024 on Linux).
const MAX_WRITE_PARTS = 1024;

export class FileAppendLog implements AppendLog {
  readonly #fd: number;
  #size: number;

  private constructor(fd: number, size: number) {
    this.#fd = fd;
    this.#size = size;
  }

  /**
   * Opens (or creates) the log and reads back its intact records; `unreadBytes` counts what follows the last
   * intact one (a torn or damaged record and anything after it).
   */
  static open(file: string): { log: FileAppendLog; records: Uint8Array[]; unreadBytes: number } {
    const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    const records: Uint8Array[] = [];
    let at = 0;
    while (at + HEADER_BYTES <= bytes.byteLength) {
      const length = bytes.readUInt32LE(at);
      const end = at + HEADER_BYTES + length;
      if (end > bytes.byteLength) break;
      const record = bytes.subarray(at + HEADER_BYTES, end);
      if (crc32(record) !== bytes.readUInt32LE(at + 4)) break;
      records.push(record);
      at = end;
    }
    // Appending mode: every write lands at the end, which after clear() is the start again.
    const fd = openSync(file, 'a');
    return { log: new FileAppendLog(fd, bytes.byteLength), records, unreadBytes: bytes.byteLength - at };
  }

  get size(): number {
    return this.#size;
  }

  append(record: readonly Uint8Array[]): void {
    let length = 0;
    let checksum = 0;
    for (const part of record) {
      length += part.byteLength;
      checksum = crc32(part, checksum);
    }
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32LE(length, 0);
    header.writeUInt32LE(checksum, 4);
    const total = HEADER_BYTES + length;
    let written = 0;
    try {
      // One system call for the header and every part, however large, unless there are more than it takes.
      const parts = [header, ...record];
      if (parts.length <= MAX_WRITE_PARTS) written = writevSync(this.#fd, parts);
      if (written < total) {
        const frame = Buffer.concat(parts);
        while (written < total) written += writeSync(this.#fd, frame, written);
      }
    } catch (error) {
      // A half-written record would hide every later one from the next read: take it back out.
      if (written > 0) ftruncateSync(this.#fd, this.#size);
      throw error;
    }
    this.#size += total;
  }

  clear(): void {
    ftruncateSync(this.#fd, 0);
    this.#size = 0;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
