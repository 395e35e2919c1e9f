// Runs archive jobs on a few worker threads (archive-worker.ts) with a bounded queue. Packing a 100 MB workspace or
// unpacking a 50 MB upload takes seconds of CPU; on the event loop that held every request and every peer's edits
// for as long (one upload stalled /healthz 8 s). Here the loop only moves buffers, which cross without copies. The
// same workers fold large documents into compaction snapshots, the other multi-second job such an upload causes.
//
// Workers start on first use and exit after a while without work, so an idle server keeps no archive memory.
import { availableParallelism } from 'node:os';
import { Worker, type MessagePort, type Transferable } from 'node:worker_threads';
import {
  AppError,
  errorCodes,
  type ArchiveEntry,
  type DownloadFormat,
  type ErrorCode,
  type StoredDoc,
  type StoredEdit,
  type StoredImport,
  ownsWholeBuffer,
  snapshotPieces,
} from '@tandem/core';
import type { DirectDocs, DirectStatements, PgStagedState, StagePlan } from '../sync/pg-storage.ts';

/** An archive's bytes, or the path of a file holding them (a spooled upload, read on the worker). */
export type ArchiveSource = Uint8Array | string;

/** A stored document as a job gets it: read already, or named for the worker to read over its `direct` link. */
export type JobDoc = StoredDoc | { docName: string };

/** The worker's own connection to the embedded database for one job, and the statements it runs there. */
export interface DirectLink {
  port: MessagePort;
  statements: DirectStatements;
}

export type ArchiveJob =
  | { op: 'unpack'; archive: ArchiveSource; stripRoot: boolean }
  | { op: 'pack'; files: { path: string; content: Uint8Array }[]; format: DownloadFormat; out: string }
  | { op: 'fold'; stored: StoredDoc; partBytes: number }
  | { op: 'export'; stored: JobDoc; format: DownloadFormat; direct: DirectLink | undefined; out: string }
  | {
      op: 'import';
      archive: ArchiveSource;
      stored: JobDoc;
      options: StoredImportOptions;
      direct: DirectLink | undefined;
      /** Where a state that replaces the document is staged over `direct` (see `stageState`), not sent back. */
      stage: StagePlan | undefined;
    };

export interface StoredImportOptions {
  stripRoot: boolean;
  folder: string | undefined;
  overwrite: boolean;
  /** See `StoredImportOptions` in core: an import heavier than the document comes back as its whole state. */
  statePartBytes: number;
}

export type ArchiveResult =
  | { op: 'unpack'; entries: ArchiveEntry[] }
  | { op: 'pack'; size: number }
  | { op: 'fold'; parts: Uint8Array[]; applyErrors: string[] }
  | { op: 'export'; size: number; skipped: string[]; applyErrors: string[] }
  | { op: 'import'; imported: ArchiveImport; applyErrors: string[] };

/** An import as the worker built it; its edit may be staged in the database already (see `ArchivePool.discard`). */
export type ArchiveImport = Omit<StoredImport, 'edit'> & { edit: StoredEdit };

export type ArchiveReply =
  | { id: number; ok: true; result: ArchiveResult }
  | {
      id: number;
      ok: false;
      error: { code: ErrorCode; message: string; details: Record<string, unknown> | undefined };
    };

export interface ArchivePoolOptions {
  /** Worker threads; default: one per core beyond the first, at most 2, so the event loop keeps a core. */
  workers?: number;
  /** Jobs that may wait for a worker; more are refused with RATE_LIMITED. */
  maxQueued?: number;
  /** A worker without work for this long exits (ms). */
  idleMs?: number;
  /**
   * The embedded database's stored documents, for workers to read and write themselves (see `DirectDocs`); without
   * it (PostgreSQL), stored documents come and go through the caller.
   */
  direct?: DirectDocs | null;
}

