// One loaded document and the connections editing it. Every document update takes the same path, whoever made it:
// validated, appended to storage (group commit), and only once durable applied here and sent to the other peers and
// the bus. The document therefore never holds anything a crash could lose, except server-side edits, which are
// made on the live document and so are held back from new peers until they are durable.
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { AwarenessOwners } from './awareness-owners.ts';
import { decodeBusEnvelope, encodeBusEnvelope } from './bus-envelope.ts';
import { syncCloseCodes } from './close-codes.ts';
import { encodeState } from './encode-state.ts';
import { GroupCommit } from './group-commit.ts';
import {
  type AwarenessEntry,
  type DecodedUpdate,
  type SyncMessage,
  decodeSyncMessage,
  encodeAwarenessEntries,
  encodeAwarenessMessage,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdateMessage,
  isEmptyStateVector,
} from './protocol.ts';
import { applyStoredDoc, storedBytes } from './stored-doc.ts';
import { TokenBucket } from './token-bucket.ts';
import {
  type DocLayout,
  type UpdateInspection,
  PendingStructs,
  deletesSomethingNew,
  inspectClientUpdate,
} from './update-check.ts';
import type {
  AuthorshipHooks,
  ConnectionContext,
  DocStorage,
  RoomBus,
  RoomHandle,
  StoredDoc,
  SyncConnection,
  SyncLimits,
  SyncMetrics,
} from './types.ts';

// Transaction origins of changes that are already durable; anything else on the document is a server-side edit.
const persistedOrigin = Symbol('sync.persisted');
const busOrigin = Symbol('sync.bus');
const storageOrigin = Symbol('sync.storage');
// Removal of what a stored document holds against the layout, made when it loads.
const repairOrigin = Symbol('sync.repair');
// Awareness removals caused by a local connection leaving, which other instances must hear about.
const leaveOrigin = Symbol('sync.leave');

export interface RoomEnvironment {
  storage: DocStorage;
  bus: RoomBus | null;
  metrics: SyncMetrics;
  limits: SyncLimits;
  /** The document's layout, checked on every client update; null accepts any well-formed update. */
  layout: DocLayout | null;
  /**
   * Yjs client ids whose edits were refused (read-only), with the first clock refused: kept by the manager so it
   * outlives this room. Their later updates build on what was refused and are refused in turn.
   */
  staleClients(docName: string): Map<number, number>;
  now: () => number;
  instanceId: string;
  loaded(room: Room, stored: StoredDoc): void;
  persisted(room: Room, updates: number, bytes: number): void;
  authorship: AuthorshipHooks;
  /** The room is gone (unloaded or failed); a later join must create a new one. */
  closed(room: Room): void;
}

class Deferred {
  resolve: () => void = () => undefined;
  reject: (error: unknown) => void = () => undefined;
  readonly promise = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  constructor() {
    // Nobody may be waiting (an edit made straight on getDoc()); a failure must not become an unhandled rejection.
    this.promise.catch(() => undefined);
  }
}

interface PendingWrite {
  update: Uint8Array;
  /** null for a server-side edit, which is already in the document. */
  from: Peer | null;
  durable: Deferred | null;
  /** A client update's new items, known to later updates until it is applied. */
  inspection: UpdateInspection | null;
}

class Peer implements RoomHandle {
  readonly docName: string;
  readonly context: ConnectionContext;
  readonly connection: SyncConnection;
  readonly bucket: TokenBucket;
  closed = false;
  /** Frames that arrived while the document was loading. */
  buffered: Uint8Array[] = [];
  /** Updates that build on content the server does not have yet, oldest first (see `#acceptUpdate`). */
  waiting: { update: Uint8Array; decoded: DecodedUpdate }[] = [];
  waitingBytes = 0;
  waitTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #room: Room;

  constructor(room: Room, connection: SyncConnection, context: ConnectionContext, bucket: TokenBucket) {
    this.#room = room;
    this.docName = room.docName;
    this.connection = connection;
    this.context = { ...context };
    this.bucket = bucket;
  }

  receive(bytes: Uint8Array): void {
    this.#room.receive(this, bytes);
  }

