// The process-wide entry point of the sync server: routes connections to rooms, loads and unloads documents,
// carries server-side edits through the same durable path as client edits, and triggers compaction.
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { realSchedule, type Schedule } from '../events/output-coalescer.ts';
import { syncCloseCodes } from './close-codes.ts';
import { compactDoc, type FoldStoredDoc } from './compaction.ts';
import { Room, type RoomEnvironment } from './room.ts';
import type { DocLayout } from './update-check.ts';
import {
  type AuthorshipHooks,
  type ConnectionContext,
  type DocStorage,
  type RoomBus,
  type RoomHandle,
  type StagedState,
  type StoredDoc,
  type StoredEdit,
  type SyncConnection,
  type SyncLimits,
  type SyncMetrics,
  defaultSyncLimits,
} from './types.ts';
import { isStaged, snapshotByteLength } from './stored-doc.ts';

export interface RoomManagerOptions {
  storage: DocStorage;
  /** Set when several server instances share the storage; omit for a single process. */
  bus?: RoomBus;
  metrics?: SyncMetrics;
  limits?: Partial<SyncLimits>;
  /** Milliseconds, for rate limits and latencies. */
  now?: () => number;
  /** Distinguishes this process on the bus; random when omitted. */
  instanceId?: string;
  /** Timers for starting compactions; injected so tests control time. */
  schedule?: Schedule;
  /**
   * The layout every client update must keep (the server passes the workspace file layout); without one any
   * well-formed update is accepted and `maxWorkspaceBytes` does not apply.
   */
  layout?: DocLayout;
  /** Builds compaction snapshots, e.g. on a worker thread; by default on this one. */
  fold?: FoldStoredDoc;
  /** Told who wrote which items (see `AuthorshipHooks`). */
  authorship?: AuthorshipHooks;
}

/** Who wrote an edit made away from the live document (see `RoomManager.unloadedEdit`), for authorship. */
export interface UnloadedWrite {
  origin: unknown;
  client: number;
  clockStart: number;
  clockEnd: number;
}

/** An edit of a stored document made elsewhere (see `RoomManager.unloadedEdit`). */
export interface UnloadedEdit<Stored extends StoredDoc | null = StoredDoc> {
  /**
   * The document as storage holds it; its buffers are this edit's to move to another thread. Null when asked not
   * to read it (whoever makes the edit reads it from the storage itself); the edit cannot be a state then, only
   * updates or a state staged in the storage.
   */
  stored: Stored;
  /**
   * Stores the edit (built on `stored`: its updates, appended, or the state after it, in place of `stored`) and
   * resolves true once it is durable; resolves false, writing nothing, when the document was opened here, or another
   * unloaded edit of it committed, since `stored` was read (make the edit on the live document then). A room that
   * opens while the edit is being stored loads it. Call it at most once.
   */
  commit(edit: StoredEdit, written?: UnloadedWrite): Promise<boolean>;
  /** Gives the edit up without writing. Idempotent, and harmless after `commit`. */
  abandon(): void;
}

/**
 * Bytes per append of an unloaded edit: a 100 MB import in one append would be one system call of 100 MB on the
 * event loop in the write-ahead log; in these, each turn stays about a millisecond.
 */
const UNLOADED_APPEND_BYTES = 1024 * 1024;

/** Default origin of `transact` edits. Pass your own origin to track them (e.g. for a task's UndoManager). */
export const serverEditOrigin = Symbol('sync.server-edit');

interface Backlog {
  updates: number;
  bytes: number;
  /** Size of the snapshot the backlog would be folded into. */
  snapshotBytes: number;
}

/** A compaction that is due and waits for its document to go quiet. */
interface WaitingCompaction {
  dueAt: number;
  cancelTimer: () => void;
  start: () => void;
}

