// Tar reading (ustar, pax and GNU long names) as a push parser, so a tar.gz is checked while it is being
// decompressed and a bad header stops the work at once; and tar writing (ustar, pax for long or non-ASCII names).

import { type ArchiveCollector, archiveRejected, entryRejected } from './archive-collector.ts';
import { encodeText } from './content.ts';

const BLOCK = 512;
/** pax and GNU long-name records hold a path and a few attributes; anything bigger is not a real header. */
const MAX_METADATA_BYTES = 64 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

type Body =
  | { kind: 'file'; path: string; data: Uint8Array }
  | { kind: 'pax' | 'long-name'; data: Uint8Array }
  | { kind: 'skip' };

interface PendingNames {
  path?: string;
  size?: number;
  longName?: string;
}

function isZeroBlock(block: Uint8Array): boolean {
  return block.every((byte) => byte === 0);
}

/** A NUL-terminated field as raw bytes. */
function field(block: Uint8Array, offset: number, length: number): Uint8Array {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return end === -1 ? raw : raw.subarray(0, end);
}

function decodeName(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw archiveRejected('A tar entry has a name that is not valid UTF-8.');
  }
}

function parseOctal(block: Uint8Array, offset: number, length: number): number | undefined {
  const text = String.fromCharCode(...field(block, offset, length)).trim();
  if (!/^[0-7]*$/.test(text)) return undefined;
  return text === '' ? 0 : parseInt(text, 8);
}

/** Sizes over 8 GiB use GNU base-256: the high bit of the first byte set, then a big-endian number. */
function parseSize(block: Uint8Array): number | undefined {
  const first = block[124] ?? 0;
  if ((first & 0x80) === 0) return parseOctal(block, 124, 12);
  if (first === 0xff) return undefined;
  let value = first & 0x7f;
  for (let i = 125; i < 136; i += 1) {
    value = value * 256 + (block[i] ?? 0);
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return value;
}

/** Both the standard unsigned sum and the signed sum some old tar implementations wrote. */
export function hasValidChecksum(block: Uint8Array): boolean {
  const stored = parseOctal(block, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i += 1) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function headerName(block: Uint8Array): string {
  const name = field(block, 0, 100);
  // The prefix field exists in POSIX ustar only; GNU tar ("ustar  ") keeps other data at that offset.
  const posix = String.fromCharCode(...block.subarray(257, 263)) === 'ustar\0';
  const prefix = posix ? field(block, 345, 155) : new Uint8Array(0);
  return prefix.length > 0 ? `${decodeName(prefix)}/${decodeName(name)}` : decodeName(name);
}

/** pax records: "<length> <key>=<value>\n", where length counts the whole record. */
function parsePax(data: Uint8Array, pending: PendingNames): void {
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(String.fromCharCode(...data.subarray(offset, space)));
    if (
      !Number.isInteger(length) ||
      length <= space - offset ||
      offset + length > data.length ||
      data[offset + length - 1] !== 0x0a
    ) {
      throw archiveRejected('A tar pax header is malformed.');
    }
    const record = decodeName(data.subarray(space + 1, offset + length - 1));
    const equals = record.indexOf('=');
    if (equals !== -1) {
      const key = record.slice(0, equals);
      const value = record.slice(equals + 1);
      if (key === 'path') pending.path = value;
      if (key === 'size') {
        if (!/^\d+$/.test(value)) throw archiveRejected('A tar pax header has an invalid size.');
        pending.size = Number(value);
      }
    }
    offset += length;
  }
}

export class TarReader {
  private readonly collector: ArchiveCollector;
  private readonly header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private body: Body | undefined;
  private bodyFill = 0;
  private bodySize = 0;
  private padding = 0;
  private metadataRecords = 0;
  private pending: PendingNames = {};
  private sawHeader = false;
  /** True once the end-of-archive block is read; the caller stops feeding (and decompressing) from then on. */
  done = false;

  constructor(collector: ArchiveCollector) {
    this.collector = collector;
  }

  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length && !this.done) {
      if (this.body) {
        const take = Math.min(this.bodySize - this.bodyFill, chunk.length - offset);
        if (this.body.kind !== 'skip')
          this.body.data.set(chunk.subarray(offset, offset + take), this.bodyFill);
        this.bodyFill += take;
        offset += take;
        if (this.bodyFill === this.bodySize) this.completeBody(this.body);
      } else if (this.padding > 0) {
        const take = Math.min(this.padding, chunk.length - offset);
        this.padding -= take;
        offset += take;
      } else {
        const take = Math.min(BLOCK - this.headerFill, chunk.length - offset);
        this.header.set(chunk.subarray(offset, offset + take), this.headerFill);
        this.headerFill += take;
        offset += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.readHeader(this.header);
        }
      }
    }
  }

  /** Called at the end of input: a missing end-of-archive block is tolerated, a cut-off entry is not. */
  finish(): void {
    if (this.done) return;
    if (this.body || this.headerFill > 0) throw archiveRejected('The tar archive is truncated.');
    if (!this.sawHeader) throw archiveRejected('The tar archive is empty or damaged.');
  }

  private startBody(body: Body, size: number): void {
    this.body = body;
    this.bodySize = size;
    this.bodyFill = 0;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.completeBody(body);
  }

  private completeBody(body: Body): void {
    this.body = undefined;
    if (body.kind === 'file') this.collector.addFile(body.path, body.data);
    else if (body.kind === 'pax') parsePax(body.data, this.pending);
    else if (body.kind === 'long-name')
      this.pending.longName = decodeName(field(body.data, 0, body.data.length));
  }

  private startMetadata(kind: 'pax' | 'long-name' | 'skip', size: number): void {
    this.metadataRecords += 1;
    if (this.metadataRecords > this.collector.limits.maxEntries) {
      throw archiveRejected('The tar archive has too many metadata records.');
    }
    if (size > MAX_METADATA_BYTES) throw archiveRejected('A tar metadata record is implausibly large.');
    this.startBody(kind === 'skip' ? { kind } : { kind, data: new Uint8Array(size) }, size);
  }

  private readHeader(block: Uint8Array): void {
    if (isZeroBlock(block)) {
      this.done = true;
      return;
    }
    if (!hasValidChecksum(block))
      throw archiveRejected('The tar archive is damaged: a header checksum is wrong.');
    this.sawHeader = true;
    const headerSize = parseSize(block);
    if (headerSize === undefined)
      throw archiveRejected('The tar archive is damaged: a header has an invalid size.');
    const type = String.fromCharCode(block[156] ?? 0);

    if (type === 'x') return this.startMetadata('pax', headerSize);
    if (type === 'L') return this.startMetadata('long-name', headerSize);
    if (type === 'g' || type === 'K' || type === 'V') return this.startMetadata('skip', headerSize);

    const pending = this.pending;
    this.pending = {};
    const name = pending.path ?? pending.longName ?? headerName(block);
    const size = pending.size ?? headerSize;
    this.collector.countEntry(name);

    switch (type) {
      case '0':
      case '\0':
      case '7':
        if (name.endsWith('/')) {
          this.collector.checkFolder(name);
          return this.startBody({ kind: 'skip' }, size);
        }
        return this.startBody(
          { kind: 'file', path: this.collector.admitFile(name, size), data: new Uint8Array(size) },
          size,
        );
      case '5':
        this.collector.checkFolder(name);
        return this.startBody({ kind: 'skip' }, size);
      case '1':
        throw entryRejected(name, 'is a hard link; links are not allowed');
      case '2':
        throw entryRejected(name, 'is a symbolic link; links are not allowed');
      case '3':
      case '4':
      case '6':
        throw entryRejected(name, 'is a device or pipe; only files and folders are allowed');
      default:
        throw entryRejected(name, `has unsupported tar entry type ${JSON.stringify(type)}`);
    }
  }
}

