// The embedded database on its own thread. PGlite runs PostgreSQL as WebAssembly on whichever thread calls it: on
// the server's event loop, each statement held every socket until it finished (storing a second's edits took
// 5–20 ms, a 10 MB document some 150 ms, and the sync bench's tail latencies showed it). Here PostgreSQL runs on a
// worker thread, and this thread only sends statements and reads replies.
//
// `PgliteThread` offers the part of PGlite's API that Drizzle's PGlite driver and the prepared statements use:
// query, exec, transaction (one at a time, with everything else waiting, as in PGlite) and the raw wire protocol.
import { once } from 'node:events';
import type * as WorkerThreads from 'node:worker_threads';
import { MessageChannel, Worker, type MessagePort, type Transferable } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { ownsWholeBuffer } from '@tandem/core';

interface QueryOptions {
  rowMode?: 'array' | 'object';
  /**
   * Only the keys cross to the worker: the column types to hand over as PostgreSQL's text. (Drizzle's PGlite driver
   * passes identity parsers for dates, times and intervals, and no others.)
   */
  parsers?: Record<number, unknown>;
}

/** PGlite's result, as it gives it. */
export interface QueryResult {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
  rowCount?: number;
  command?: string;
}

export interface Queryable {
  query(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult>;
  exec(sql: string): Promise<QueryResult[]>;
}

type Request =
  | {
      op: 'query';
      tx: number | null;
      sql: string;
      params: unknown[];
      rowMode: 'array' | 'object';
      text: number[];
    }
  | { op: 'exec'; tx: number | null; sql: string }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'raw'; message: Uint8Array | Uint8Array[] }
  | { op: 'dump' }
  /** Serves `raw` requests, and no others, on the given port (see `PgliteThread.attach`). */
  | { op: 'attach'; port: WorkerThreads.MessagePort }
  | { op: 'close' };

type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { message: string; fields: Record<string, unknown> } };

