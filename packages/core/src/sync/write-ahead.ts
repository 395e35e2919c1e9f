// Write-ahead storage: an update is durable once it is in an append-only log on local disk, which takes a few
// microseconds, and it goes on into the document storage once the edits pause (within a second), off the path to the
// other peers. For an embedded database whose every statement costs far more than a file append (PGlite: 0.5-0.7 ms
// an insert), this is what keeps persist-before-broadcast from adding that to every edit's latency. Whatever the log
// still holds when the process starts again is replayed into the storage before the first document is served
// (`replayLog`).
//
// For one process only: another instance loading a document from the database would not see what is only in this
// one's log, so scaled-out servers write to the database directly.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { AppError } from '../errors.ts';
import { realSchedule, type Schedule } from '../events/output-coalescer.ts';
import type { DocStorage, StagedState, StoredDoc } from './types.ts';

/** The file under a WriteAheadStorage, as records: framing and checksums are the log's business. */
export interface AppendLog {
  /** Bytes in the log now. */
  readonly size: number;
  /**
   * Appends one record, given as parts to write one after the other (a large update is not copied into a new
   * buffer first), and returns once it would survive the process being killed; throws if it cannot.
   */
  append(record: readonly Uint8Array[]): void;
  /** Empties the log: everything appended so far is in the storage. */
  clear(): void;
}

export interface WriteAheadOptions {
  /**
   * Past this many bytes in the log, appends go to the storage directly and resolve once it has them, until the
   * log has drained and is emptied: a storage that falls behind slows writers down instead of growing the log.
   */
  maxLogBytes?: number;
  /**
   * Appends of this many bytes or more (an archive upload's slices, a large paste) go to the storage directly: they
   * are bulk writes, not typing, and in the log they filled it past `maxLogBytes` within a second, after which
   * every other workspace's keystrokes waited behind them for the storage. Default 64 KiB: well under an import
   * slice (`SliceOptions.sliceBytes`), so no slice of a large upload lands in the log.
   */
  directAppendBytes?: number;
  /**
   * How long the log must have been quiet before logged updates go on to the storage, and the longest any waits.
   * Nobody waits for that write, so it goes after the traffic: a burst (a folder upload) is stored once it is over,
   * in a few large transactions, rather than between its messages; steady typing is stored in batches.
   */
  storeQuietMs?: number;
  storeMaxDelayMs?: number;
  /**
   * A storage write that failed (it is tried again after `retryMs`, doubling up to `maxRetryMs`), or the log that
   * could not be emptied (`docName` null).
   */
  onError?: (error: unknown, docName: string | null) => void;
  retryMs?: number;
  maxRetryMs?: number;
  schedule?: Schedule;
}

/** Updates from this size on are parts of their own in a record rather than copied into it. */
const COPIED_UPDATE_BYTES = 64 * 1024;

/**
 * One logged append, the document's name and its updates in lib0 encoding, as the parts that make up the record:
 * small updates are copied in, large ones are parts of their own.
 */
export function encodeLogRecord(docName: string, updates: readonly Uint8Array[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, docName);
  encoding.writeVarUint(encoder, updates.length);
  for (const update of updates) {
    if (update.byteLength < COPIED_UPDATE_BYTES) {
      encoding.writeVarUint8Array(encoder, update);
      continue;
    }
    encoding.writeVarUint(encoder, update.byteLength);
    parts.push(encoding.toUint8Array(encoder), update);
    encoder = encoding.createEncoder();
  }
  if (encoding.length(encoder) > 0) parts.push(encoding.toUint8Array(encoder));
  return parts;
}

export function decodeLogRecord(record: Uint8Array): { docName: string; updates: Uint8Array[] } {
  try {
    const decoder = decoding.createDecoder(record);
    const docName = decoding.readVarString(decoder);
    const updates: Uint8Array[] = [];
    for (let count = decoding.readVarUint(decoder); count > 0; count--) {
      updates.push(decoding.readVarUint8Array(decoder));
    }
    if (decoding.hasContent(decoder)) throw new Error('trailing bytes');
    return { docName, updates };
  } catch (error) {
    throw new AppError('PARSE_ERROR', 'malformed update log record', { cause: error });
  }
}

/**
 * Appends every logged update to `storage`, in log order per document (storage that batches, like the database's,
 * gets them all at once). A record that does not decode is reported through `skipped` and left out; the caller
 * keeps the log's bytes then. Replaying a record the storage already holds is harmless: a Yjs update applied twice
 * changes nothing, and the next compaction folds the copy away.
 */
export async function replayLog(
  storage: DocStorage,
  records: Iterable<Uint8Array>,
  skipped: (error: unknown) => void,
): Promise<number> {
  const appends: Promise<void>[] = [];
  for (const record of records) {
    let decoded: { docName: string; updates: Uint8Array[] };
    try {
      decoded = decodeLogRecord(record);
    } catch (error) {
      skipped(error);
      continue;
    }
    appends.push(storage.append(decoded.docName, decoded.updates));
  }
  await Promise.all(appends);
  return appends.length;
}

