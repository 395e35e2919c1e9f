// Reads the objects of a bare repository (pack files through their version 2 indexes, and loose objects) with node's
// native zlib, resolving delta chains with a cache of their bases. isomorphic-git's readBlob costs about 1 ms an
// object (a loose-object probe, a pack listing, a JavaScript inflate of every base in the chain and a hash check on
// each read): seconds for a clone of a few thousand files, a few hundred milliseconds for a commit's base texts.
// Packs were checked when they arrived (indexing computes every object's id); a read that finds something malformed
// fails with a typed error instead of guessing.
import fs from 'node:fs';
import nodePath from 'node:path';
import { inflateSync } from 'node:zlib';
import { AppError } from '@tandem/core';

export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

export interface GitObject {
  type: GitObjectType;
  content: Buffer;
}

const TYPES: Record<number, GitObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** Longer delta chains than git ever writes (its default depth is 50, its maximum 4095) are refused. */
const MAX_CHAIN = 5_000;
/** Bytes of resolved delta bases kept for the next objects of their chains. */
const BASE_CACHE_BYTES = 32 * 1024 * 1024;
const IDX_MAGIC = 0xff744f63;
/**
 * A pack up to this size is read into memory whole when opened: a clone reads nearly every object of its pack, and
 * one read per object cost more than the inflating. Larger ones are read object by object.
 */
const WHOLE_PACK_BYTES = 256 * 1024 * 1024;
/** Delta copies shorter than this are copied byte by byte (Buffer.copy's own cost is higher for them). */
const SHORT_COPY = 64;

const corrupt = (what: string) => new AppError('INTERNAL', `The repository has a malformed object: ${what}.`);

class Pack {
  readonly #fd: number;
  readonly #size: number;
  /** The whole pack, when it is small enough to hold (WHOLE_PACK_BYTES). */
  readonly #bytes: Buffer | undefined;
  readonly #idx: Buffer;
  readonly #count: number;
  #ends: Map<number, number> | undefined;