  leave(): void {
    this.#room.leave(this);
  }

  setReadOnly(readOnly: boolean): void {
    this.context.readOnly = readOnly;
  }
}

type AwarenessOwner = Peer | `instance:${string}`;

const contentMeasureIntervalMs = 1_000;

/** Refused Yjs client ids remembered per document. */
const maxStaleClients = 1_000;

/** Close reasons travel in a WebSocket close frame, which holds at most 123 bytes. */
function clientReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.byteLength <= 120) return reason;
  return `${new TextDecoder().decode(bytes.subarray(0, 110)).replace(/\uFFFD$/, '')}...`;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

export class Room {
  readonly docName: string;
  readonly doc = new Y.Doc();
  readonly awareness: Awareness;
  /** Settles when the stored document has been loaded (rejects if that failed). */
  readonly ready: Promise<void>;
  #state: 'loading' | 'ready' | 'closed' = 'loading';
  readonly #env: RoomEnvironment;
  readonly #loaded = new Deferred();
  readonly #peers = new Set<Peer>();
  #holds = 0;
  #unloadPending = false;
  readonly #writes: GroupCommit<PendingWrite>;
  readonly #owners = new AwarenessOwners<AwarenessOwner>();
  #unsubscribe: (() => void) | null = null;
  #busBacklog: Uint8Array[] = [];
  #deferredSyncReplies: { peer: Peer; stateVector: Uint8Array }[] = [];
  /**
   * The sync reply for a client that has nothing yet, kept until the document changes: everyone opening a large
   * workspace gets the same bytes, encoded once rather than once per person.
   */
  #fullStateReply: Uint8Array | null = null;
  /** Server-side edits that are in the document but not yet durable. */
  #undurableEdits = 0;
  #lastEditDurable: Promise<void> | null = null;
  /** Upper bound of the encoded document size, including updates still being written. */
  #documentBytes = 0;
  #queuedPeerBytes = 0;
  /** Upper bound of the content bytes (what the layout measures), including updates still being written. */
  #contentBytes = 0;
  #queuedContentBytes = 0;
  #contentMeasuredAt = Number.NEGATIVE_INFINITY;
  /** Items of client updates that are being made durable and are not in the document yet. */
  readonly #pending = new PendingStructs();