export class WriteAheadStorage implements DocStorage {
  readonly #storage: DocStorage;
  readonly #log: AppendLog;
  readonly #maxLogBytes: number;
  readonly #directAppendBytes: number;
  readonly #onError: (error: unknown, docName: string | null) => void;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #schedule: Schedule;
  readonly #storeQuietMs: number;
  readonly #storeMaxDelayMs: number;
  /** Starts the storage write of each logged append that is waiting for the log to be quiet, in log order. */
  #waiting: (() => void)[] = [];
  #cancelQuiet: (() => void) | null = null;
  #cancelMaxDelay: (() => void) | null = null;
  /** Logged appends not yet in the storage, per document. */
  readonly #pending = new Map<string, Set<Promise<void>>>();
  #logged = 0;
  /** A logged append never reached the storage (given up on while closing); the log must be kept whole. */
  #unstored = false;
  #closing = false;

  constructor(storage: DocStorage, log: AppendLog, options: WriteAheadOptions = {}) {
    this.#storage = storage;
    this.#log = log;
    this.#maxLogBytes = options.maxLogBytes ?? 64 * 1024 * 1024;
    this.#directAppendBytes = options.directAppendBytes ?? 64 * 1024;
    this.#onError = options.onError ?? (() => undefined);
    this.#retryMs = options.retryMs ?? 100;
    this.#maxRetryMs = options.maxRetryMs ?? 5_000;
    this.#schedule = options.schedule ?? realSchedule;
    this.#storeQuietMs = options.storeQuietMs ?? 50;
    this.#storeMaxDelayMs = options.storeMaxDelayMs ?? 1_000;
  }

  /** Logged appends that are not in the storage yet. */
  get backlog(): number {
    return this.#logged;
  }

  append(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0);
    if (this.#closing || this.#log.size >= this.#maxLogBytes || bytes >= this.#directAppendBytes) {
      return this.#storage.append(docName, updates);
    }
    try {
      this.#log.append(encodeLogRecord(docName, updates));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.#logged++;
    let pending = this.#pending.get(docName);
    if (!pending) {
      pending = new Set();
      this.#pending.set(docName, pending);
    }
    const forwarded = new Promise<void>((start) => this.#wait(start)).then(() =>
      this.#forward(docName, updates),
    );
    pending.add(forwarded);
    const settle = (stored: boolean) => {
      pending.delete(forwarded);
      if (pending.size === 0 && this.#pending.get(docName) === pending) this.#pending.delete(docName);
      this.#logged--;
      // Only a log whose every record is stored may be emptied: one the storage gave up on stays for the next start.
      if (!stored) this.#unstored = true;
      if (this.#logged === 0 && !this.#unstored) this.#clearLog();
    };
    forwarded.then(
      () => settle(true),
      () => settle(false),
    );
    return Promise.resolve();
  }

  /** The stored document once every update logged for it before this call is in the storage. */
  async load(docName: string): Promise<StoredDoc> {
    await this.#stored(docName);
    return this.#storage.load(docName);
  }

  async compact(
    docName: string,
    snapshot: Uint8Array | readonly Uint8Array[],
    throughSeq: number,
  ): Promise<void> {
    // The sequence number came from a load, which waited for the same writes: none can arrive behind it.
    await this.#stored(docName);
    await this.#storage.compact(docName, snapshot, throughSeq);
  }

  async replace(
    docName: string,
    state: readonly Uint8Array[] | StagedState,
    loadedSeq: number,
  ): Promise<void> {
    await this.#stored(docName);
    await this.#storage.replace(docName, state, loadedSeq);
  }

  /**
   * Resolves once every update logged before this call is in the storage, without waiting for the edits to pause:
   * a backup of the storage taken afterwards holds everything acknowledged so far.
   */
  async flush(): Promise<void> {
    this.#storeWaiting();
    await Promise.allSettled([...this.#pending.values()].flatMap((set) => [...set]));
  }

  /**
   * Waits for the logged updates to reach the storage, with no more retries for writes that fail from now on (those
   * stay in the log for the next start). Later appends go to the storage directly.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#storeWaiting();
    await Promise.allSettled([...this.#pending.values()].flatMap((set) => [...set]));
  }

  /** Resolves once every update logged for the document before this call is in the storage. */
  settled(docName: string): Promise<void> {
    return this.#stored(docName);
  }

  async #stored(docName: string): Promise<void> {
    const pending = this.#pending.get(docName);
    if (!pending) return;
    this.#storeWaiting();
    await Promise.allSettled([...pending]);
  }

  #wait(start: () => void): void {
    this.#waiting.push(start);
    this.#cancelQuiet?.();
    this.#cancelQuiet = this.#schedule(() => this.#storeWaiting(), this.#storeQuietMs);
    this.#cancelMaxDelay ??= this.#schedule(() => this.#storeWaiting(), this.#storeMaxDelayMs);
  }

  #storeWaiting(): void {
    this.#cancelQuiet?.();
    this.#cancelMaxDelay?.();
    this.#cancelQuiet = null;
    this.#cancelMaxDelay = null;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const start of waiting) start();
  }

  async #forward(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    for (let delay = this.#retryMs; ; delay = Math.min(delay * 2, this.#maxRetryMs)) {
      try {
        await this.#storage.append(docName, updates);
        return;
      } catch (error) {
        this.#onError(error, docName);
        if (this.#closing) throw error;
      }
      await new Promise<void>((resolve) => this.#schedule(resolve, delay));
    }
  }

  #clearLog(): void {
    try {
      this.#log.clear();
    } catch (error) {
      // The records stay and would be replayed as duplicates, which is harmless; the log just grows until a clear
      // works.
      this.#onError(error, null);
    }
  }
}
