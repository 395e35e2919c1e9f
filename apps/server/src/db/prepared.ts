// Prepared statements for hot paths, straight through the driver: parsed and planned once, then each run sends only
// its parameters, bytes go both ways in binary format, and no result is decoded into JavaScript values beyond the
// raw bytes of each column. Through Drizzle and PGlite's query(), a document append at 50 a second took about 2.4 ms
// each (parse, plan and describe every time, results decoded in JavaScript); this way, about 1 ms. A 10 MB document
// written or read this way costs a fraction of the base64 text it would otherwise travel as.
import { ownsWholeBuffer } from '@tandem/core';
import type { CustomTypesConfig, Pool, QueryArrayConfig } from 'pg';
import type { PgliteThread } from './pglite-thread.ts';

/** A string parameter travels as text; bytes travel as binary (a `bytea` parameter then needs no encoding). */
export type Param = string | Uint8Array;

/** One result row: each column in PostgreSQL's binary format (see `int8Of`), null for SQL NULL. */
export type Row = readonly (Uint8Array | null)[];

/** Runs the statement and resolves with its rows once it has committed; rejects with the database's error. */
export type PreparedStatement = (params: readonly Param[]) => Promise<Row[]>;

export class StatementError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'StatementError';
    this.code = code;
  }
}

/** A `text` column in binary format: its UTF-8 bytes. */
export function textOf(column: Uint8Array | null | undefined): string {
  return column ? Buffer.from(column.buffer, column.byteOffset, column.byteLength).toString('utf8') : '';
}

/** A `bigint` (or `int8`) column in binary format: eight bytes, big-endian. */
export function int8Of(column: Uint8Array | null | undefined): number {
  if (!column || column.byteLength !== 8) throw new Error('expected an int8 column in binary format');
  return Number(new DataView(column.buffer, column.byteOffset, 8).getBigInt64(0));
}

export function preparePostgres(pool: Pool, name: string, text: string): PreparedStatement {
  // node-postgres parses a named statement once per connection and reuses it after that. It sends a Buffer
  // parameter in binary format, but reads every result column as text: those are turned into the binary format here.
  return async (params) => {
    const values = params.map((p) =>
      typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength),
    );
    const query: QueryArrayConfig = { name, text, values, rowMode: 'array', types: textColumns };
    const result = await pool.query<(string | null)[]>(query);
    const types = result.fields.map((field) => field.dataTypeID);
    return result.rows.map((row) =>
      row.map((value, i) => (value === null ? null : binaryOf(types[i], value))),
    );
  };
}

// node-postgres hands every column over as the text PostgreSQL sent.
const textColumns = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;

/** A column's text form in the binary format PGlite returns it in, for the types hot statements use. */
function binaryOf(typeOid: number | undefined, text: string): Uint8Array {
  switch (typeOid) {
    case 16: // bool
      return Uint8Array.of(text === 't' ? 1 : 0);
    case 17: // bytea, in the hex output format
      return Buffer.from(text.slice(2), 'hex');
    case 25: // text
      return Buffer.from(text, 'utf8');
    case 20: {
      // int8
      const bytes = Buffer.allocUnsafe(8);
      bytes.writeBigInt64BE(BigInt(text));
      return bytes;
    }
    default:
      throw new Error(`prepared statements do not read columns of type ${String(typeOid)}`);
  }
}

/**
 * PGlite speaks the PostgreSQL wire protocol: the statement is parsed once, and each run sends Bind, Execute and
 * Sync built here in one buffer (PGlite's own serializer copies a large parameter several times over while growing
 * its buffer). The worker runs it outside any open transaction, as query() would.
 */
export async function preparePglite(
  client: PgliteThread,
  name: string,
  text: string,
): Promise<PreparedStatement> {
  rowsOf(await client.raw(Buffer.concat([parseMessage(name, text), syncMessage])));
  return (params) => runPrepared(client, name, params);
}

/**
 * Runs a statement prepared on PGlite by name (see `preparePglite`), over any connection to its thread: an attached
 * one runs what the server prepared.
 */
export async function runPrepared(
  client: Pick<PgliteThread, 'raw'>,
  name: string,
  params: readonly Param[],
): Promise<Row[]> {
  const { parts, transfer } = bindExecuteSync(name, params);
  return rowsOf(await client.raw(parts.length === 1 && parts[0] ? parts[0] : parts, transfer));
}

const syncMessage = Buffer.from([0x53, 0, 0, 0, 4]);
// Execute the unnamed portal with no row limit.
const executeMessage = Buffer.from([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0]);

/** Parse: statement name, query text, no parameter types given (the query casts its own). */
function parseMessage(name: string, text: string): Buffer {
  const body = Buffer.concat([cstring(name), cstring(text), Buffer.from([0, 0])]);
  return Buffer.concat([header(0x50, body.byteLength), body]);
}