interface Pending {
  job: ArchiveJob;
  transfer: Transferable[];
  resolve: (reply: ArchiveResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: { id: number; pending: Pending } | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/** Seconds a refused caller is told to wait: about what one large job takes. */
const BUSY_RETRY_AFTER = 5;
/**
 * Enough heap for a 160 MiB document (the largest a room accepts) folded into a snapshot; a job past it ends that
 * worker, not the server.
 */
const WORKER_HEAP_MB = 1024;

function workerEntry(): URL {
  // Beside this module: src/archive/archive-worker.ts when run from source, dist/archive-worker.js when bundled.
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './archive-worker.ts' : './archive-worker.js', self);
}

function startWorker(): Worker {
  const entry = workerEntry();
  const options = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } };
  if (entry.pathname.endsWith('.js')) return new Worker(entry, options);
  // From source (tests, `pnpm dev`), workers do not inherit tsx's loader hooks: the worker registers them first.
  const source = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}

/**
 * The buffers that can move to a worker without a copy: those a view covers whole, or every one when the caller
 * says the views' buffers are theirs alone (`exclusive`, a database reply read for this job). Any other view into a
 * larger buffer (Node's pool) is copied instead, so nothing else loses its bytes; for a 100 MB document that copy
 * held the event loop for a few hundred milliseconds.
 */
function ownBuffers(views: readonly Uint8Array[], exclusive = false): ArrayBuffer[] {
  const owned = new Set<ArrayBuffer>();
  for (const view of views) {
    const buffer = view.buffer;
    if (buffer instanceof ArrayBuffer && (exclusive || ownsWholeBuffer(view))) owned.add(buffer);
  }
  return [...owned];
}

/** The archive as the job takes it, and the buffer to move: none for a file, or a copy of a view into a larger one. */
function movable(archive: ArchiveSource): [ArchiveSource, ArrayBuffer[]] {
  if (typeof archive === 'string') return [archive, []];
  // A view into a larger buffer (Node's pool, a parsed body) cannot be moved without taking the rest along.
  const own = ownsWholeBuffer(archive) ? archive : archive.slice();
  return [own, [own.buffer]];
}

function storedParts(stored: StoredDoc): ArrayBuffer[] {
  const parts = [...snapshotPieces(stored.snapshot), ...stored.updates];
  return ownBuffers(parts, stored.exclusive);
}

function toAppError(error: {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown> | undefined;
}) {
  const code = errorCodes.includes(error.code) ? error.code : 'INTERNAL';
  return new AppError(code, error.message, error.details ? { details: error.details } : {});
}