/** What the worker runs. It is sent as source, so it uses nothing but its arguments. */
function serve(threads: typeof WorkerThreads, Pglite: typeof PGlite): void {
  const port = threads.parentPort;
  const { dir, conf } = threads.workerData as { dir: string | undefined; conf: string[] };
  if (!port) return;
  const db = new Pglite(dir, { postgresqlconf: conf });
  type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0];
  const transactions = new Map<number, { tx: Tx; end: (commit: boolean) => void; done: Promise<unknown> }>();
  /** Thrown into PGlite's transaction to roll it back; the caller already has its own error. */
  const rollback = new Error('rolled back');

  type Port = Pick<WorkerThreads.MessagePort, 'postMessage'>;
  const reply = (to: Port, id: number, value: unknown, transfer: ArrayBuffer[] = []) => {
    to.postMessage({ id, ok: true, value }, transfer);
  };
  const fail = (to: Port, id: number, error: unknown) => {
    const fields: Record<string, unknown> = {};
    const e = error as Record<string, unknown>;
    if (typeof error === 'object' && error !== null) {
      for (const key of Object.keys(e)) {
        const value = e[key];
        if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
      }
    }
    const message = error instanceof Error ? error.message : String(error);
    to.postMessage({ id, ok: false, error: { message, fields } });
  };
  const session = (tx: number | null) => {
    if (tx === null) return db;
    const open = transactions.get(tx);
    if (!open) throw new Error('the transaction has ended');
    return open.tx;
  };
  const identity = (value: unknown) => value;
  /**
   * A reply as whole protocol messages (type byte, then a length that counts itself), each byte copied once out of
   * PGlite's memory, which hands it over in chunks of about 4 MB that split messages anywhere: a large message (a
   * document part) in a buffer of its own, small ones packed together, in order. Copying the chunks and then joining
   * them touched twice the reply in new memory (about 50 ms more for a 100 MB document).
   */
  const messageReader = () => {
    const LARGE = 64 * 1024;
    const buffers: Uint8Array[] = [];
    let pack = new Uint8Array(0);
    let packed = 0;
    const endPack = () => {
      if (packed > 0) buffers.push(pack.subarray(0, packed));
      pack = new Uint8Array(0);
      packed = 0;
    };
    const header = new Uint8Array(5);
    let headerBytes = 0;
    /** The message being filled, and how much of it is. */
    let target: Uint8Array | null = null;
    let filled = 0;
    return {
      add(chunk: Uint8Array) {
        for (let at = 0; at < chunk.byteLength;) {
          if (target === null) {
            const n = Math.min(5 - headerBytes, chunk.byteLength - at);
            header.set(chunk.subarray(at, at + n), headerBytes);
            headerBytes += n;
            at += n;
            if (headerBytes < 5) return;
            headerBytes = 0;
            const size = 1 + new DataView(header.buffer).getUint32(1);
            if (size >= LARGE) {
              endPack();
              target = new Uint8Array(size);
              buffers.push(target);
            } else {
              if (packed + size > pack.byteLength) {
                endPack();
                pack = new Uint8Array(LARGE);
              }
              target = pack.subarray(packed, packed + size);
              packed += size;
            }
            target.set(header);
            filled = 5;
          }
          const n = Math.min(target.byteLength - filled, chunk.byteLength - at);
          target.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === target.byteLength) target = null;
        }
      },
      finish(): Uint8Array[] {
        if (target !== null || headerBytes > 0) throw new Error('the reply ended inside a message');
        endPack();
        return buffers;
      },
    };
  };
  /** The ports other threads were given (see `PgliteThread.attach`), closed with the database. */
  const ports = new Set<WorkerThreads.MessagePort>();

  const handle = async (to: Port, id: number, request: Request): Promise<void> => {
    switch (request.op) {
      case 'query': {
        const parsers = Object.fromEntries(request.text.map((oid) => [oid, identity]));
        const result = await session(request.tx).query(request.sql, request.params, {
          rowMode: request.rowMode,
          parsers,
        });
        reply(to, id, result);
        return;
      }
      case 'exec': {
        reply(to, id, await session(request.tx).exec(request.sql));
        return;
      }
      case 'begin': {
        let begun = false;
        const done = db.transaction(
          (tx) =>
            new Promise((resolve, reject) => {
              begun = true;
              transactions.set(id, {
                tx,
                end: (commit) => (commit ? resolve(undefined) : reject(rollback)),
                done,
              });
              reply(to, id, id);
            }),
        );
        done.catch((error: unknown) => {
          if (!begun) fail(to, id, error);
        });
        return;
      }
      case 'end': {
        const open = transactions.get(request.tx);
        if (!open) throw new Error('the transaction has ended');
        transactions.delete(request.tx);
        open.end(request.commit);
        try {
          await open.done;
        } catch (error) {
          if (error !== rollback) throw error;
        }
        reply(to, id, null);
        return;
      }
      case 'raw': {
        // Parts are joined here rather than on the server's event loop (see `movable` in prepared.ts).
        const message = Array.isArray(request.message) ? Buffer.concat(request.message) : request.message;
        const messages = messageReader();
        await db._runExclusiveTransaction(() =>
          db._runExclusiveQuery(() =>
            db.execProtocolRawStream(message, {
              // The files are written through as the statement runs; the sync step does work only in browsers.
              syncToFs: false,
              // A view of PGlite's memory, reused once this returns.
              onRawData: (chunk) => messages.add(chunk),
            }),
          ),
        );
        const out = messages.finish();
        reply(to, id, out, [...new Set(out.map((buffer) => buffer.buffer as ArrayBuffer))]);
        return;
      }
      case 'dump': {
        // A checkpoint first, so that a restore replays little WAL. Then the files as they are between statements,
        // with no transaction open (both locks held): a crash-consistent copy, which PostgreSQL's recovery turns into
        // exactly the committed state.
        await db.exec('CHECKPOINT');
        const tar = await db._runExclusiveTransaction(() => db.dumpDataDir('none'));
        const bytes = new Uint8Array(await tar.arrayBuffer());
        reply(to, id, bytes, [bytes.buffer]);
        return;
      }
      case 'attach': {
        if (to !== port) throw new Error('only the server attaches ports');
        const attached = request.port;
        ports.add(attached);
        attached.on('close', () => ports.delete(attached));
        attached.on('message', ({ id: call, request: next }: { id: number; request: Request }) => {
          // Statements only: a thread that died inside a transaction would leave everything else waiting.
          if (next.op !== 'raw')
            fail(attached, call, new Error(`${next.op} is not allowed on an attached port`));
          else handle(attached, call, next).catch((error: unknown) => fail(attached, call, error));
        });
        reply(to, id, null);
        return;
      }
      case 'close': {
        await db.close();
        reply(to, id, null);
        for (const attached of ports) attached.close();
        port.close();
        return;
      }
    }
  };

  port.on('message', ({ id, request }: { id: number; request: Request }) => {
    handle(port, id, request).catch((error: unknown) => fail(port, id, error));
  });
  db.waitReady.then(
    () => port.postMessage({ ready: true }),
    (error: unknown) => port.postMessage({ ready: false, message: String(error) }),
  );
}

/** An error PGlite raised, with its fields (`code`, `detail`, `constraint`, …) as PGlite's own error carries them. */
export class EmbeddedDatabaseError extends Error {
  constructor(message: string, fields: Record<string, unknown>) {
    super(message);
    Object.assign(this, fields);
    this.name = 'DatabaseError';
  }
}

/** Requests to the database thread and their replies, over its worker or over a port attached to it. */
abstract class Link {
  readonly #target: Pick<MessagePort, 'postMessage'>;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #nextId = 1;
  #stopped: Error | null = null;