  constructor(
    readonly path: string,
    idx: Buffer,
  ) {
    if (idx.readUInt32BE(0) !== IDX_MAGIC || idx.readUInt32BE(4) !== 2) throw corrupt(`${path}.idx version`);
    this.#idx = idx;
    this.#count = idx.readUInt32BE(8 + 255 * 4);
    if (idx.byteLength < 8 + 256 * 4 + this.#count * 28 + 40) throw corrupt(`${path}.idx size`);
    this.#fd = fs.openSync(path, 'r');
    this.#size = fs.fstatSync(this.#fd).size;
    if (this.#size <= WHOLE_PACK_BYTES) this.#bytes = this.#readAt(0, this.#size);
  }

  close(): void {
    fs.closeSync(this.#fd);
  }

  /** The offset of `oid` (20 bytes) in the pack, or -1. */
  find(oid: Buffer): number {
    const first = oid[0] ?? 0;
    let lo = first === 0 ? 0 : this.#idx.readUInt32BE(8 + (first - 1) * 4);
    let hi = this.#idx.readUInt32BE(8 + first * 4);
    const oids = 8 + 256 * 4;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      // The index's id at `mid` against the one looked for.
      const order = this.#idx.compare(oid, 0, 20, oids + mid * 20, oids + mid * 20 + 20);
      if (order === 0) return this.#offset(mid);
      if (order < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  #offset(i: number): number {
    const table = 8 + 256 * 4 + this.#count * 24;
    const value = this.#idx.readUInt32BE(table + i * 4);
    if ((value & 0x80000000) === 0) return value;
    const large = table + this.#count * 4 + (value & 0x7fffffff) * 8;
    return this.#idx.readUInt32BE(large) * 2 ** 32 + this.#idx.readUInt32BE(large + 4);
  }

  /** Where the object at `offset` ends: the next object's offset, or the trailing checksum. */
  #end(offset: number): number {
    if (this.#ends === undefined) {
      const offsets = Array.from({ length: this.#count }, (_, i) => this.#offset(i)).sort((a, b) => a - b);
      this.#ends = new Map(offsets.map((o, i) => [o, offsets[i + 1] ?? this.#size - 20]));
    }
    const end = this.#ends.get(offset);
    if (end === undefined) throw corrupt(`no object at offset ${offset} of ${this.path}`);
    return end;
  }

  #read(position: number, length: number): Buffer {
    return this.#bytes ? this.#bytes.subarray(position, position + length) : this.#readAt(position, length);
  }

  #readAt(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.#fd, buffer, done, length - done, position + done);
      if (n === 0) throw corrupt(`${this.path} ends early`);
      done += n;
    }
    return buffer;
  }

  /** The entry at `offset`: a whole object, or a delta with where its base is. */
  entry(
    offset: number,
  ):
    | { kind: 'object'; type: GitObjectType; content: Buffer }
    | { kind: 'ofs'; base: number; delta: Buffer }
    | { kind: 'ref'; base: string; delta: Buffer } {
    const end = this.#end(offset);
    const raw = this.#read(offset, end - offset);
    let at = 0;
    let byte = raw[at++] ?? 0;
    const type = (byte >> 4) & 7;
    let size = byte & 15;
    for (let shift = 4; byte & 0x80; shift += 7) {
      byte = raw[at++] ?? 0;
      size += (byte & 0x7f) * 2 ** shift;
    }
    let base: number | string | undefined;
    if (type === OFS_DELTA) {
      byte = raw[at++] ?? 0;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = raw[at++] ?? 0;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      base = offset - distance;
      if (distance <= 0 || base < 12) throw corrupt(`delta base offset in ${this.path}`);
    } else if (type === REF_DELTA) {
      base = raw.toString('hex', at, at + 20);
      at += 20;
    } else if (TYPES[type] === undefined) {
      throw corrupt(`object type ${type} in ${this.path}`);
    }
    let data: Buffer;
    try {
      data = inflateSync(raw.subarray(at), { maxOutputLength: Math.max(1, size) });
    } catch {
      throw corrupt(`compressed data at offset ${offset} of ${this.path}`);
    }
    if (data.byteLength !== size) throw corrupt(`size at offset ${offset} of ${this.path}`);
    if (typeof base === 'number') return { kind: 'ofs', base, delta: data };
    if (typeof base === 'string') return { kind: 'ref', base, delta: data };
    return { kind: 'object', type: TYPES[type] ?? 'blob', content: data };
  }
}

function varint(delta: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = delta[at++] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** git's delta format: the target's size, then copies from the base and inserted bytes. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const [baseSize, afterBase] = varint(delta, 0);
  if (baseSize !== base.byteLength) throw corrupt('delta against a base of another size');
  const [size, afterSize] = varint(delta, afterBase);
  let at = afterSize;
  const out = Buffer.allocUnsafe(size);
  let written = 0;
  while (at < delta.byteLength) {
    const op = delta[at++] ?? 0;
    if (op & 0x80) {
      let offset = 0;
      let length = 0;
      for (let bit = 0; bit < 4; bit += 1) if (op & (1 << bit)) offset += (delta[at++] ?? 0) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit += 1) if (op & (16 << bit)) length += (delta[at++] ?? 0) << (8 * bit);
      if (length === 0) length = 0x10000;
      if (offset + length > base.byteLength || written + length > size)
        throw corrupt('delta copy out of range');
      if (length < SHORT_COPY) for (let i = 0; i < length; i += 1) out[written + i] = base[offset + i] ?? 0;
      else base.copy(out, written, offset, offset + length);
      written += length;
    } else if (op > 0) {
      if (at + op > delta.byteLength || written + op > size) throw corrupt('delta insert out of range');
      if (op < SHORT_COPY) for (let i = 0; i < op; i += 1) out[written + i] = delta[at + i] ?? 0;
      else delta.copy(out, written, at, at + op);
      written += op;
      at += op;
    } else {
      throw corrupt('delta opcode 0');
    }
  }
  if (written !== size) throw corrupt('delta result of the wrong size');
  return out;
}

/** Reads objects of one repository. Open for one job, then `close()` (it holds the pack files open). */
export class ObjectStore {
  readonly #gitdir: string;
  #packs: Pack[] = [];
  readonly #cache = new Map<string, GitObject>();
  #cachedBytes = 0;

  constructor(gitdir: string) {
    this.#gitdir = gitdir;
    this.#loadPacks();
  }

  #loadPacks(): void {
    const dir = nodePath.join(this.#gitdir, 'objects', 'pack');
    const known = new Set(this.#packs.map((pack) => pack.path));
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.idx')) continue;
      const path = nodePath.join(dir, name.slice(0, -4) + '.pack');
      if (known.has(path) || !fs.existsSync(path)) continue;
      this.#packs.push(new Pack(path, fs.readFileSync(nodePath.join(dir, name))));
    }
  }

