// Zip reading and writing. Reading trusts only the central directory, and checks every entry there (name, type,
// declared size, overlap with other entries) before inflating anything; inflation is bounded
// by the declared size, so an entry that lies about its size is stopped there.

import { concatBytes } from '../bytes.ts';
import { AppError } from '../errors.ts';
import type { ArchiveCodec } from './archive-codec.ts';
import {
  type ArchiveCollector,
  archiveRejected,
  entryRejected,
  expansionBudget,
  expansionRejected,
} from './archive-collector.ts';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;

const HOST_UNIX = 3;
const HOST_MACOS = 19;
const DOS_DIRECTORY_ATTRIBUTE = 0x10;
const FILE_TYPE_MASK = 0o170000;
const TYPE_REGULAR = 0o100000;
const TYPE_DIRECTORY = 0o040000;
const TYPE_SYMLINK = 0o120000;

const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 0x0001;

const nameDecoder = new TextDecoder('utf-8', { fatal: true });

interface CentralEntry {
  name: string;
  path: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function u16(view: DataView, offset: number): number {
  return view.getUint16(offset, true);
}

function u32(view: DataView, offset: number): number {
  return view.getUint32(offset, true);
}

function u64(view: DataView, offset: number): number {
  const value = view.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw archiveRejected('The zip archive declares an impossible size.');
  return Number(value);
}

function findEndOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - EOCD_SIZE - 0xffff);
  for (let offset = view.byteLength - EOCD_SIZE; offset >= lowest; offset -= 1) {
    if (
      u32(view, offset) === EOCD_SIGNATURE &&
      offset + EOCD_SIZE + u16(view, offset + 20) <= view.byteLength
    ) {
      return offset;
    }
  }
  throw archiveRejected('The zip archive is damaged: its central directory is missing.');
}

interface Directory {
  entries: number;
  offset: number;
  size: number;
  end: number;
}

function readDirectoryLocation(view: DataView): Directory {
  const eocd = findEndOfCentralDirectory(view);
  const disk = u16(view, eocd + 4);
  const directoryDisk = u16(view, eocd + 6);
  const entriesOnDisk = u16(view, eocd + 8);
  const entries = u16(view, eocd + 10);
  const size = u32(view, eocd + 12);
  const offset = u32(view, eocd + 16);
  if (entries !== 0xffff && size !== 0xffffffff && offset !== 0xffffffff) {
    if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entries) {
      throw archiveRejected('Split (multi-volume) zip archives are not supported.');
    }
    return { entries, offset, size, end: eocd };
  }
  const locator = eocd - 20;
  if (locator < 0 || u32(view, locator) !== ZIP64_LOCATOR_SIGNATURE) {
    throw archiveRejected('The zip archive is damaged: its zip64 directory locator is missing.');
  }
  const record = u64(view, locator + 8);
  if (record + 56 > locator || u32(view, record) !== ZIP64_EOCD_SIGNATURE) {
    throw archiveRejected('The zip archive is damaged: its zip64 directory record is missing.');
  }
  return {
    entries: u64(view, record + 32),
    size: u64(view, record + 40),
    offset: u64(view, record + 48),
    end: record,
  };
}

/** Resolves 0xFFFFFFFF placeholders from the zip64 extra field, which lists only the fields that overflowed. */
function applyZip64(
  view: DataView,
  extraStart: number,
  extraEnd: number,
  fields: { size: number; compressedSize: number; localOffset: number },
): void {
  let offset = extraStart;
  while (offset + 4 <= extraEnd) {
    const id = u16(view, offset);
    const length = u16(view, offset + 2);
    const dataEnd = offset + 4 + length;
    if (dataEnd > extraEnd) break;
    if (id === ZIP64_EXTRA_ID) {
      let cursor = offset + 4;
      const next = (): number => {
        if (cursor + 8 > dataEnd)
          throw archiveRejected('The zip archive is damaged: a zip64 field is truncated.');
        const value = u64(view, cursor);
        cursor += 8;
        return value;
      };
      if (fields.size === 0xffffffff) fields.size = next();
      if (fields.compressedSize === 0xffffffff) fields.compressedSize = next();
      if (fields.localOffset === 0xffffffff) fields.localOffset = next();
      return;
    }
    offset = dataEnd;
  }
}

