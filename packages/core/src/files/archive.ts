// Safe archive import and export for workspaces: zip, tar and tar.gz, bounded in memory; compression is pure JS
// (fflate) unless the caller passes a faster codec (see archive-codec.ts).
// Reading refuses unsafe names, links, devices, duplicates and bombs with `ARCHIVE_REJECTED` naming the entry.

import { type ArchiveCodec, jsArchiveCodec } from './archive-codec.ts';
import { AppError, isAppError } from '../errors.ts';
import {
  type ArchiveEntry,
  ArchiveCollector,
  type ArchiveLimits,
  archiveRejected,
  expansionBudget,
  expansionRejected,
  resolveArchiveLimits,
} from './archive-collector.ts';
import { encodeText } from './content.ts';
import { describeConflict, PathIndex } from './path-index.ts';
import { normalizePath } from './path.ts';
import { hasValidChecksum, TarReader, writeTar } from './tar.ts';
import { readZip, writeZip } from './zip.ts';

export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';

export interface ReadArchiveOptions {
  /** Remove a single top-level folder that holds every file (as GitHub's "Download ZIP" adds). */
  stripRoot?: boolean;
  /** How to decompress; core's pure-JavaScript codec by default. */
  codec?: ArchiveCodec;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, i) => bytes[offset + i] === byte);
}

/** Recognises an archive by its magic bytes (tar by its `ustar` magic or a valid first-header checksum). */
export function detectArchiveFormat(bytes: Uint8Array): ArchiveFormat | undefined {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return 'zip';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'tar.gz';
  if (bytes.length >= 512) {
    const header = bytes.subarray(0, 512);
    if (startsWith(header, [0x75, 0x73, 0x74, 0x61, 0x72], 257) || hasValidChecksum(header)) return 'tar';
  }
  return undefined;
}

function readTarGz(bytes: Uint8Array, collector: ArchiveCollector, codec: ArchiveCodec): void {
  const reader = new TarReader(collector);
  const fits = codec.gunzip(bytes, expansionBudget(collector.limits, bytes.length), (chunk) => {
    reader.push(chunk);
    // Stop once the tar has ended: whatever follows is never decompressed.
    return !reader.done;
  });
  if (!fits) throw expansionRejected(collector.limits, bytes.length);
  reader.finish();
}

function readTar(bytes: Uint8Array, collector: ArchiveCollector): void {
  const reader = new TarReader(collector);
  reader.push(bytes);
  reader.finish();
}

/**
 * Extracts the files of a zip, tar or tar.gz archive in archive order. Folder entries are skipped (folders are
 * implied by paths). Throws `ARCHIVE_REJECTED` for anything unsafe or over `limits`.
 */
export function readArchive(
  bytes: Uint8Array,
  limits: Partial<ArchiveLimits> = {},
  options: ReadArchiveOptions = {},
): ArchiveEntry[] {
  const collector = new ArchiveCollector(resolveArchiveLimits(limits));
  const codec = options.codec ?? jsArchiveCodec;
  const format = detectArchiveFormat(bytes);
  try {
    switch (format) {
      case 'zip':
        readZip(bytes, collector, codec);
        break;
      case 'tar':
        readTar(bytes, collector);
        break;
      case 'tar.gz':
        readTarGz(bytes, collector, codec);
        break;
      case undefined:
        throw archiveRejected('The upload is not a zip, tar or tar.gz archive.');
    }
  } catch (error) {
    if (isAppError(error)) throw error;
    // fflate reports damaged streams with plain errors; they are the archive's fault, not ours.
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('ARCHIVE_REJECTED', `The archive is damaged (${reason}).`, { cause: error });
  }
  return collector.result(options.stripRoot ?? false);
}

export interface ArchiveFileInput {
  path: string;
  content: Uint8Array | string;
}

export interface WriteArchiveOptions {
  /** Modification time stamped on every entry; a fixed default keeps archives byte-for-byte reproducible. */
  mtime?: Date;
  /** How to compress; core's pure-JavaScript codec by default. */
  codec?: ArchiveCodec;
}

// 1980-01-01 is the earliest time zip can store. Zip stores local time and tar UTC seconds, so each format gets
// a default that does not depend on the machine's time zone.
const DEFAULT_ZIP_MTIME = (): Date => new Date(1980, 0, 1);
const DEFAULT_TAR_MTIME_SECONDS = Date.UTC(1980, 0, 1) / 1000;

function prepareFiles(files: readonly ArchiveFileInput[]): { path: string; content: Uint8Array }[] {
  const index = new PathIndex();
  return files.map((file) => {
    const path = normalizePath(file.path);
    const conflict = index.conflict(path);
    if (conflict) throw new AppError('BAD_INPUT', `Cannot archive ${describeConflict(path, conflict)}`);
    index.add(path);
    return { path, content: typeof file.content === 'string' ? encodeText(file.content) : file.content };
  });
}

/** Packs files (paths are validated like any workspace path) into a zip or tar.gz, deterministically. */
export function writeArchive(
  files: readonly ArchiveFileInput[],
  format: 'zip' | 'tar.gz',
  options: WriteArchiveOptions = {},
): Uint8Array {
  const prepared = prepareFiles(files);
  const codec = options.codec ?? jsArchiveCodec;
  if (format === 'zip') return writeZip(prepared, options.mtime ?? DEFAULT_ZIP_MTIME(), codec);
  const mtime = options.mtime
    ? Math.max(0, Math.floor(options.mtime.getTime() / 1000))
    : DEFAULT_TAR_MTIME_SECONDS;
  return codec.gzip((emit) => writeTar(prepared, mtime, emit));
}
