// The structural interfaces the sync room depends on. The server injects WebSocket, database and Redis
// implementations; tests inject in-memory ones.
import { defaultWorkspaceLimits } from '../files/limits.ts';
import type { SyncMessageKind } from './protocol.ts';

/** One client's transport (a WebSocket in the server). `send` must not throw; `close` must be idempotent. */
export interface SyncConnection {
  send(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Who is on the other end, as established by the server's authentication, never by the client. */
export interface ConnectionContext {
  userId: string;
  name: string;
  color: string;
  /** Reviewers: receive everything, share awareness, but their document updates are refused. */
  readOnly: boolean;
}

export interface StoredDoc {
  /**
   * The folded state: one Yjs update, or, for a large one, its bytes in consecutive parts (a storage that keeps
   * them apart so no single statement carries the whole), joined by whoever applies it (`snapshotUpdate`).
   */
  snapshot: Uint8Array | readonly Uint8Array[] | null;
  /** Updates appended after the snapshot, oldest first. */
  updates: Uint8Array[];
  /**
   * Sequence number of the newest entry included in this result (0 for an empty document). Compaction passes it
   * back so storage can drop exactly the updates the snapshot folded in.
   */
  seq: number;
  /**
   * True when the snapshot's and the updates' buffers belong to this result alone (they may be views into one
   * buffer, a database reply read for this load): a reader may then move them to another thread instead of copying
   * them. False or absent when a buffer may be shared (Node's buffer pool, a connection's read buffer).
   */
  exclusive?: boolean;
}

export interface DocStorage {
  load(docName: string): Promise<StoredDoc>;
  /** Appends in order; resolves only when the updates are durable. */
  append(docName: string, updates: readonly Uint8Array[]): Promise<void>;
  /**
   * Atomically stores `snapshot` and deletes the updates with sequence <= `throughSeq`. Updates appended after the
   * corresponding `load` must survive. A call whose `throughSeq` is not newer than the stored snapshot's must be
   * ignored (two compactors may race). `snapshot` is one Yjs update, whole or as consecutive parts (as a fold on
   * another thread hands it over, each part in a buffer of its own). The storage may take it (move its buffers to
   * another thread): the caller does not read it afterwards.
   */
  compact(docName: string, snapshot: Uint8Array | readonly Uint8Array[], throughSeq: number): Promise<void>;
  /**
   * Stores `state` (one Yjs update, whole or in parts, as for `compact`) as the document's snapshot in place of
   * everything stored, under a sequence number newer than any handed out so far: a compactor that loaded before it
   * can no longer overwrite it. `loadedSeq` is the `seq` of the load `state` was built on; the caller guarantees
   * nothing was appended since (it would be dropped). For an edit built away from the live document that outweighs
   * what was stored (an import into an empty workspace): appended, its updates would be stored, loaded back and
   * stored again as a snapshot by the compaction they set off.
   */
  replace(docName: string, state: readonly Uint8Array[] | StagedState, loadedSeq: number): Promise<void>;
}

/**
 * A document's whole state that another thread wrote into the storage ahead of `DocStorage.replace`, where no load
 * sees it until `replace` names it: the state's bytes then never cross this thread. What else it holds is the
 * storage's own business (the server's database storage stages snapshot parts under a generation).
 */
export interface StagedState {
  /** The state's size. */
  bytes: number;
}

/**
 * What an edit built away from the live document stores (see `RoomManager.unloadedEdit`): its updates, appended, or
 * the document's whole state after it, in consecutive parts or staged in the storage already, in place of what was
 * stored (`DocStorage.replace`).
 */
export type StoredEdit = { updates: Uint8Array[] } | { state: Uint8Array[] } | { staged: StagedState };

/**
 * Fan-out between server instances (Redis pub/sub). Delivery is at-most-once and may echo to the publisher; the
 * room tolerates both because Yjs updates are idempotent and every message carries its sender's instance id.
 */
export interface RoomBus {
  publish(docName: string, bytes: Uint8Array): void | Promise<void>;
  /** Resolves once the subscription is live, so nothing published after that can be missed. */
  subscribe(docName: string, handler: (bytes: Uint8Array) => void): (() => void) | Promise<() => void>;
}

/**
 * Who wrote what, for attributing edits (git co-authors): which Yjs client ids an authenticated connection wrote new
 * items with, and which clock range of the server document's own client id a server-side transaction wrote, with
 * the transaction's origin. Called synchronously; implementations must not throw and should not block.
 */
export interface AuthorshipHooks {
  clientWrote?(
    docName: string,
    context: Readonly<ConnectionContext>,
    clients: ReadonlyMap<number, number>,
  ): void;
  serverWrote?(docName: string, origin: unknown, client: number, clockStart: number, clockEnd: number): void;
}

export type RefusalReason =
  | 'read-only'
  /** An update from a Yjs client whose earlier edits were refused: it builds on them, or its connection is theirs. */
  | 'stale-client'
  | 'invalid-update'
  | 'document-too-large'
  | 'workspace-too-large'
  | 'foreign-awareness';

export type SyncErrorOperation = 'load' | 'append' | 'compact' | 'apply' | 'bus';

/** Counters and latencies for the server to forward to prom-client; every hook is optional. */
export interface SyncMetrics {
  connectionOpened?(docName: string): void;
  /** `code` is null when the transport went away on its own (`leave()`), otherwise the code the room closed with. */
  connectionClosed?(docName: string, code: number | null, reason: string): void;
  messageReceived?(docName: string, kind: SyncMessageKind, bytes: number): void;
  /** An update or awareness entry that was valid but not allowed. */
  refused?(docName: string, reason: RefusalReason): void;
  /** One group commit: how many updates went out in a single `append`, their size and the append latency. */
  persisted?(docName: string, updates: number, bytes: number, appendMs: number): void;
  roomLoaded?(docName: string, loadMs: number, storedBytes: number): void;
  roomUnloaded?(docName: string): void;
  compacted?(docName: string, foldedUpdates: number, snapshotBytes: number, durationMs: number): void;
  error?(docName: string, operation: SyncErrorOperation, error: unknown): void;
}

export interface SyncLimits {
  /** Larger frames close the connection with 4413. */
  maxMessageBytes: number;
  /**
   * An update that would grow the encoded document (content, history and CRDT overhead) past this closes the sender
   * with 4413.
   */
  maxDocumentBytes: number;
  /**
   * The content a workspace may hold (text as UTF-8 and binary files), the same limit the file API and archive
   * uploads enforce; an update that would grow past it closes the sender with 4413. Applies when the room manager
   * has a `DocLayout`, which is what measures content.
   */
  maxWorkspaceBytes: number;
  /** Token bucket per connection; exceeding it closes with 4429. */
  messagesPerSecond: number;
  messageBurst: number;
  /** Awareness client ids one connection may introduce (a y-websocket client uses one per document). */
  maxAwarenessClientsPerConnection: number;
  /**
   * Compaction starts when the updates appended since the last snapshot reach `compactAfterBytes`, or number
   * `compactAfterUpdates` and weigh at least `compactBacklogShare` of the snapshot. Rewriting a snapshot costs in
   * proportion to its size (about 0.2 s for 10 MB on PGlite), so a large workspace is compacted only once its
   * backlog is worth it, not after every 500 keystrokes.
   */
  compactAfterUpdates: number;
  compactAfterBytes: number;
  compactBacklogShare: number;
  /**
   * A compaction that is due waits until the document has had no update for `compactQuietMs`, but no longer than
   * `compactMaxDelayMs`: folding a large upload while it is still arriving would encode the document again for
   * every part and leave the last parts out of the snapshot.
   */
  compactQuietMs: number;
  compactMaxDelayMs: number;
  /**
   * An update that builds on content the server does not have yet waits this long for it (the client's sync reply
   * after a reconnect, or another instance's update on the bus), then closes its sender with 4422. At most
   * `maxWaitingBytes` per connection wait; beyond that the update is refused at once.
   */
  missingContentWaitMs: number;
  maxWaitingBytes: number;
}

export const defaultSyncLimits: SyncLimits = {
  maxMessageBytes: 2 * 1024 * 1024,
  maxDocumentBytes: 64 * 1024 * 1024,
  maxWorkspaceBytes: defaultWorkspaceLimits.maxWorkspaceBytes,
  messagesPerSecond: 100,
  messageBurst: 200,
  maxAwarenessClientsPerConnection: 8,
  compactAfterUpdates: 500,
  compactAfterBytes: 8 * 1024 * 1024,
  compactBacklogShare: 1 / 16,
  compactQuietMs: 1_000,
  compactMaxDelayMs: 10_000,
  missingContentWaitMs: 5_000,
  maxWaitingBytes: 1024 * 1024,
};

/** What `RoomManager.join` returns: the server feeds frames in and reports the transport's end. */
export interface RoomHandle {
  readonly docName: string;
  readonly context: Readonly<ConnectionContext>;
  /** Feed one binary frame from the client. Never throws; misbehaviour closes the connection. */
  receive(bytes: Uint8Array): void;
  /** The transport closed. Idempotent. */
  leave(): void;
  /** Takes effect for the next frame, including frames already buffered while the document loads. */
  setReadOnly(readOnly: boolean): void;
}