function readCentralDirectory(
  bytes: Uint8Array,
  view: DataView,
  directory: Directory,
  collector: ArchiveCollector,
): CentralEntry[] {
  if (directory.entries > collector.limits.maxEntries) {
    throw archiveRejected(
      `The archive has ${directory.entries} entries; the limit is ${collector.limits.maxEntries}.`,
      { limit: collector.limits.maxEntries },
    );
  }
  if (directory.offset + directory.size > directory.end) {
    throw archiveRejected('The zip archive is damaged: its central directory is out of bounds.');
  }

  const entries: CentralEntry[] = [];
  let offset = directory.offset;
  for (let i = 0; i < directory.entries; i += 1) {
    if (offset + CENTRAL_HEADER_SIZE > directory.end || u32(view, offset) !== CENTRAL_SIGNATURE) {
      throw archiveRejected('The zip archive is damaged: a central directory record is invalid.');
    }
    const madeBy = u16(view, offset + 4);
    const flags = u16(view, offset + 8);
    const method = u16(view, offset + 10);
    const crc = u32(view, offset + 16);
    const nameLength = u16(view, offset + 28);
    const extraLength = u16(view, offset + 30);
    const commentLength = u16(view, offset + 32);
    const externalAttributes = u32(view, offset + 38);
    const nameStart = offset + CENTRAL_HEADER_SIZE;
    const extraStart = nameStart + nameLength;
    const recordEnd = extraStart + extraLength + commentLength;
    if (recordEnd > directory.end) {
      throw archiveRejected('The zip archive is damaged: a central directory record is truncated.');
    }
    const fields = {
      compressedSize: u32(view, offset + 20),
      size: u32(view, offset + 24),
      localOffset: u32(view, offset + 42),
    };
    applyZip64(view, extraStart, extraStart + extraLength, fields);
    offset = recordEnd;

    let name: string;
    try {
      name = nameDecoder.decode(bytes.subarray(nameStart, extraStart));
    } catch {
      throw archiveRejected(`Archive entry #${i + 1} has a name that is not valid UTF-8.`, { entry: i + 1 });
    }
    collector.countEntry(name);

    const host = madeBy >> 8;
    const unixType =
      host === HOST_UNIX || host === HOST_MACOS ? (externalAttributes >>> 16) & FILE_TYPE_MASK : 0;
    if (unixType === TYPE_SYMLINK) throw entryRejected(name, 'is a symbolic link; links are not allowed');
    if (unixType !== 0 && unixType !== TYPE_REGULAR && unixType !== TYPE_DIRECTORY) {
      throw entryRejected(name, 'is a device, pipe or socket; only files and folders are allowed');
    }
    const isFolder =
      unixType === TYPE_DIRECTORY ||
      /[/\\]$/.test(name) ||
      (host !== HOST_UNIX && host !== HOST_MACOS && (externalAttributes & DOS_DIRECTORY_ATTRIBUTE) !== 0);
    if (isFolder) {
      collector.checkFolder(name);
      continue;
    }
    // Finder's resource-fork shadow copies, never part of the project.
    if (name.startsWith('__MACOSX/')) continue;
    if ((flags & FLAG_ENCRYPTED) !== 0) throw entryRejected(name, 'is encrypted');
    if (method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      throw entryRejected(name, `uses compression method ${method}; only stored and deflate are supported`);
    }
    if (method === METHOD_STORED && fields.compressedSize !== fields.size) {
      throw entryRejected(name, 'is stored uncompressed but declares two different sizes');
    }
    const path = collector.admitFile(name, fields.size);
    entries.push({ name, path, method, crc, ...fields });
  }
  return entries;
}

/** Where each entry's data starts; refuses entries that overlap, the trick behind non-recursive zip bombs. */
function locateData(
  view: DataView,
  entries: readonly CentralEntry[],
  directoryStart: number,
): Map<CentralEntry, number> {
  const starts = new Map<CentralEntry, number>();
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  let previousEnd = 0;
  for (const entry of byOffset) {
    const header = entry.localOffset;
    if (header + LOCAL_HEADER_SIZE > directoryStart || u32(view, header) !== LOCAL_SIGNATURE) {
      throw entryRejected(entry.name, 'points at an invalid local header');
    }
    if (header < previousEnd) throw entryRejected(entry.name, 'overlaps another entry');
    const start = header + LOCAL_HEADER_SIZE + u16(view, header + 26) + u16(view, header + 28);
    const end = start + entry.compressedSize;
    if (end > directoryStart) throw entryRejected(entry.name, 'extends past the end of the archive data');
    starts.set(entry, start);
    previousEnd = end;
  }
  return starts;
}

function inflateEntry(entry: CentralEntry, data: Uint8Array, codec: ArchiveCodec): Uint8Array {
  const output = codec.inflateRaw(data, entry.size);
  if (output === undefined) throw entryRejected(entry.name, 'expands beyond its declared size');
  if (output.length < entry.size) throw entryRejected(entry.name, 'is truncated');
  return output;
}