/**
 * Bytes a statement may move to the database thread instead of copying them (see `movable`): the caller never
 * reads them again.
 */
const movableBytes = new WeakSet<Uint8Array>();

/**
 * Marks a parameter the statement may take: on PGlite a buffer it covers whole then moves to the database thread,
 * where the message is put together, instead of being copied into the message here. Copying a 100 MB compaction
 * snapshot held the event loop for a few hundred milliseconds. Afterwards `bytes` is empty (its buffer moved).
 */
export function movable<T extends Uint8Array>(bytes: T): T {
  movableBytes.add(bytes);
  return bytes;
}

/** A parameter moved rather than copied: one that is marked, owns its whole buffer and is worth a message part. */
function moves(value: Uint8Array): value is Uint8Array & { buffer: ArrayBuffer } {
  return movableBytes.has(value) && ownsWholeBuffer(value) && value.byteLength >= MOVE_AT_LEAST;
}

/** Below this, a copy costs less than one more part to hand over. */
const MOVE_AT_LEAST = 64 * 1024;

/**
 * Bind (every parameter as text or binary, every result column binary), Execute and Sync: the message in parts,
 * with each moved parameter (see `movable`) a part of its own between copies of the rest.
 */
function bindExecuteSync(
  statement: string,
  params: readonly Param[],
): { parts: Uint8Array[]; transfer: ArrayBuffer[] } {
  const name = cstring(statement);
  const values = params.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  const bodyLength =
    1 + name.byteLength + 2 + 2 * values.length + 2 + values.reduce((n, v) => n + 4 + v.byteLength, 0) + 4;
  const moved = values.filter(moves);
  const copied = 5 + bodyLength + executeMessage.byteLength + syncMessage.byteLength;
  const message = Buffer.allocUnsafe(copied - moved.reduce((n, v) => n + v.byteLength, 0));
  const parts: Uint8Array[] = [];
  let from = 0;
  let at = message.writeUInt8(0x42, 0);
  at = message.writeInt32BE(4 + bodyLength, at);
  at = message.writeUInt8(0, at); // the unnamed portal
  at += name.copy(message, at);
  at = message.writeInt16BE(values.length, at);
  for (const p of params) at = message.writeInt16BE(typeof p === 'string' ? 0 : 1, at);
  at = message.writeInt16BE(values.length, at);
  for (const value of values) {
    at = message.writeInt32BE(value.byteLength, at);
    if ((moved as Uint8Array[]).includes(value)) {
      parts.push(message.subarray(from, at), value);
      from = at;
    } else {
      message.set(value, at);
      at += value.byteLength;
    }
  }
  at = message.writeInt16BE(1, at);
  at = message.writeInt16BE(1, at);
  at += executeMessage.copy(message, at);
  syncMessage.copy(message, at);
  parts.push(message.subarray(from));
  return { parts, transfer: moved.map((value) => value.buffer) };
}

function header(type: number, bodyLength: number): Buffer {
  const bytes = Buffer.allocUnsafe(5);
  bytes.writeUInt8(type, 0);
  bytes.writeInt32BE(4 + bodyLength, 1);
  return bytes;
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

/**
 * Walks the backend messages (type byte, int32 length including itself), whole in each buffer of the reply: collects
 * DataRow columns as views of the reply, and throws on an ErrorResponse.
 */
function rowsOf(reply: readonly Uint8Array[]): Row[] {
  const rows: Row[] = [];
  for (const buffer of reply) rowsIn(buffer, rows);
  return rows;
}

function rowsIn(reply: Uint8Array, rows: Row[]): void {
  const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let at = 0; at + 5 <= reply.byteLength;) {
    const type = reply[at];
    const length = view.getUint32(at + 1);
    if (type === 0x45 /* 'E' */) {
      const fields = errorFields(reply.subarray(at + 5, at + 1 + length));
      throw new StatementError(fields.get('M') ?? 'database error', fields.get('C'));
    }
    if (type === 0x44 /* 'D' */) {
      const columns: (Uint8Array | null)[] = [];
      let field = at + 7;
      for (let count = view.getInt16(at + 5); count > 0; count--) {
        const size = view.getInt32(field);
        field += 4;
        if (size < 0) {
          columns.push(null);
        } else {
          columns.push(reply.subarray(field, field + size));
          field += size;
        }
      }
      rows.push(columns);
    }
    at += 1 + length;
  }
}

/** An ErrorResponse body: (field type byte, NUL-terminated string)*, then NUL. */
function errorFields(body: Uint8Array): Map<string, string> {
  const fields = new Map<string, string>();
  const text = new TextDecoder();
  for (let at = 0; at < body.byteLength && body[at] !== 0;) {
    const type = String.fromCharCode(body[at] ?? 0);
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields.set(type, text.decode(body.subarray(at + 1, end)));
    at = end + 1;
  }
  return fields;
}
