// Test wiring: an in-memory "network" between RoomManagers and clients. Honest clients are the real y-websocket
// WebsocketProvider over an in-memory WebSocket; adversarial ones are RawPeers that send whatever bytes a test wants.
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { MemoryDocStorage } from '../memory-storage.ts';
import type { MemoryRoomBus } from '../memory-bus.ts';
import type { RoomManager } from '../room-manager.ts';
import type {
  ConnectionContext,
  DocStorage,
  RoomHandle,
  StagedState,
  StoredDoc,
  SyncMetrics,
} from '../types.ts';
import { isStaged, snapshotUpdate } from '../stored-doc.ts';

export const alice: ConnectionContext = { userId: 'u-alice', name: 'Alice', color: '#f00', readOnly: false };
export const bob: ConnectionContext = { userId: 'u-bob', name: 'Bob', color: '#0f0', readOnly: false };
export const carol: ConnectionContext = { userId: 'u-carol', name: 'Carol', color: '#00f', readOnly: false };
export const reviewer: ConnectionContext = { userId: 'u-rita', name: 'Rita', color: '#999', readOnly: true };
export const mallory: ConnectionContext = {
  userId: 'u-mallory',
  name: 'Mallory',
  color: '#000',
  readOnly: false,
};

/** Counts deliveries in flight so tests can wait for quiet. Every hop is a macrotask, like a real socket. */
export class Network {
  inFlight = 0;

  deliver(task: () => void): void {
    this.inFlight++;
    setTimeout(() => {
      this.inFlight--;
      task();
    }, 0);
  }
}

export interface Closed {
  code: number;
  reason: string;
}

/** A client that speaks raw frames; records what the server sends and how it closed the connection. */
export class RawPeer {
  readonly received: Uint8Array[] = [];
  closed: Closed | null = null;
  readonly handle: RoomHandle;
  readonly #network: Network;

  constructor(network: Network, manager: RoomManager, docName: string, context: ConnectionContext) {
    this.#network = network;
    this.handle = manager.join(
      docName,
      {
        send: (bytes) => {
          const copy = bytes.slice();
          network.deliver(() => this.received.push(copy));
        },
        close: (code, reason) => {
          this.closed ??= { code, reason };
        },
      },
      context,
    );
  }

  send(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.#network.deliver(() => this.handle.receive(copy));
  }

  /** Frames received so far whose first varUint is `type`. */
  framesOfType(type: number): Uint8Array[] {
    return this.received.filter((frame) => decoding.readVarUint(decoding.createDecoder(frame)) === type);
  }
}

type Route = (url: URL) => { manager: RoomManager; context: ConnectionContext };

/**
 * A WebSocket class for y-websocket's `WebSocketPolyfill` option that connects straight into a RoomManager. The URL
 * path's last segment is the document; the `user` query parameter picks the connection context.
 */
export function inMemoryWebSocket(network: Network, route: Route): typeof WebSocket {
  class InMemoryWebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSING = 2;
    readonly CLOSED = 3;
    readyState = 0;
    binaryType = 'arraybuffer';
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    #handle: RoomHandle | null = null;

    constructor(url: string) {
      network.deliver(() => {
        if (this.readyState !== 0) return;
        const parsed = new URL(url);
        const { manager, context } = route(parsed);
        const docName = decodeURIComponent(parsed.pathname.split('/').at(-1) ?? '');
        this.readyState = 1;
        this.#handle = manager.join(
          docName,
          {
            send: (bytes) => {
              const data = bytes.slice().buffer;
              network.deliver(() => {
                if (this.readyState === 1) this.onmessage?.({ data });
              });
            },
            close: (code, reason) => this.#closedBy(code, reason),
          },
          context,
        );
        this.onopen?.({});
      });
    }

    send(data: Uint8Array | ArrayBuffer): void {
      if (this.readyState !== 1) return;
      const copy = data instanceof Uint8Array ? data.slice() : new Uint8Array(data.slice(0));
      const handle = this.#handle;
      network.deliver(() => handle?.receive(copy));
    }

    close(code = 1000, reason = ''): void {
      if (this.readyState >= 2) return;
      this.#closedBy(code, reason);
    }

    #closedBy(code: number, reason: string): void {
      if (this.readyState >= 2) return;
      this.readyState = 3;
      // What the server does when its socket closes.
      this.#handle?.leave();
      network.deliver(() => this.onclose?.({ code, reason }));
    }
  }
  return InMemoryWebSocket as unknown as typeof WebSocket;
}

export interface Cluster {
  network: Network;
  storage: DocStorage;
  buses: MemoryRoomBus[];
  managers: RoomManager[];
  providers: WebsocketProvider[];
  /** A real y-websocket client for `context`, connected to `managers[instance]`. */
  connect: (docName: string, context: ConnectionContext, instance?: number) => WebsocketProvider;
  /** Waits until no message is in flight and (unless storage is deliberately held) no write is pending. */
  settle: (options?: { writes?: boolean }) => Promise<void>;
  destroy: () => void;
}