export function readZip(bytes: Uint8Array, collector: ArchiveCollector, codec: ArchiveCodec): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directory = readDirectoryLocation(view);
  const entries = readCentralDirectory(bytes, view, directory, collector);
  const declared = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (declared > expansionBudget(collector.limits, bytes.length)) {
    throw expansionRejected(collector.limits, bytes.length);
  }
  const starts = locateData(view, entries, directory.offset);
  for (const entry of entries) {
    const start = starts.get(entry) ?? 0;
    const data = bytes.subarray(start, start + entry.compressedSize);
    const content = entry.method === METHOD_STORED ? data.slice() : inflateEntry(entry, data, codec);
    if (codec.crc32(content) !== entry.crc)
      throw entryRejected(entry.name, 'fails its checksum (the archive is damaged)');
    collector.addFile(entry.path, content);
  }
}

export interface ZipFile {
  path: string;
  content: Uint8Array;
}

/** Regular file, rw-r--r--, in the high half of the external attributes as Unix zip tools write it. */
const UNIX_FILE_ATTRIBUTES = (TYPE_REGULAR | 0o644) * 0x10000;

/** Bit 11 of the general-purpose flags: names are UTF-8. */
const FLAG_UTF8 = 0x0800;
/** Version 2.0: deflate, folders; made on Unix, so readers apply the permissions in the external attributes. */
const VERSION_NEEDED = 20;
const VERSION_MADE_BY = (HOST_UNIX << 8) | VERSION_NEEDED;
const MAX_CLASSIC_ENTRIES = 0xffff;
const MAX_CLASSIC_OFFSET = 0xffffffff;

/** A DOS date and time (local time, two-second steps), as zip stores a modification time. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

interface EntryFields {
  method: number;
  stamp: { time: number; date: number };
  crc: number;
  compressedSize: number;
  size: number;
  nameBytes: number;
}

/**
 * The fields a local header (from byte 4) and a central directory record (from byte 6) share, in the same order:
 * version needed, flags, method, time, date, CRC, sizes, name length (no extra field).
 */
function writeEntryFields(view: DataView, at: number, fields: EntryFields): void {
  view.setUint16(at, VERSION_NEEDED, true);
  view.setUint16(at + 2, FLAG_UTF8, true);
  view.setUint16(at + 4, fields.method, true);
  view.setUint16(at + 6, fields.stamp.time, true);
  view.setUint16(at + 8, fields.stamp.date, true);
  view.setUint32(at + 10, fields.crc, true);
  view.setUint32(at + 14, fields.compressedSize, true);
  view.setUint32(at + 18, fields.size, true);
  view.setUint16(at + 22, fields.nameBytes, true);
}

/**
 * A zip of `files`, deflated with `codec` (stored instead where deflate would not make an entry smaller), with
 * UTF-8 names and Unix permissions; the same files and time always give the same bytes.
 */
export function writeZip(files: readonly ZipFile[], mtime: Date, codec: ArchiveCodec): Uint8Array {
  if (files.length > MAX_CLASSIC_ENTRIES) {
    throw new AppError('BAD_INPUT', `A zip download holds at most ${MAX_CLASSIC_ENTRIES} files.`);
  }
  const stamp = dosDateTime(mtime);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const file of files) {
    const name = encoder.encode(file.path);
    const deflated = codec.deflateRaw(file.content);
    const stored = deflated.byteLength >= file.content.byteLength;
    const data = stored ? file.content : deflated;
    const fields: EntryFields = {
      method: stored ? METHOD_STORED : METHOD_DEFLATE,
      stamp,
      crc: codec.crc32(file.content),
      compressedSize: data.byteLength,
      size: file.content.byteLength,
      nameBytes: name.byteLength,
    };
    const local = new Uint8Array(LOCAL_HEADER_SIZE + name.byteLength);
    const l = new DataView(local.buffer);
    l.setUint32(0, LOCAL_SIGNATURE, true);
    writeEntryFields(l, 4, fields);
    local.set(name, LOCAL_HEADER_SIZE);
    const record = new Uint8Array(CENTRAL_HEADER_SIZE + name.byteLength);
    const c = new DataView(record.buffer);
    c.setUint32(0, CENTRAL_SIGNATURE, true);
    c.setUint16(4, VERSION_MADE_BY, true);
    writeEntryFields(c, 6, fields);
    c.setUint32(38, UNIX_FILE_ATTRIBUTES, true);
    c.setUint32(42, offset, true);
    record.set(name, CENTRAL_HEADER_SIZE);
    parts.push(local, data);
    central.push(record);
    offset += local.byteLength + data.byteLength;
    if (offset > MAX_CLASSIC_OFFSET) throw new AppError('BAD_INPUT', 'A zip download holds at most 4 GiB.');
  }
  const directorySize = central.reduce((sum, record) => sum + record.byteLength, 0);
  const end = new Uint8Array(EOCD_SIZE);
  const e = new DataView(end.buffer);
  e.setUint32(0, EOCD_SIGNATURE, true);
  e.setUint16(8, files.length, true);
  e.setUint16(10, files.length, true);
  e.setUint32(12, directorySize, true);
  e.setUint32(16, offset, true);
  return concatBytes([...parts, ...central, end]);
}