  constructor(target: Worker | MessagePort) {
    this.#target = target;
    target.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new EmbeddedDatabaseError(reply.error.message, reply.error.fields));
    });
  }

  protected get stopped(): boolean {
    return this.#stopped !== null;
  }

  /** Every call from now on fails with `error`, and so do those waiting for a reply. */
  protected stop(error: Error): void {
    this.#stopped ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#stopped);
    this.#pending.clear();
  }

  protected call<T>(request: Request, transfer: Transferable[] = []): Promise<T> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      try {
        // Throws (DataCloneError) for a parameter that cannot cross threads, such as a function.
        this.#target.postMessage({ id, request }, transfer);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /**
   * Sends wire-protocol messages (ending in Sync), whole or in parts the database thread joins, and resolves with
   * every reply message, in order, in buffers that each hold whole messages, outside any transaction. A message that
   * owns its whole buffer is moved to that thread rather than copied, and so are the parts' buffers listed in
   * `transfer`.
   */
  raw(message: Uint8Array | readonly Uint8Array[], transfer: ArrayBuffer[] = []): Promise<Uint8Array[]> {
    if (message instanceof Uint8Array) {
      if (ownsWholeBuffer(message)) transfer = [...transfer, message.buffer];
      return this.call({ op: 'raw', message }, transfer);
    }
    return this.call({ op: 'raw', message: Array.from(message) }, transfer);
  }
}

/**
 * Another thread's own connection to the embedded database (see `PgliteThread.attach`): statements only, so that a
 * worker reads and writes a large document without its bytes crossing the server's event loop.
 */
export class AttachedDatabase extends Link {
  constructor(port: MessagePort) {
    super(port);
    port.on('close', () => this.stop(new Error('the embedded database closed this connection')));
  }
}

export class PgliteThread extends Link implements Queryable {
  readonly #worker: Worker;
  #closing = false;
  /**
   * Settles with the reason if the thread stops without close() (an uncaught error in it, or its heap's limit): the
   * database is gone for this process then, and every call fails.
   */
  readonly lost: Promise<Error>;

  private constructor(worker: Worker) {
    super(worker);
    this.#worker = worker;
    let lose: (error: Error) => void = () => undefined;
    this.lost = new Promise((resolve) => (lose = resolve));
    const stop = (error: Error) => {
      if (!this.stopped && !this.#closing) lose(error);
      this.stop(error);
    };
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`the embedded database stopped (exit code ${code})`)));
  }

  /** Opens PGlite on a new worker thread: `dir` undefined keeps the database in memory. */
  static async open(entry: string, dir: string | undefined, conf: readonly string[]): Promise<PgliteThread> {
    const worker = new Worker(
      // tsx and esbuild's keepNames wrap functions in a __name() helper the source then refers to.
      `const threads = require('node:worker_threads');
       const __name = (fn) => fn;
       (${serve.toString()})(threads, require(threads.workerData.entry).PGlite);`,
      { eval: true, workerData: { entry, dir, conf } },
    );
    const failed = once(worker, 'exit').then(([code]) => {
      throw new Error(`the embedded database could not start (exit code ${String(code)})`);
    });
    const ready = once(worker, 'message').then(([message]) => {
      const { ready, message: reason } = message as { ready: boolean; message?: string };
      if (!ready) throw new Error(`the embedded database could not start: ${reason ?? 'unknown error'}`);
    });
    try {
      await Promise.race([ready, failed]);
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    failed.catch(() => undefined);
    return new PgliteThread(worker);
  }

  /**
   * A port another thread opens an `AttachedDatabase` on: its statements go straight to the database thread, and
   * their replies straight back. It closes with the database, or when that thread closes it.
   */
  async attach(): Promise<MessagePort> {
    const { port1, port2 } = new MessageChannel();
    await this.call({ op: 'attach', port: port1 }, [port1]);
    return port2;
  }

  #query(
    tx: number | null,
    sql: string,
    params: unknown[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult> {
    const text = Object.keys(options.parsers ?? {}).map(Number);
    return this.call({ op: 'query', tx, sql, params, rowMode: options.rowMode ?? 'object', text });
  }

  query(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult> {
    return this.#query(null, sql, params, options);
  }

  exec(sql: string): Promise<QueryResult[]> {
    return this.call({ op: 'exec', tx: null, sql });
  }

  /**
   * Runs `fn` in a transaction that commits when it resolves and rolls back when it throws; every other statement
   * waits until then.
   */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const id = await this.call<number>({ op: 'begin' });
    let closed = false;
    const live = () => {
      if (closed) throw new Error('Transaction is closed');
    };
    const tx: Queryable = {
      query: (sql, params, options) => {
        live();
        return this.#query(id, sql, params, options);
      },
      exec: (sql) => {
        live();
        return this.call({ op: 'exec', tx: id, sql });
      },
    };
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      closed = true;
      await this.call({ op: 'end', tx: id, commit: false }).catch(() => undefined);
      throw error;
    }
    closed = true;
    await this.call({ op: 'end', tx: id, commit: true });
    return result;
  }

  /**
   * The database's files as an uncompressed tar (PGlite's `dumpDataDir`), taken between statements with no
   * transaction open; `PGlite.create({ loadDataDir })` opens it again. Every other statement waits meanwhile.
   */
  dump(): Promise<Uint8Array> {
    return this.call({ op: 'dump' });
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.#closing = true;
    await this.call({ op: 'close' });
    await once(this.#worker, 'exit');
  }
}