export class RoomManager {
  readonly #rooms = new Map<string, Room>();
  readonly #backlogs = new Map<string, Backlog>();
  readonly #compactions = new Map<string, Promise<void>>();
  readonly #waiting = new Map<string, WaitingCompaction>();
  /** Per document, the Yjs clients whose edits were refused; outlives the room so a reload cannot launder them. */
  readonly #staleClients = new Map<string, Map<number, number>>();
  readonly #storage: DocStorage;
  readonly #metrics: SyncMetrics;
  readonly #limits: SyncLimits;
  readonly #now: () => number;
  readonly #schedule: Schedule;
  readonly #fold: FoldStoredDoc | undefined;
  readonly #env: RoomEnvironment;
  readonly #authorship: AuthorshipHooks;
  readonly #hasBus: boolean;
  /** Per document, the watches of `watchUnloaded`, each told (`stale`) when a room opens or an unloaded edit commits. */
  readonly #unloadedWatches = new Map<string, Set<{ stale: boolean }>>();
  /** Per document, the append of an unloaded edit in progress, which a room opening must wait for. */
  readonly #unloadedAppends = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: RoomManagerOptions) {
    this.#storage = options.storage;
    this.#metrics = options.metrics ?? {};
    this.#limits = { ...defaultSyncLimits, ...options.limits };
    this.#now = options.now ?? (() => performance.now());
    this.#schedule = options.schedule ?? realSchedule;
    this.#fold = options.fold;
    this.#authorship = options.authorship ?? {};
    this.#hasBus = options.bus !== undefined;
    const storage = this.#storage;
    this.#env = {
      authorship: this.#authorship,
      storage: {
        // A room that opens while an unloaded edit is being stored reads storage once it is all there.
        load: async (docName) => {
          await this.#unloadedAppends.get(docName);
          return storage.load(docName);
        },
        append: (docName, updates) => storage.append(docName, updates),
        compact: (docName, snapshot, throughSeq) => storage.compact(docName, snapshot, throughSeq),
        replace: (docName, state, loadedSeq) => storage.replace(docName, state, loadedSeq),
      },
      bus: options.bus ?? null,
      metrics: this.#metrics,
      limits: this.#limits,
      layout: options.layout ?? null,
      staleClients: (docName) => {
        let stale = this.#staleClients.get(docName);
        if (stale === undefined) {
          stale = new Map();
          this.#staleClients.set(docName, stale);
        }
        return stale;
      },
      now: this.#now,
      instanceId: options.instanceId ?? crypto.randomUUID(),
      loaded: (room, stored) => this.#onLoaded(room.docName, stored),
      persisted: (room, updates, bytes) => this.#onPersisted(room.docName, updates, bytes),
      closed: (room) => {
        if (this.#rooms.get(room.docName) !== room) return;
        this.#rooms.delete(room.docName);
        // Kept only where it holds something: every room looks it up, and an empty one per document would add up.
        if (this.#staleClients.get(room.docName)?.size === 0) this.#staleClients.delete(room.docName);
        if (!this.#compactions.has(room.docName)) this.#backlogs.delete(room.docName);
      },
    };
  }

  get roomCount(): number {
    return this.#rooms.size;
  }

  get connectionCount(): number {
    let count = 0;
    for (const room of this.#rooms.values()) count += room.connectionCount;
    return count;
  }

  /**
   * Attaches an authenticated connection to a document, loading it on first use. Frames may be fed to the handle
   * at once; they wait while the document loads.
   */
  join(docName: string, connection: SyncConnection, context: ConnectionContext): RoomHandle {
    if (this.#closed) {
      connection.close(syncCloseCodes.goingAway, 'server shutting down');
      return closedHandle(docName, context);
    }
    return this.#room(docName).join(connection, context);
  }

  /** Closes the matching connections of a document (e.g. after a member was removed); returns how many. */
  kick(
    docName: string,
    predicate: (context: Readonly<ConnectionContext>) => boolean,
    code: number = syncCloseCodes.forbidden,
    reason = 'access revoked',
  ): number {
    return this.#rooms.get(docName)?.kick(predicate, code, reason) ?? 0;
  }

  /**
   * The live document when it is loaded, for reading. Edits made on it directly are still persisted before they
   * are broadcast, but only `transact` tells you when they are durable.
   */
  getDoc(docName: string): Y.Doc | undefined {
    const room = this.#rooms.get(docName);
    return room?.state === 'ready' ? room.doc : undefined;
  }

  /**
   * Runs a synchronous edit on the document (loading it if nobody is connected) and resolves once the edit is
   * durable and sent to every peer. Rejects with AppError('INTERNAL') when storage failed; in that case no peer saw
   * the edit. Do not edit the document from inside a Yjs observer: such changes join the transaction that triggered
   * the observer and are not recognised as server edits.
   */
  async transact<T>(
    docName: string,
    edit: (doc: Y.Doc) => T,
    origin: unknown = serverEditOrigin,
  ): Promise<T> {
    if (this.#closed) throw new AppError('INTERNAL', 'sync server is shutting down');
    const room = this.#room(docName);
    room.hold();
    try {
      await room.ready;
      const client = room.doc.clientID;
      const clockStart = Y.getState(room.doc.store, client);
      const result = room.doc.transact(() => edit(room.doc), origin);
      const clockEnd = Y.getState(room.doc.store, client);
      if (clockEnd > clockStart)
        this.#authorship.serverWrote?.(docName, origin, client, clockStart, clockEnd);
      await room.editsDurable();
      return result;
    } finally {
      room.release();
    }
  }

  /**
   * Keeps a document loaded, as a connection would, until the returned function is called: for work spread over
   * many `transact` calls (a large import in slices), which would otherwise unload and reload it between them.
   */
  retain(docName: string): () => void {
    if (this.#closed) throw new AppError('INTERNAL', 'sync server is shutting down');
    const room = this.#room(docName);
    room.hold();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      room.release();
    };
  }

  /**
   * The stored state of a document that is not loaded here, for reading it somewhere other than the event loop
   * (loading a 100 MB document takes it for seconds); null when it is loaded or loading: read the live one then.
   * Storage has every edit of a room that unloaded, since a room unloads only once its writes are done.
   */
  async storedIfUnloaded(docName: string): Promise<StoredDoc | null> {
    if (this.#closed) throw new AppError('INTERNAL', 'sync server is shutting down');
    if (this.#rooms.has(docName)) return null;
    return this.#storage.load(docName);
  }

  /**
   * An edit of a document nobody has open here, made somewhere other than the event loop (an archive upload on a
   * worker): loading a 100 MB document and importing into it held the event loop for seconds, and its garbage held
   * up every other workspace's edits after that. Null when the document is loaded or loading, or when other
   * instances share the storage (they would not hear of the edit): use `transact` then.
   */
  async unloadedEdit(docName: string): Promise<UnloadedEdit | null>;
  async unloadedEdit(docName: string, options: { read: false }): Promise<UnloadedEdit<null> | null>;
  async unloadedEdit(
    docName: string,
    options: { read?: false } = {},
  ): Promise<UnloadedEdit<StoredDoc | null> | null> {
    if (this.#closed) throw new AppError('INTERNAL', 'sync server is shutting down');
    if (this.#hasBus) return null;
    const watch = this.watchUnloaded(docName);
    if (watch === null) return null;
    const abandon = () => watch.stop();
    let stored: StoredDoc | null = null;
    try {
      if (options.read !== false) stored = await this.#env.storage.load(docName);
      // Read elsewhere, it must not see half of another unloaded edit still being stored: a load here waits too.
      else await this.#unloadedAppends.get(docName);
    } catch (error) {
      abandon();
      throw error;
    }
    if (watch.changed) {
      abandon();
      return null;
    }
    const loadedSeq = stored?.seq;
    let committed = false;
    const commit = async (edit: StoredEdit, written?: UnloadedWrite): Promise<boolean> => {
      if (committed) throw new AppError('INTERNAL', 'an unloaded edit was committed twice');
      committed = true;
      if ('state' in edit && loadedSeq === undefined) {
        abandon();
        throw new AppError('INTERNAL', 'a state needs the document it was built on read here');
      }
      abandon();
      if (watch.changed || this.#closed) return false;
      // Another edit read the state this one changes: its checks (paths taken, limits) no longer hold.
      for (const other of this.#unloadedWatches.get(docName) ?? []) other.stale = true;
      const appended =
        'updates' in edit
          ? this.#appendUnloaded(docName, edit.updates)
          : this.#replaceUnloaded(docName, 'state' in edit ? edit.state : edit.staged, loadedSeq ?? 0);
      this.#unloadedAppends.set(docName, appended);
      try {
        await appended;
      } catch (error) {
        throw new AppError('INTERNAL', 'the edit could not be stored', { cause: error });
      } finally {
        if (this.#unloadedAppends.get(docName) === appended) this.#unloadedAppends.delete(docName);
      }
      if (written !== undefined && written.clockEnd > written.clockStart) {
        this.#authorship.serverWrote?.(
          docName,
          written.origin,
          written.client,
          written.clockStart,
          written.clockEnd,
        );
      }
      return true;
    };
    return { stored, commit, abandon };
  }

  /**
   * Watches a document nobody has open here: `changed` turns true once a room opens for it or an unloaded edit of
   * it commits, the only ways this process changes what storage holds for it. Null when it is open now. Stop the
   * watch when done with it.
   */
  watchUnloaded(docName: string): { readonly changed: boolean; stop(): void } | null {
    if (this.#rooms.has(docName)) return null;
    const watch = { stale: false };
    let watches = this.#unloadedWatches.get(docName);
    if (watches === undefined) {
      watches = new Set();
      this.#unloadedWatches.set(docName, watches);
    }
    watches.add(watch);
    return {
      get changed() {
        return watch.stale;
      },
      stop: () => {
        const current = this.#unloadedWatches.get(docName);
        if (current?.delete(watch) && current.size === 0) this.#unloadedWatches.delete(docName);
      },
    };
  }

  /** Nothing is left to fold afterwards: the stored state is one snapshot. */
  async #replaceUnloaded(
    docName: string,
    state: readonly Uint8Array[] | StagedState,
    loadedSeq: number,
  ): Promise<void> {
    const bytes = isStaged(state) ? state.bytes : state.reduce((sum, part) => sum + part.byteLength, 0);
    const startedAt = this.#now();
    await this.#storage.replace(docName, state, loadedSeq);
    this.#metrics.persisted?.(docName, 1, bytes, this.#now() - startedAt);
  }

  async #appendUnloaded(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    let at = 0;
    while (at < updates.length) {
      // A turn of the event loop between batches, for everyone else's edits.
      if (at > 0) await new Promise<void>((resolve) => setTimeout(resolve, 0));
      const batch: Uint8Array[] = [];
      let bytes = 0;
      for (; at < updates.length && (batch.length === 0 || bytes < UNLOADED_APPEND_BYTES); at++) {
        const update = updates[at];
        if (update === undefined) break;
        batch.push(update);
        bytes += update.byteLength;
      }
      const startedAt = this.#now();
      await this.#storage.append(docName, batch);
      this.#metrics.persisted?.(docName, batch.length, bytes, this.#now() - startedAt);
      this.#onPersisted(docName, batch.length, bytes);
    }
    // The backlog of a document nobody opened is kept only while a compaction of it is on its way.
    if (!this.#rooms.has(docName) && !this.#compactions.has(docName)) this.#backlogs.delete(docName);
  }

  /** Reports a stored part of a document that Yjs could not apply when it was read elsewhere (`storedIfUnloaded`). */
  reportApplyError(docName: string, error: unknown): void {
    this.#metrics.error?.(docName, 'apply', error);
  }

  /** Folds the stored updates of a document into a snapshot now, unless a compaction is already running. */
  compact(docName: string): Promise<void> {
    const waiting = this.#waiting.get(docName);
    if (waiting !== undefined) {
      waiting.start();
      return this.#compactions.get(docName) ?? Promise.resolve();
    }
    const running = this.#compactions.get(docName);
    if (running !== undefined) return running;
    const backlog = this.#backlogs.get(docName);
    if (backlog !== undefined) {
      backlog.updates = 0;
      backlog.bytes = 0;
    }
    const startedAt = this.#now();
    const onApplyError = (error: unknown) => this.#metrics.error?.(docName, 'apply', error);
    const task = compactDoc(this.#storage, docName, onApplyError, this.#fold)
      .then(
        (result) => {
          if (result !== null) {
            const current = this.#backlogs.get(docName);
            if (current) current.snapshotBytes = result.snapshotBytes;
            this.#metrics.compacted?.(
              docName,
              result.foldedUpdates,
              result.snapshotBytes,
              this.#now() - startedAt,
            );
          }
        },
        (error: unknown) => this.#metrics.error?.(docName, 'compact', error),
      )
      .finally(() => {
        this.#compactions.delete(docName);
        if (!this.#rooms.has(docName)) this.#backlogs.delete(docName);
      });
    this.#compactions.set(docName, task);
    return task;
  }

  /** Resolves when no write and no compaction is pending anywhere. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = [
        ...[...this.#rooms.values()].map((room) => room.whenWritesIdle()),
        ...this.#compactions.values(),
        ...[...this.#unloadedAppends.values()].map((append) => append.catch(() => undefined)),
      ];
      const busy =
        this.#compactions.size > 0 ||
        this.#unloadedAppends.size > 0 ||
        [...this.#rooms.values()].some((room) => room.pendingWrites > 0);
      if (!busy) return;
      await Promise.all(pending);
    }
  }

  /** Graceful shutdown: closes every connection, waits for pending writes and compactions, unloads everything. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiting of [...this.#waiting.values()]) waiting.start();
    for (const room of this.#rooms.values()) room.closeAll(syncCloseCodes.goingAway, 'server shutting down');
    await this.whenIdle();
    for (const room of [...this.#rooms.values()]) room.unload();
  }

  #room(docName: string): Room {
    let room = this.#rooms.get(docName);
    if (room === undefined) {
      for (const watch of this.#unloadedWatches.get(docName) ?? []) watch.stale = true;
      room = new Room(docName, this.#env);
      this.#rooms.set(docName, room);
    }
    return room;
  }

  #onLoaded(docName: string, stored: StoredDoc): void {
    // A compaction in flight will fold these; counting them again would start another one right after.
    if (this.#compactions.has(docName)) return;
    const backlog = {
      updates: stored.updates.length,
      bytes: stored.updates.reduce((sum, u) => sum + u.byteLength, 0),
      snapshotBytes: snapshotByteLength(stored.snapshot),
    };
    this.#backlogs.set(docName, backlog);
    this.#maybeCompact(docName, backlog);
  }

  #onPersisted(docName: string, updates: number, bytes: number): void {
    let backlog = this.#backlogs.get(docName);
    if (backlog === undefined) {
      backlog = { updates: 0, bytes: 0, snapshotBytes: 0 };
      this.#backlogs.set(docName, backlog);
    }
    backlog.updates += updates;
    backlog.bytes += bytes;
    const waiting = this.#waiting.get(docName);
    if (waiting !== undefined) this.#armQuietTimer(waiting);
    else this.#maybeCompact(docName, backlog);
  }

  #maybeCompact(docName: string, backlog: Backlog): void {
    if (this.#compactions.has(docName)) return;
    const limits = this.#limits;
    const due =
      backlog.bytes >= limits.compactAfterBytes ||
      (backlog.updates >= limits.compactAfterUpdates &&
        backlog.bytes >= backlog.snapshotBytes * limits.compactBacklogShare);
    if (!due) return;
    backlog.updates = 0;
    backlog.bytes = 0;
    // Registered now so whenIdle() sees it, started once the document is quiet so the commit that crossed the
    // threshold, and any that follow it in a burst, are not held up.
    let start: () => void = () => undefined;
    const task = new Promise<void>((resolve) => (start = resolve)).then(() => {
      this.#compactions.delete(docName);
      return this.compact(docName);
    });
    const waiting: WaitingCompaction = {
      dueAt: this.#now(),
      cancelTimer: () => undefined,
      start: () => {
        waiting.cancelTimer();
        if (this.#waiting.get(docName) === waiting) this.#waiting.delete(docName);
        start();
      },
    };
    this.#waiting.set(docName, waiting);
    this.#compactions.set(docName, task);
    this.#armQuietTimer(waiting);
  }

  #armQuietTimer(waiting: WaitingCompaction): void {
    waiting.cancelTimer();
    const { compactQuietMs, compactMaxDelayMs } = this.#limits;
    const delay = Math.min(compactQuietMs, Math.max(0, waiting.dueAt + compactMaxDelayMs - this.#now()));
    waiting.cancelTimer = this.#schedule(() => waiting.start(), delay);
  }
}

function closedHandle(docName: string, context: ConnectionContext): RoomHandle {
  return {
    docName,
    context: { ...context },
    receive: () => undefined,
    leave: () => undefined,
    setReadOnly: () => undefined,
  };
}