export function createCluster(
  managers: RoomManager[],
  storage: DocStorage,
  buses: MemoryRoomBus[] = [],
): Cluster {
  const network = new Network();
  const contexts = new Map<string, { manager: RoomManager; context: ConnectionContext }>();
  let nextKey = 0;
  const WebSocketClass = inMemoryWebSocket(network, (url) => {
    const target = contexts.get(url.searchParams.get('key') ?? '');
    if (target === undefined) throw new Error(`no route for ${url.href}`);
    return target;
  });
  const providers: WebsocketProvider[] = [];
  const cluster: Cluster = {
    network,
    storage,
    buses,
    managers,
    providers,
    connect: (docName, context, instance = 0) => {
      const manager = managers[instance];
      if (manager === undefined) throw new Error(`no manager ${instance}`);
      const key = String(nextKey++);
      contexts.set(key, { manager, context });
      const provider = new WebsocketProvider('ws://tandem.test/yjs', docName, new Y.Doc(), {
        WebSocketPolyfill: WebSocketClass,
        params: { key },
        disableBc: true,
        maxBackoffTime: 20,
      });
      providers.push(provider);
      return provider;
    },
    settle: async ({ writes = true } = {}) => {
      let quiet = 0;
      while (quiet < 3) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (writes) await Promise.all(managers.map((manager) => manager.whenIdle()));
        const busy = network.inFlight > 0 || buses.some((bus) => bus.inFlight > 0);
        quiet = busy ? 0 : quiet + 1;
      }
    },
    destroy: () => {
      for (const provider of providers) {
        provider.destroy();
        provider.doc.destroy();
      }
    },
  };
  return cluster;
}

/** Polls `condition` (with the cluster settled in between) until it holds; throws after `timeoutMs`. */
export async function waitFor(cluster: Cluster, condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await cluster.settle();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Records metric calls by name. */
export function recordingMetrics(): SyncMetrics & {
  calls: Map<string, unknown[][]>;
  count(name: string): number;
} {
  const calls = new Map<string, unknown[][]>();
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      const list = calls.get(name) ?? [];
      list.push(args);
      calls.set(name, list);
    };
  return {
    calls,
    count: (name) => calls.get(name)?.length ?? 0,
    connectionOpened: record('connectionOpened'),
    connectionClosed: record('connectionClosed'),
    messageReceived: record('messageReceived'),
    refused: record('refused'),
    persisted: record('persisted'),
    roomLoaded: record('roomLoaded'),
    roomUnloaded: record('roomUnloaded'),
    compacted: record('compacted'),
    error: record('error'),
  };
}

/**
 * Wraps a storage so a test can hold appends pending, make them fail, and see every call. While held, appends wait
 * until `release()`; a queued failure rejects the next append.
 */
export class ControlledStorage implements DocStorage {
  readonly inner: MemoryDocStorage;
  readonly appends: Uint8Array[][] = [];
  readonly replaces: Uint8Array[][] = [];
  failNextAppends = 0;
  failLoads = false;
  #held = false;
  #waiting: (() => void)[] = [];
  #loadsHeld = false;
  #waitingLoads: (() => void)[] = [];

  holdLoads(): void {
    this.#loadsHeld = true;
  }

  releaseLoads(): void {
    this.#loadsHeld = false;
    const waiting = this.#waitingLoads;
    this.#waitingLoads = [];
    for (const resume of waiting) resume();
  }

  constructor(inner = new MemoryDocStorage()) {
    this.inner = inner;
  }

  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resume of waiting) resume();
  }

  get pendingAppends(): number {
    return this.#waiting.length;
  }

  async load(docName: string): Promise<StoredDoc> {
    if (this.#loadsHeld) await new Promise<void>((resume) => this.#waitingLoads.push(resume));
    if (this.failLoads) throw new Error('database down');
    return this.inner.load(docName);
  }

  async append(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    this.appends.push([...updates]);
    if (this.#held) await new Promise<void>((resume) => this.#waiting.push(resume));
    if (this.failNextAppends > 0) {
      this.failNextAppends--;
      throw new Error('disk full');
    }
    await this.inner.append(docName, updates);
  }

  compact(docName: string, snapshot: Uint8Array | readonly Uint8Array[], throughSeq: number): Promise<void> {
    return this.inner.compact(docName, snapshot, throughSeq);
  }

  /** Held like appends; a state staged with `stage` is stored as the parts it was staged with. */
  async replace(
    docName: string,
    state: readonly Uint8Array[] | StagedState,
    loadedSeq: number,
  ): Promise<void> {
    const parts = isStaged(state) ? this.#staged.get(state) : state;
    if (parts === undefined) throw new Error('this state was not staged here');
    this.replaces.push([...parts]);
    if (this.#held) await new Promise<void>((resume) => this.#waiting.push(resume));
    await this.inner.replace(docName, parts, loadedSeq);
  }

  readonly #staged = new WeakMap<StagedState, readonly Uint8Array[]>();

  /** Stages a state, as another thread would write it into the storage ahead of `replace`. */
  stage(parts: readonly Uint8Array[]): StagedState {
    const staged = { bytes: parts.reduce((sum, part) => sum + part.byteLength, 0) };
    this.#staged.set(staged, parts);
    return staged;
  }
}

/** Content of the top-level Y.Text `name`. */
export function textOf(doc: Y.Doc, name = 'text'): string {
  return doc.getText(name).toJSON();
}

/** Rebuilds a document from storage, the way a freshly started server would. */
export async function reloadFromStorage(storage: DocStorage, docName: string): Promise<Y.Doc> {
  const stored = await storage.load(docName);
  const doc = new Y.Doc();
  const snapshot = snapshotUpdate(stored.snapshot);
  if (snapshot !== null) Y.applyUpdate(doc, snapshot);
  for (const update of stored.updates) Y.applyUpdate(doc, update);
  return doc;
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