// Writing.

function writeField(block: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  block.set(bytes.subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, '0');
  writeField(block, offset, length, encodeText(`${digits}\0`));
}

function buildHeader(
  name: Uint8Array,
  prefix: Uint8Array,
  size: number,
  type: string,
  mtime: number,
): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeField(block, 0, 100, name);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156);
  block[156] = type.charCodeAt(0);
  writeField(block, 257, 8, encodeText('ustar\u000000'));
  writeField(block, 345, 155, prefix);
  const sum = block.reduce((total, byte) => total + byte, 0);
  writeField(block, 148, 8, encodeText(`${sum.toString(8).padStart(6, '0')}\0 `));
  return block;
}

/** Splits a path into ustar `prefix` + `name`, or returns undefined when it needs a pax record. */
function ustarName(path: string): { name: Uint8Array; prefix: Uint8Array } | undefined {
  // Non-ASCII names go through pax, whose values are defined as UTF-8; raw header bytes are locale-dependent.
  if (!/^[\x20-\x7e]*$/.test(path)) return undefined;
  const bytes = encodeText(path);
  if (bytes.length <= 100) return { name: bytes, prefix: new Uint8Array(0) };
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    if (slash <= 155 && path.length - slash - 1 <= 100) {
      return { name: bytes.subarray(slash + 1), prefix: bytes.subarray(0, slash) };
    }
  }
  return undefined;
}

function paxRecord(key: string, value: string): Uint8Array {
  const body = encodeText(` ${key}=${value}\n`);
  // The length prefix counts its own digits, so grow it until it is self-consistent.
  let length = body.length;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  const digits = encodeText(String(length));
  const record = new Uint8Array(length);
  record.set(digits);
  record.set(body, digits.length);
  return record;
}

function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

export interface TarFile {
  path: string;
  content: Uint8Array;
}

/** Tar blocks for `files`, emitted piece by piece so a caller can compress them without one big buffer. */
export function writeTar(
  files: readonly TarFile[],
  mtimeSeconds: number,
  emit: (chunk: Uint8Array) => void,
): void {
  for (const file of files) {
    let names = ustarName(file.path);
    if (!names) {
      const record = paxRecord('path', file.path);
      emit(buildHeader(encodeText('././@PaxHeader'), new Uint8Array(0), record.length, 'x', mtimeSeconds));
      emit(record);
      emit(padding(record.length));
      // Readers without pax support still get a recognisable (if shortened, ASCII-only) name.
      const fallback = file.path.replace(/[^\x20-\x7e]/g, '_').slice(-100);
      names = { name: encodeText(fallback), prefix: new Uint8Array(0) };
    }
    emit(buildHeader(names.name, names.prefix, file.content.length, '0', mtimeSeconds));
    emit(file.content);
    emit(padding(file.content.length));
  }
  emit(new Uint8Array(BLOCK * 2));
}