  constructor(docName: string, env: RoomEnvironment) {
    this.docName = docName;
    this.#env = env;
    this.ready = this.#loaded.promise;
    this.awareness = new Awareness(this.doc);
    // The server is not a participant; it must not appear in anyone's presence list.
    this.awareness.setLocalState(null);
    this.awareness.on('update', this.#onAwarenessUpdate);
    this.doc.on('update', this.#onDocUpdate);
    this.#writes = new GroupCommit<PendingWrite>(
      {
        write: (items) =>
          env.storage.append(
            docName,
            items.map((item) => item.update),
          ),
        committed: (items, writeMs) => this.#committed(items, writeMs),
        failed: (items, error) => this.#failed(items, error),
      },
      env.now,
    );
    void this.#load();
  }

  get state(): 'loading' | 'ready' | 'closed' {
    return this.#state;
  }

  get connectionCount(): number {
    return this.#peers.size;
  }

  /** Updates queued or being written. */
  get pendingWrites(): number {
    return this.#writes.pending;
  }

  join(connection: SyncConnection, context: ConnectionContext): RoomHandle {
    const { messagesPerSecond, messageBurst } = this.#env.limits;
    const peer = new Peer(
      this,
      connection,
      context,
      new TokenBucket(messagesPerSecond, messageBurst, this.#env.now),
    );
    this.#peers.add(peer);
    this.#env.metrics.connectionOpened?.(this.docName);
    if (this.#state === 'ready') this.#greet(peer);
    else if (this.#state === 'closed')
      this.#closePeer(peer, syncCloseCodes.unavailable, 'document unavailable');
    return peer;
  }

  /** Keeps the room loaded while server code works on it, even with no connections. */
  hold(): void {
    this.#holds++;
  }

  release(): void {
    this.#holds = Math.max(0, this.#holds - 1);
    this.#unloadWhenUnused();
  }

  /** Settles when the server-side edits made so far are durable and broadcast. */
  editsDurable(): Promise<void> {
    return this.#lastEditDurable ?? Promise.resolve();
  }

  whenWritesIdle(): Promise<void> {
    return this.#writes.whenIdle();
  }

  kick(predicate: (context: Readonly<ConnectionContext>) => boolean, code: number, reason: string): number {
    let kicked = 0;
    for (const peer of [...this.#peers]) {
      if (predicate(peer.context)) {
        this.#closePeer(peer, code, reason);
        kicked++;
      }
    }
    return kicked;
  }

  closeAll(code: number, reason: string): void {
    for (const peer of [...this.#peers]) this.#closePeer(peer, code, reason);
  }

  receive(peer: Peer, bytes: Uint8Array): void {
    if (peer.closed || this.#state === 'closed') return;
    if (bytes.byteLength > this.#env.limits.maxMessageBytes) {
      this.#closePeer(peer, syncCloseCodes.tooLarge, 'message too large');
      return;
    }
    if (!peer.bucket.take()) {
      this.#closePeer(peer, syncCloseCodes.rateLimited, 'rate limit exceeded');
      return;
    }
    if (this.#state === 'loading') {
      // A copy (Buffer#slice would not be one): the transport may reuse its buffer once we return.
      peer.buffered.push(new Uint8Array(bytes));
      return;
    }
    this.#handle(peer, bytes);
  }

  leave(peer: Peer): void {
    this.#remove(peer, null, 'left');
  }

  // ---- client messages ----

  #handle(peer: Peer, bytes: Uint8Array): void {
    let message: SyncMessage;
    try {
      message = decodeSyncMessage(bytes);
    } catch (error) {
      this.#closePeer(
        peer,
        syncCloseCodes.badMessage,
        error instanceof AppError ? error.message : 'malformed message',
      );
      return;
    }
    this.#env.metrics.messageReceived?.(this.docName, message.kind, bytes.byteLength);
    switch (message.kind) {
      case 'sync-step1':
        if (this.#undurableEdits > 0) {
          this.#deferredSyncReplies.push({ peer, stateVector: message.stateVector });
        } else {
          this.#send(peer, this.#syncReply(message.stateVector));
        }
        break;
      case 'sync-step2':
      case 'sync-update':
        if (!message.empty) this.#acceptUpdate(peer, message.update, message.decoded);
        break;
      case 'awareness':
        this.#acceptAwareness(peer, message.entries);
        break;
      case 'query-awareness':
        this.#send(peer, this.#fullAwarenessMessage());
        break;
    }
  }

  /**
   * Every refusal closes the connection with its reason: the client's document then holds edits nobody else will
   * ever see, and it must learn so at once and start again from the server's state (`resyncCloseCodes`).
   */
  #acceptUpdate(peer: Peer, update: Uint8Array, decoded: DecodedUpdate): void {
    if (this.#tryUpdate(peer, update, decoded) === 'accepted') this.#retryWaiting();
  }

  /**
   * An update that builds on content this server does not have yet is not refused at once: after a reconnect (an
   * instance restarting, a proxy moving the client to another instance), the client's next keystroke can overtake
   * its sync reply, or another instance's update can still be on the bus. It waits, bounded in bytes and time,
   * and is tried again whenever content arrives; still unresolvable after `missingContentWaitMs`, it is refused.
   * It never reaches Yjs's own pending structs, where no check could see it.
   */
  #tryUpdate(peer: Peer, update: Uint8Array, decoded: DecodedUpdate): 'accepted' | 'waiting' | 'refused' {
    const inspection = inspectClientUpdate(this.doc, decoded, this.#pending, this.#env.layout);
    if (inspection.finding?.kind === 'missing' && !peer.context.readOnly) {
      const limits = this.#env.limits;
      if (peer.waitingBytes + update.byteLength <= limits.maxWaitingBytes) {
        peer.waiting.push({ update: new Uint8Array(update), decoded });
        peer.waitingBytes += update.byteLength;
        peer.waitTimer ??= setTimeout(() => {
          this.#env.metrics.refused?.(this.docName, 'invalid-update');
          this.#closePeer(peer, syncCloseCodes.invalidUpdate, clientReason(inspection.finding?.reason ?? ''));
        }, limits.missingContentWaitMs);
        return 'waiting';
      }
    }
    return this.#admit(peer, update, decoded, inspection) ? 'accepted' : 'refused';
  }

  /** Content arrived: the updates waiting for it go in, in the order they came; the rest wait on. */
  #retryWaiting(): void {
    for (let progress = true; progress;) {
      progress = false;
      for (const peer of this.#peers) {
        if (peer.waiting.length === 0) continue;
        const waiting = peer.waiting;
        peer.waiting = [];
        peer.waitingBytes = 0;
        for (const { update, decoded } of waiting) {
          if (peer.closed) break;
          if (this.#tryUpdate(peer, update, decoded) === 'accepted') progress = true;
        }
        // The deadline stays the first waiting update's: arriving content does not extend it.
        if (peer.waiting.length === 0) {
          clearTimeout(peer.waitTimer);
          peer.waitTimer = undefined;
        }
      }
    }
  }

  #admit(peer: Peer, update: Uint8Array, decoded: DecodedUpdate, inspection: UpdateInspection): boolean {
    const stale = this.#env.staleClients(this.docName);
    const speaksForStale = stale.size > 0 && this.#owners.owned(peer).some((clientId) => stale.has(clientId));
    if (peer.context.readOnly || speaksForStale) {
      // y-websocket answers the server's sync step 1 with its whole delete set: only a change is an edit.
      if (!inspection.addsItems && !deletesSomethingNew(this.doc, decoded)) return false;
      this.#refuseEdits(peer, inspection, peer.context.readOnly ? 'read-only' : 'stale-client');
      return false;
    }
    if (stale.size > 0 && [...inspection.firstNewClocks.keys()].some((client) => stale.has(client))) {
      this.#refuseEdits(peer, inspection, 'stale-client');
      return false;
    }
    if (inspection.finding !== null) {
      this.#env.metrics.refused?.(this.docName, 'invalid-update');
      this.#closePeer(peer, syncCloseCodes.invalidUpdate, clientReason(inspection.finding.reason));
      return false;
    }
    if (!this.#reserve(update.byteLength)) {
      this.#env.metrics.refused?.(this.docName, 'document-too-large');
      this.#closePeer(peer, syncCloseCodes.tooLarge, 'document too large');
      return false;
    }
    if (!this.#reserveContent(inspection.contentBytes)) {
      this.#documentBytes -= update.byteLength;
      this.#env.metrics.refused?.(this.docName, 'workspace-too-large');
      this.#closePeer(peer, syncCloseCodes.tooLarge, 'workspace too large');
      return false;
    }
    this.#queuedPeerBytes += update.byteLength;
    this.#queuedContentBytes += inspection.contentBytes;
    for (const { client, entry } of inspection.entries) this.#pending.add(client, entry);
    this.#writes.push({ update: new Uint8Array(update), from: peer, durable: null, inspection });
    if (inspection.firstNewClocks.size > 0) {
      this.#env.authorship.clientWrote?.(this.docName, peer.context, inspection.firstNewClocks);
    }
    return true;
  }

  /**
   * Refuses a connection's edits and remembers the Yjs client ids they came from (its new items' and the awareness
   * ids it speaks for), so that the same local document cannot bring them in later, once the user may write again.
   */
  #refuseEdits(peer: Peer, inspection: UpdateInspection, reason: 'read-only' | 'stale-client'): void {
    const stale = this.#env.staleClients(this.docName);
    const clients = [...inspection.firstNewClocks.keys(), ...this.#owners.owned(peer)];
    for (const client of clients) {
      if (stale.has(client)) continue;
      // Bounded: the oldest entries go first, their clients long since reloaded.
      if (stale.size >= maxStaleClients) stale.delete(stale.keys().next().value ?? client);
      stale.set(client, Y.getState(this.doc.store, client));
    }
    this.#env.metrics.refused?.(this.docName, reason);
    this.#closePeer(
      peer,
      syncCloseCodes.editsRefused,
      reason === 'read-only'
        ? 'read-only: edits refused, reload the document'
        : 'edits made while read-only are refused, reload the document',
    );
  }

  /**
   * Counts content against `maxWorkspaceBytes`; false when the workspace would grow past it. The running total
   * over-estimates (deletions are not subtracted), so it is measured before refusing; but at most once a second,
   * since measuring reads every text (about 0.1 s for 100 MiB) and a client near the limit could otherwise have it
   * done for every keystroke.
   */
  #reserveContent(bytes: number): boolean {
    const layout = this.#env.layout;
    if (layout === null || bytes === 0) return true;
    const limit = this.#env.limits.maxWorkspaceBytes;
    if (this.#contentBytes + bytes > limit) {
      const now = this.#env.now();
      if (now - this.#contentMeasuredAt < contentMeasureIntervalMs) return false;
      this.#contentMeasuredAt = now;
      this.#contentBytes = layout.contentBytes(this.doc) + this.#queuedContentBytes;
      if (this.#contentBytes + bytes > limit) return false;
    }
    this.#contentBytes += bytes;
    return true;
  }

  /** Counts `bytes` against the document limit; false when the document would grow past it. */
  #reserve(bytes: number): boolean {
    const limit = this.#env.limits.maxDocumentBytes;
    if (this.#documentBytes + bytes <= limit) {
      this.#documentBytes += bytes;
      return true;
    }
    // The running total only ever over-estimates (merged state is smaller than its parts): measure before refusing.
    this.#documentBytes = encodeState(this.doc).byteLength + this.#queuedPeerBytes;
    if (this.#documentBytes + bytes > limit) return false;
    this.#documentBytes += bytes;
    return true;
  }

  #acceptAwareness(peer: Peer, entries: readonly AwarenessEntry[]): void {
    const { userId, name, color } = peer.context;
    const max = this.#env.limits.maxAwarenessClientsPerConnection;
    const accepted: AwarenessEntry[] = [];
    for (const entry of entries) {
      if (this.#owners.ownerOf(entry.clientId) !== peer) {
        // y-websocket clients echo every awareness change they receive, so entries for other ids are normal
        // traffic. Only a state newer than anything we have seen for the id can be a genuine claim; echoes and
        // removals of someone else's id are dropped quietly and can never take an id away from its owner.
        const known = this.awareness.meta.get(entry.clientId)?.clock;
        const fresh =
          entry.state !== null &&
          entry.clientId !== this.awareness.clientID &&
          (known === undefined || entry.clock > known);
        if (!fresh) continue;
        if (!this.#owners.claim(entry.clientId, peer, userId, max, () => true)) {
          this.#env.metrics.refused?.(this.docName, 'foreign-awareness');
          continue;
        }
      }
      accepted.push({
        clientId: entry.clientId,
        clock: entry.clock,
        state: entry.state === null ? null : { ...entry.state, user: { id: userId, name, color } },
      });
    }
    if (accepted.length > 0) applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), peer);
  }

  #fullAwarenessMessage(): Uint8Array {
    return encodeAwarenessMessage(
      encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]),
    );
  }

  // ---- durability ----

  #committed(items: readonly PendingWrite[], writeMs: number): void {
    let bytes = 0;
    for (const item of items) {
      bytes += item.update.byteLength;
      // Out to the peers first: they wait on this, while applying to our copy only matters to later messages.
      const frame = encodeUpdateMessage(item.update);
      for (const peer of this.#peers) if (peer !== item.from) this.#send(peer, frame);
      this.#publish(frame);
      if (item.from === null) {
        this.#undurableEdits--;
      } else {
        this.#queuedPeerBytes -= item.update.byteLength;
        if (this.#state !== 'closed') this.#apply(item.update, persistedOrigin);
        this.#settle(item);
      }
      item.durable?.resolve();
    }
    this.#env.metrics.persisted?.(this.docName, items.length, bytes, writeMs);
    this.#env.persisted(this, items.length, bytes);
    if (this.#undurableEdits === 0 && this.#deferredSyncReplies.length > 0) {
      const replies = this.#deferredSyncReplies;
      this.#deferredSyncReplies = [];
      for (const { peer, stateVector } of replies) {
        if (!peer.closed) this.#send(peer, this.#syncReply(stateVector));
      }
    }
  }

  #failed(items: readonly PendingWrite[], error: unknown): void {
    this.#env.metrics.error?.(this.docName, 'append', error);
    if (items.some((item) => item.from === null)) {
      // A server-side edit is already in the document and cannot be taken out again: drop the whole in-memory
      // state. Everyone reconnects and resends what storage does not have from their own copy.
      this.#reset(items, error);
      return;
    }
    for (const item of items) {
      this.#queuedPeerBytes -= item.update.byteLength;
      this.#settle(item);
    }
    const senders = new Set(items.map((item) => item.from));
    for (const sender of senders) {
      if (sender === null) continue;
      // Its later updates may build on the lost ones; the client resends all of them after reconnecting.
      for (const dropped of this.#writes.dropQueued((item) => item.from === sender)) {
        this.#queuedPeerBytes -= dropped.update.byteLength;
        this.#settle(dropped);
      }
      this.#closePeer(sender, syncCloseCodes.unavailable, 'storage unavailable');
    }
  }

  /** A client update left the queue (applied or dropped): its items are no longer pending. */
  #settle(item: PendingWrite): void {
    const inspection = item.inspection;
    if (inspection === null) return;
    this.#queuedContentBytes -= inspection.contentBytes;
    for (const { client, entry } of inspection.entries) this.#pending.remove(client, entry);
  }

  #reset(failed: readonly PendingWrite[], cause: unknown): void {
    const error = new AppError('INTERNAL', 'document storage failed', { cause });
    for (const item of [...failed, ...this.#writes.dropQueued(() => true)]) item.durable?.reject(error);
    this.#undurableEdits = 0;
    this.closeAll(syncCloseCodes.unavailable, 'storage unavailable');
    this.#destroy();
  }

  #syncReply(stateVector: Uint8Array): Uint8Array {
    if (!isEmptyStateVector(stateVector)) return encodeSyncStep2(this.doc, stateVector);
    this.#fullStateReply ??= encodeSyncStep2(this.doc);
    return this.#fullStateReply;
  }

  /** A transaction made here (file operations, merges, direct edits); updates that arrived as bytes skip it. */
  #onDocUpdate = (update: Uint8Array): void => {
    this.#fullStateReply = null;
    if (this.#state !== 'ready') return;
    this.#undurableEdits++;
    this.#documentBytes += update.byteLength;
    // The API checked its own write against the same limit; the update's size bounds the content it adds.
    this.#contentBytes += update.byteLength;
    const durable = new Deferred();
    this.#lastEditDurable = durable.promise;
    this.#writes.push({ update, from: null, durable, inspection: null });
  };

  #apply(update: Uint8Array, origin: symbol): void {
    // Here and not only on 'update': an update whose dependencies are missing waits in Yjs without an 'update'
    // event, yet a full-state reply carries it.
    this.#fullStateReply = null;
    try {
      this.#withoutUpdateEvent(() => Y.applyUpdate(this.doc, update, origin));
    } catch (error) {
      // Decoding succeeded, so this is Yjs rejecting the content; peers apply the same bytes and fare the same.
      this.#env.metrics.error?.(this.docName, 'apply', error);
    }
  }

  /**
   * Runs `apply` with nobody listening for the document's 'update' event: updates that arrived as bytes (all that
   * `#apply` and a load handle) are already durable or stored, and Yjs would otherwise encode each one again for
   * its listeners (about 3 ms a megabyte, most of it the text). Every other transaction still reaches
   * `#onDocUpdate`.
   */
  #withoutUpdateEvent(apply: () => void): void {
    this.doc.off('update', this.#onDocUpdate);
    try {
      apply();
    } finally {
      if (this.#state !== 'closed') this.doc.on('update', this.#onDocUpdate);
    }
  }

  // ---- awareness fan-out ----

  #onAwarenessUpdate = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0 || this.#state !== 'ready') return;
    const frame = encodeAwarenessMessage(encodeAwarenessUpdate(this.awareness, changed));
    for (const peer of this.#peers) if (peer !== origin) this.#send(peer, frame);
    if (origin instanceof Peer || origin === leaveOrigin) this.#publish(frame);
    for (const clientId of removed) {
      if (typeof this.#owners.ownerOf(clientId) === 'string') this.#owners.releaseClient(clientId);
    }
  };

  // ---- bus ----

  #publish(frame: Uint8Array): void {
    const bus = this.#env.bus;
    if (bus === null) return;
    try {
      const published = bus.publish(this.docName, encodeBusEnvelope(this.#env.instanceId, frame));
      if (published instanceof Promise) {
        published.catch((error: unknown) => this.#env.metrics.error?.(this.docName, 'bus', error));
      }
    } catch (error) {
      this.#env.metrics.error?.(this.docName, 'bus', error);
    }
  }

  #onBus = (bytes: Uint8Array): void => {
    if (this.#state === 'loading') this.#busBacklog.push(new Uint8Array(bytes));
    else if (this.#state === 'ready') this.#handleBus(bytes);
  };

  #handleBus(bytes: Uint8Array): void {
    let sender: string;
    let message: SyncMessage;
    try {
      const envelope = decodeBusEnvelope(bytes);
      sender = envelope.sender;
      if (sender === this.#env.instanceId) return;
      message = decodeSyncMessage(envelope.frame);
    } catch (error) {
      this.#env.metrics.error?.(this.docName, 'bus', error);
      return;
    }
    switch (message.kind) {
      case 'sync-step2':
      case 'sync-update': {
        if (message.empty) return;
        // Already durable and checked: the publishing instance did both before publishing.
        this.#documentBytes += message.update.byteLength;
        this.#contentBytes += message.update.byteLength;
        this.#apply(message.update, busOrigin);
        const frame = encodeUpdateMessage(message.update);
        for (const peer of this.#peers) this.#send(peer, frame);
        this.#retryWaiting();
        return;
      }
      case 'awareness':
        this.#acceptRemoteAwareness(`instance:${sender}`, message.entries);
        return;
      case 'query-awareness': {
        const local = [...this.#peers]
          .flatMap((peer) => this.#owners.owned(peer))
          .filter((clientId) => this.awareness.getStates().has(clientId));
        if (local.length > 0) {
          this.#publish(encodeAwarenessMessage(encodeAwarenessUpdate(this.awareness, local)));
        }
        return;
      }
      case 'sync-step1':
        return;
    }
  }

  #acceptRemoteAwareness(owner: AwarenessOwner, entries: readonly AwarenessEntry[]): void {
    const accepted: AwarenessEntry[] = [];
    for (const entry of entries) {
      if (entry.clientId === this.awareness.clientID) continue;
      const current = this.#owners.ownerOf(entry.clientId);
      // A local connection's id is ours to speak for; a stale message from where it used to be connected is not.
      if (current instanceof Peer) continue;
      if (entry.state === null) {
        this.#owners.releaseClient(entry.clientId);
      } else {
        // The sending instance already stamped the identity from its own authenticated context.
        const user = entry.state.user;
        const userId =
          typeof user === 'object' && user !== null && 'id' in user && typeof user.id === 'string'
            ? user.id
            : '';
        this.#owners.claim(entry.clientId, owner, userId, Number.POSITIVE_INFINITY, () => true);
      }
      accepted.push(entry);
    }
    if (accepted.length > 0)
      applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), busOrigin);
  }

  // ---- lifecycle ----

  async #load(): Promise<void> {
    const startedAt = this.#env.now();
    try {
      const bus = this.#env.bus;
      if (bus !== null) {
        // Subscribe before reading storage: an update made durable after our read is then certain to reach us.
        const unsubscribe = await bus.subscribe(this.docName, this.#onBus);
        if (this.#isClosed()) {
          unsubscribe();
          return;
        }
        this.#unsubscribe = unsubscribe;
      }
      const stored = await this.#env.storage.load(this.docName);
      if (this.#isClosed()) return;
      this.#withoutUpdateEvent(() =>
        applyStoredDoc(this.doc, stored, storageOrigin, (error) =>
          this.#env.metrics.error?.(this.docName, 'apply', error),
        ),
      );
      this.#documentBytes = storedBytes(stored);
      this.#contentBytes = storedBytes(stored);
      this.#state = 'ready';
      // A server-side edit like any other: durable before anyone is sent the document.
      const layout = this.#env.layout;
      if (layout !== null) this.doc.transact(() => layout.repair(this.doc), repairOrigin);
      this.#env.loaded(this, stored);
      this.#env.metrics.roomLoaded?.(this.docName, this.#env.now() - startedAt, storedBytes(stored));
      this.#loaded.resolve();
    } catch (error) {
      this.#env.metrics.error?.(this.docName, 'load', error);
      this.#loaded.reject(new AppError('INTERNAL', 'document could not be loaded', { cause: error }));
      this.closeAll(syncCloseCodes.unavailable, 'document unavailable');
      this.#destroy();
      return;
    }
    const backlog = this.#busBacklog;
    this.#busBacklog = [];
    for (const bytes of backlog) this.#handleBus(bytes);
    if (this.#env.bus !== null) this.#publish(encodeQueryAwareness());
    for (const peer of [...this.#peers]) this.#greet(peer);
    this.#unloadWhenUnused();
  }

  // The state is re-read after every await; a method call keeps the type checker from narrowing it away.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #greet(peer: Peer): void {
    this.#send(peer, encodeSyncStep1(this.doc));
    if (this.awareness.getStates().size > 0) this.#send(peer, this.#fullAwarenessMessage());
    const buffered = peer.buffered;
    peer.buffered = [];
    for (const frame of buffered) {
      if (peer.closed) break;
      this.#handle(peer, frame);
    }
  }

  #send(peer: Peer, bytes: Uint8Array): void {
    if (peer.closed) return;
    try {
      peer.connection.send(bytes);
    } catch {
      this.#closePeer(peer, syncCloseCodes.goingAway, 'send failed');
    }
  }

  #closePeer(peer: Peer, code: number, reason: string): void {
    if (peer.closed) return;
    // Forget the peer first: a transport may report its close synchronously through leave().
    this.#remove(peer, code, reason);
    try {
      peer.connection.close(code, reason);
    } catch {
      // The transport is already gone.
    }
  }

  #remove(peer: Peer, code: number | null, reason: string): void {
    if (peer.closed) return;
    peer.closed = true;
    peer.buffered = [];
    peer.waiting = [];
    clearTimeout(peer.waitTimer);
    this.#peers.delete(peer);
    this.#deferredSyncReplies = this.#deferredSyncReplies.filter((reply) => reply.peer !== peer);
    this.#env.metrics.connectionClosed?.(this.docName, code, reason);
    const owned = this.#owners.release(peer);
    if (this.#state === 'ready' && owned.length > 0)
      removeAwarenessStates(this.awareness, owned, leaveOrigin);
    this.#unloadWhenUnused();
  }

  #unloadWhenUnused(): void {
    if (this.#state !== 'ready' || this.#peers.size > 0 || this.#holds > 0 || this.#unloadPending) return;
    this.#unloadPending = true;
    void this.#writes.whenIdle().then(() => {
      this.#unloadPending = false;
      if (this.#state === 'ready' && this.#peers.size === 0 && this.#holds === 0) this.#destroy();
    });
  }

  /** Unloads now if nothing is connected, held or being written; for shutdown. */
  unload(): void {
    if (this.#peers.size === 0 && this.#holds === 0 && this.#writes.pending === 0) this.#destroy();
  }

  #destroy(): void {
    if (this.#state === 'closed') return;
    const wasReady = this.#state === 'ready';
    this.#state = 'closed';
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.awareness.off('update', this.#onAwarenessUpdate);
    this.doc.off('update', this.#onDocUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.#pending.clear();
    this.#fullStateReply = null;
    this.#deferredSyncReplies = [];
    this.#busBacklog = [];
    // Settles `ready` for anyone still waiting on a room that never finished loading.
    this.#loaded.reject(new AppError('INTERNAL', 'document was unloaded'));
    if (wasReady) this.#env.metrics.roomUnloaded?.(this.docName);
    this.#env.closed(this);
  }
}