  close(): void {
    for (const pack of this.#packs) pack.close();
    this.#packs = [];
    this.#cache.clear();
  }

  /** The object, or null when the repository does not have it. */
  read(oid: string): GitObject | null {
    if (!/^[0-9a-f]{40}$/.test(oid)) return null;
    return this.#read(oid, 0);
  }

  /** The object, or a typed error naming what is missing. */
  get(oid: string, expected?: GitObjectType): GitObject {
    const object = this.read(oid);
    if (object === null) throw new AppError('NOT_FOUND', `The repository has no object ${oid}.`);
    if (expected !== undefined && object.type !== expected) {
      throw corrupt(`${oid} is a ${object.type}, not a ${expected}`);
    }
    return object;
  }

  #read(oid: string, depth: number): GitObject | null {
    const key = Buffer.from(oid, 'hex');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      for (const pack of this.#packs) {
        const offset = pack.find(key);
        if (offset >= 0) return this.#resolve(pack, offset, depth);
      }
      const loose = this.#loose(oid);
      if (loose) return loose;
      // A fetch in this job may have added a pack since the store was opened.
      this.#loadPacks();
    }
    return null;
  }

  #loose(oid: string): GitObject | null {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(nodePath.join(this.#gitdir, 'objects', oid.slice(0, 2), oid.slice(2)));
    } catch {
      return null;
    }
    let raw: Buffer;
    try {
      raw = inflateSync(bytes);
    } catch {
      throw corrupt(`loose object ${oid}`);
    }
    const nul = raw.indexOf(0);
    const [type, size] = raw.toString('latin1', 0, Math.max(0, nul)).split(' ');
    const content = raw.subarray(nul + 1);
    if (
      nul < 0 ||
      !Object.values(TYPES).includes(type as GitObjectType) ||
      Number(size) !== content.byteLength
    ) {
      throw corrupt(`loose object ${oid}`);
    }
    return { type: type as GitObjectType, content };
  }

  /** The object at `offset`, its delta chain followed back to a whole object and applied forwards. */
  #resolve(pack: Pack, offset: number, depth: number): GitObject {
    const deltas: Buffer[] = [];
    const keys: string[] = [];
    let at = offset;
    let base: GitObject | null = null;
    while (base === null) {
      if (deltas.length + depth > MAX_CHAIN) throw corrupt(`a delta chain longer than ${MAX_CHAIN}`);
      const key = `${pack.path}:${at}`;
      const cached = this.#cache.get(key);
      if (cached) {
        base = cached;
        break;
      }
      const entry = pack.entry(at);
      keys.push(key);
      if (entry.kind === 'object') {
        base = { type: entry.type, content: entry.content };
      } else if (entry.kind === 'ofs') {
        deltas.push(entry.delta);
        at = entry.base;
      } else {
        deltas.push(entry.delta);
        const external = this.#read(entry.base, depth + deltas.length);
        if (external === null) throw corrupt(`missing delta base ${entry.base}`);
        base = external;
      }
    }
    // keys[i] names the object that deltas[i] produces; a whole object's own key comes last when it was read.
    if (keys.length > deltas.length) this.#remember(keys[deltas.length] ?? '', base);
    let object = base;
    for (let i = deltas.length - 1; i >= 0; i -= 1) {
      object = { type: object.type, content: applyDelta(object.content, deltas[i] ?? Buffer.alloc(0)) };
      // Bases of chains are what the next reads need again; the object asked for may be one too.
      this.#remember(keys[i] ?? '', object);
    }
    return object;
  }

  #remember(key: string, object: GitObject): void {
    if (object.content.byteLength > BASE_CACHE_BYTES / 8) return;
    this.#cache.delete(key);
    this.#cache.set(key, object);
    this.#cachedBytes += object.content.byteLength;
    for (const [old, value] of this.#cache) {
      if (this.#cachedBytes <= BASE_CACHE_BYTES) break;
      this.#cache.delete(old);
      this.#cachedBytes -= value.content.byteLength;
    }
  }
}

/** Entries of a tree object, as isomorphic-git's readTree lists them (a folder's mode written `040000`). */
export function parseTree(
  content: Buffer,
): { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' }[] {
  const entries: { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' }[] = [];
  let at = 0;
  while (at < content.byteLength) {
    const space = content.indexOf(0x20, at);
    const nul = content.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > content.byteLength) throw corrupt('tree entry');
    let mode = content.toString('latin1', at, space);
    if (mode === '40000') mode = '040000';
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    entries.push({
      mode,
      path: content.toString('utf8', space + 1, nul),
      oid: content.toString('hex', nul + 1, nul + 21),
      type,
    });
    at = nul + 21;
  }
  // isomorphic-git lists a tree by name (not git's order, where a folder sorts as if its name ended in `/`).
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** The tree a commit object points at. */
export function commitTree(content: Buffer): string {
  const match = /^tree ([0-9a-f]{40})\n/.exec(content.toString('latin1', 0, 46));
  if (!match?.[1]) throw corrupt('commit without a tree');
  return match[1];
}