export class ArchivePool {
  readonly #size: number;
  readonly #maxQueued: number;
  readonly #idleMs: number;
  readonly #direct: DirectDocs | null;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: ArchivePoolOptions = {}) {
    this.#size = Math.max(1, options.workers ?? Math.min(2, availableParallelism() - 1));
    this.#maxQueued = options.maxQueued ?? 4;
    this.#idleMs = options.idleMs ?? 30_000;
    this.#direct = options.direct ?? null;
  }

  /** Whether workers read stored documents themselves (see `exportStored`). */
  get direct(): boolean {
    return this.#direct !== null;
  }

  /**
   * Extracts a zip, tar or tar.gz (with every check of `readArchive`); bytes are moved to the worker, a file is
   * read there.
   */
  async unpack(archive: ArchiveSource, stripRoot: boolean): Promise<ArchiveEntry[]> {
    const [own, transfer] = movable(archive);
    const result = await this.#run({ op: 'unpack', archive: own, stripRoot }, transfer);
    if (result.op !== 'unpack') throw new AppError('INTERNAL', 'archive worker answered the wrong job');
    return result.entries;
  }

  /**
   * Packs files into a zip or tar.gz written to the new file `out` (see `exportStored`), and answers its size; each
   * content's buffer is moved to the worker (give each its own).
   */
  async pack(
    files: { path: string; content: Uint8Array }[],
    format: DownloadFormat,
    out: string,
  ): Promise<number> {
    const transfer = ownBuffers(files.map((file) => file.content));
    const result = await this.#run({ op: 'pack', files, format, out }, transfer);
    if (result.op !== 'pack') throw new AppError('INTERNAL', 'archive worker answered the wrong job');
    return result.size;
  }

  /**
   * Builds a compaction snapshot (see `FoldStoredDoc`) in parts of at most `partBytes`, each with a buffer of its
   * own, so they can move on to the database thread without a copy here; never refused for a full queue, since
   * compactions are few and retried only much later.
   */
  async fold(
    stored: StoredDoc,
    onApplyError: (error: unknown) => void,
    partBytes: number,
  ): Promise<Uint8Array[]> {
    const result = await this.#run({ op: 'fold', stored, partBytes }, storedParts(stored), false);
    if (result.op !== 'fold') throw new AppError('INTERNAL', 'archive worker answered the wrong job');
    for (const message of result.applyErrors) onApplyError(new Error(message));
    return result.parts;
  }

  /**
   * Packs every file of a stored document (see `exportStoredDoc`) without loading it on this thread, where a
   * 100 MB document took seconds of the event loop. Given as read, its buffers are moved to the worker; given by name
   * (with `direct` only), the worker reads it from the database itself and its bytes never reach this thread. The
   * caller makes sure nobody has it open here. The archive is written to the new file `out`, for the event loop to
   * send from there (see http/send-file.ts): arriving here as one buffer, it set off collections that held
   * everyone's edits. A job that fails leaves no file.
   */
  async exportStored(
    stored: StoredDoc | string,
    format: DownloadFormat,
    out: string,
    onApplyError: (error: unknown) => void,
  ): Promise<{ size: number; skipped: string[] }> {
    const result = await this.#withDirect(stored, false, (doc, direct, transfer) =>
      this.#run({ op: 'export', stored: doc, format, direct, out }, transfer),
    );
    if (result.op !== 'export') throw new AppError('INTERNAL', 'archive worker answered the wrong job');
    for (const message of result.applyErrors) onApplyError(new Error(message));
    return { size: result.size, skipped: result.skipped };
  }

  /**
   * Extracts an archive and imports its files into a stored document (see `importIntoStoredDoc`), all on a worker:
   * only the edit comes back to store (see `StoredEdit`), not the thousands of extracted files, whose arrival held
   * the event loop for tens of milliseconds. The document is given as for `exportStored`; the archive is a file, so
   * that it can be unpacked again should the workspace have been opened meanwhile. With `direct`, a state that
   * replaces the document is staged in the database by the worker (see `stageState`): `discard` the edit unless it
   * is stored.
   */
  async importStored(
    archive: string,
    docName: string,
    stored: StoredDoc | null,
    options: StoredImportOptions,
    onApplyError: (error: unknown) => void,
  ): Promise<ArchiveImport> {
    const docs = this.#direct;
    const stage = docs ? await docs.stagePlan(docName) : undefined;
    let result: ArchiveResult;
    try {
      result = await this.#withDirect(stored ?? docName, stage !== undefined, (doc, direct, transfer) =>
        this.#run({ op: 'import', archive, stored: doc, options, direct, stage }, transfer),
      );
    } catch (error) {
      if (stage) await docs?.dropStaged(stage);
      throw error;
    }
    if (result.op !== 'import') throw new AppError('INTERNAL', 'archive worker answered the wrong job');
    for (const message of result.applyErrors) onApplyError(new Error(message));
    return result.imported;
  }

  /**
   * Runs a job with what it moves to the worker: the document's buffers, or (by name) a connection of the worker's
   * own to the database that reads it there, once what the write-ahead log holds of it is stored; a connection also
   * when the job writes there (`write`).
   */
  async #withDirect(
    stored: StoredDoc | string,
    write: boolean,
    run: (doc: JobDoc, direct: DirectLink | undefined, transfer: Transferable[]) => Promise<ArchiveResult>,
  ): Promise<ArchiveResult> {
    const docs = this.#direct;
    const doc = typeof stored === 'string' ? { docName: stored } : stored;
    const read = 'docName' in doc;
    const transfer = read ? [] : storedParts(doc);
    if (!read && !write) return run(doc, undefined, transfer);
    if (docs === null) throw new AppError('INTERNAL', 'archive workers have no database of their own');
    if (read) await docs.settled(doc.docName);
    const [port, statements] = await Promise.all([docs.attach(), docs.statements()]);
    try {
      return await run(doc, { port, statements }, [...transfer, port]);
    } finally {
      // Moved to the worker, which closes it; this closes one that never reached a worker (a full queue).
      port.close();
    }
  }

  /** Drops what an import staged in the database (see `importStored`) and is not going to be stored. */
  async discard(edit: StoredEdit): Promise<void> {
    if ('staged' in edit) await this.#direct?.dropStaged(edit.staged as PgStagedState);
  }

  /** Jobs running or waiting. */
  get load(): number {
    return this.#queue.length + this.#slots.filter((slot) => slot.busy).length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new AppError('INTERNAL', 'the server is shutting down');
    for (const pending of this.#queue.splice(0)) pending.reject(stopped);
    await Promise.all(this.#slots.splice(0).map((slot) => this.#stop(slot, stopped)));
  }

  #run(job: ArchiveJob, transfer: Transferable[], bounded = true): Promise<ArchiveResult> {
    if (this.#closed) return Promise.reject(new AppError('INTERNAL', 'the server is shutting down'));
    const idle = this.#slots.find((slot) => !slot.busy);
    if (bounded && !idle && this.#slots.length >= this.#size && this.#queue.length >= this.#maxQueued) {
      return Promise.reject(
        new AppError(
          'RATE_LIMITED',
          `The server is busy with other archives. Try again in ${BUSY_RETRY_AFTER} s.`,
          { retryAfter: BUSY_RETRY_AFTER, details: { reason: 'archive-jobs' } },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, transfer, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((candidate) => !candidate.busy);
      if (!slot && this.#slots.length < this.#size) slot = this.#spawn();
      if (!slot) return;
      const pending = this.#queue.shift();
      if (!pending) return;
      const id = this.#nextId++;
      clearTimeout(slot.idleTimer);
      slot.busy = { id, pending };
      try {
        slot.worker.postMessage({ id, job: pending.job }, pending.transfer);
      } catch (error) {
        slot.busy = undefined;
        pending.reject(new AppError('INTERNAL', 'could not hand the archive to a worker', { cause: error }));
      }
    }
  }

  #spawn(): Slot {
    const slot: Slot = { worker: startWorker(), busy: undefined, idleTimer: undefined };
    // Never what keeps the process alive: shutdown does not wait for an idle worker.
    slot.worker.unref();
    slot.worker.on('message', (reply: ArchiveReply) => {
      const busy = slot.busy;
      if (busy?.id !== reply.id) return;
      slot.busy = undefined;
      if (reply.ok) busy.pending.resolve(reply.result);
      else busy.pending.reject(toAppError(reply.error));
      this.#idle(slot);
      this.#dispatch();
    });
    const lost = (error: Error) => {
      const index = this.#slots.indexOf(slot);
      if (index === -1) return;
      this.#slots.splice(index, 1);
      clearTimeout(slot.idleTimer);
      // Out of heap or a bug in the worker: that job fails, the next one gets a fresh worker.
      slot.busy?.pending.reject(new AppError('INTERNAL', 'the archive worker stopped', { cause: error }));
      slot.busy = undefined;
      this.#dispatch();
    };
    slot.worker.on('error', lost);
    slot.worker.on('exit', (code) => lost(new Error(`archive worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }

  #idle(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.busy || !this.#slots.includes(slot)) return;
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      void slot.worker.terminate();
    }, this.#idleMs);
    slot.idleTimer.unref();
  }

  async #stop(slot: Slot, reason: Error): Promise<void> {
    clearTimeout(slot.idleTimer);
    slot.busy?.pending.reject(reason);
    slot.busy = undefined;
    await slot.worker.terminate();
  }
}
