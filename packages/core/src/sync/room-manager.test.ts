import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { syncCloseCodes } from './close-codes.ts';
import { MemoryDocStorage } from './memory-storage.ts';
import {
  decodeSyncMessage,
  encodeAwarenessMessage,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeUpdateMessage,
  messageAwareness,
  messageSync,
} from './protocol.ts';
import { workspaceDocLayout } from '../files/doc-layout.ts';
import { RoomManager, type RoomManagerOptions } from './room-manager.ts';
import {
  type Cluster,
  ControlledStorage,
  RawPeer,
  alice,
  bob,
  carol,
  createCluster,
  mallory,
  recordingMetrics,
  reloadFromStorage,
  reviewer,
  textOf,
  waitFor,
} from './test/harness.ts';
import type { DocStorage } from './types.ts';

const clusters: Cluster[] = [];
afterEach(() => {
  for (const cluster of clusters.splice(0)) cluster.destroy();
});

function single(options: Partial<RoomManagerOptions> & { storage?: DocStorage } = {}) {
  const storage = options.storage ?? new MemoryDocStorage();
  const metrics = recordingMetrics();
  const manager = new RoomManager({ metrics, ...options, storage });
  const cluster = createCluster([manager], storage);
  clusters.push(cluster);
  return { ...cluster, manager, metrics, storage };
}

function updateFrame(edit: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  edit(doc);
  return encodeUpdateMessage(Y.encodeStateAsUpdate(doc));
}

function awarenessFrame(entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, JSON.stringify(entry.state));
  }
  return encodeAwarenessMessage(encoding.toUint8Array(encoder));
}

describe('RoomManager: convergence', () => {
  it('two clients converge under concurrent edits', async () => {
    const { connect, settle, manager } = single();
    const a = connect('ws1', alice);
    const b = connect('ws1', bob);
    await settle();
    for (let round = 0; round < 20; round++) {
      // Both edit before either hears of the other's change.
      a.doc.getText('text').insert(0, `a${round} `);
      b.doc.getText('text').insert(b.doc.getText('text').length, `b${round} `);
      if (round % 5 === 4) b.doc.getText('text').delete(0, 3);
    }
    a.doc.getMap('files').set('x.ts', new Y.Text('export {}'));
    await settle();
    expect(textOf(a.doc)).toBe(textOf(b.doc));
    expect(textOf(a.doc)).toContain('a19');
    expect(textOf(a.doc)).toContain('b19');
    expect(b.doc.getMap<Y.Text>('files').get('x.ts')?.toJSON()).toBe('export {}');
    const server = manager.getDoc('ws1');
    expect(server && textOf(server)).toBe(textOf(a.doc));
  });

  it('a late joiner gets everything', async () => {
    const { connect, settle } = single();
    const a = connect('ws1', alice);
    await settle();
    a.doc.getText('text').insert(0, 'hello ');
    a.doc.getText('text').insert(6, 'world');
    await settle();
    const late = connect('ws1', bob);
    await settle();
    expect(late.synced).toBe(true);
    expect(textOf(late.doc)).toBe('hello world');
  });

  it('merges what a client typed offline when it connects', async () => {
    const { connect, settle, manager } = single();
    const a = connect('ws1', alice);
    await settle();
    a.doc.getText('text').insert(0, 'server side');
    await settle();
    const b = connect('ws1', bob);
    b.doc.getText('text').insert(0, 'offline ');
    await settle();
    expect(textOf(b.doc)).toBe(textOf(a.doc));
    expect(textOf(a.doc)).toContain('offline ');
    const server = manager.getDoc('ws1');
    expect(server && textOf(server)).toBe(textOf(a.doc));
  });

  it('unloads the room when the last client leaves and reloads the same document from storage', async () => {
    const { connect, settle, manager, metrics, storage } = single();
    const a = connect('ws1', alice);
    const b = connect('ws1', bob);
    await settle();
    a.doc.getText('text').insert(0, 'persist me');
    b.doc.getMap('files').set('a.ts', new Y.Text('const a = 1;'));
    await settle();
    const before = Y.encodeStateVector(a.doc);
    a.disconnect();
    b.disconnect();
    await settle();
    expect(manager.roomCount).toBe(0);
    expect(metrics.count('roomUnloaded')).toBe(1);

    const reloaded = await reloadFromStorage(storage, 'ws1');
    expect(textOf(reloaded)).toBe('persist me');
    expect(Y.encodeStateVector(reloaded)).toEqual(before);

    const c = connect('ws1', carol);
    await settle();
    expect(metrics.count('roomLoaded')).toBe(2);
    expect(textOf(c.doc)).toBe('persist me');
    expect(c.doc.getMap<Y.Text>('files').get('a.ts')?.toJSON()).toBe('const a = 1;');
  });
});

describe('RoomManager: first sync of new clients', () => {
  /** Joins with a bare handle that keeps the very arrays the room sends, and asks to sync what `local` lacks. */
  function joinRaw(manager: RoomManager, local: Y.Doc) {
    const frames: Uint8Array[] = [];
    const handle = manager.join(
      'ws1',
      { send: (bytes) => frames.push(bytes), close: () => undefined },
      carol,
    );
    handle.receive(encodeSyncStep1(local));
    const reply = () =>
      frames.find((frame) => {
        const message = decodeSyncMessage(frame);
        return message.kind === 'sync-step2';
      });
    return { handle, reply };
  }

  const docOf = (frame: Uint8Array | undefined) => {
    const message = frame && decodeSyncMessage(frame);
    if (!message || message.kind !== 'sync-step2') throw new Error('no sync reply');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, message.update);
    return doc;
  };

  it('encodes the whole document once for every client that has nothing, until the document changes', async () => {
    const { connect, settle, manager } = single();
    const writer = connect('ws1', alice);
    await settle();
    writer.doc.getText('text').insert(0, 'shared text');
    await settle();
    const empty = new Y.Doc();
    const first = joinRaw(manager, empty);
    const second = joinRaw(manager, empty);
    await settle();
    expect(first.reply()).toBeDefined();
    expect(second.reply()).toBe(first.reply());
    expect(textOf(docOf(first.reply()))).toBe('shared text');

    writer.doc.getText('text').insert(0, 'more ');
    await settle();
    const third = joinRaw(manager, empty);
    await settle();
    expect(third.reply()).not.toBe(first.reply());
    expect(textOf(docOf(third.reply()))).toBe('more shared text');

    // A client that already holds part of the document gets only what it lacks, never the shared full reply.
    const partial = new Y.Doc();
    Y.applyUpdate(partial, Y.encodeStateAsUpdate(writer.doc));
    const returning = joinRaw(manager, partial);
    await settle();
    expect(returning.reply()).not.toBe(third.reply());
    expect(returning.reply()?.byteLength).toBeLessThan(third.reply()?.byteLength ?? 0);
    for (const peer of [first, second, third, returning]) peer.handle.leave();
  });

  it('refuses an update that builds on content the server never gets, after a bounded wait, keeping nothing', async () => {
    const { connect, settle, manager } = single({ limits: { missingContentWaitMs: 50 } });
    const writer = connect('ws1', alice);
    await settle();
    writer.doc.getText('text').insert(0, 'shared text');
    await settle();
    const before = joinRaw(manager, new Y.Doc());
    await settle();
    expect(before.reply()).toBeDefined();

    // The second half of someone's typing, without the first: Yjs would keep it pending, out of every check's sight
    // until the first half arrived, and in memory for good if it never did.
    const typist = new Y.Doc();
    typist.getText('other').insert(0, 'ab');
    const half = Y.encodeStateVector(typist);
    typist.getText('other').insert(2, 'cd');
    const closed: { code: number; reason: string }[] = [];
    const sender = manager.join(
      'ws1',
      { send: () => undefined, close: (code, reason) => closed.push({ code, reason }) },
      carol,
    );
    sender.receive(encodeUpdateMessage(Y.encodeStateAsUpdate(typist, half)));
    await settle();
    expect(closed).toEqual([]);
    await vi.waitFor(
      () =>
        expect(closed).toEqual([
          { code: syncCloseCodes.invalidUpdate, reason: expect.stringMatching(/unknown content/) as unknown },
        ]),
      { timeout: 2_000 },
    );

    const after = joinRaw(manager, new Y.Doc());
    await settle();
    expect(after.reply()).toBe(before.reply());
    expect(manager.getDoc('ws1')?.store.pendingStructs).toBeNull();
    expect(manager.getDoc('ws1')?.getText('other').toString()).toBe('');
    for (const peer of [before, after]) peer.handle.leave();
  });

  it('takes an update that overtook what it builds on once that arrives (a reconnect after a restart)', async () => {
    const { settle, manager } = single({ limits: { missingContentWaitMs: 60_000 } });
    const typist = new Y.Doc();
    typist.getText('other').insert(0, 'ab');
    const first = Y.encodeStateAsUpdate(typist);
    const half = Y.encodeStateVector(typist);
    typist.getText('other').insert(2, 'cd');
    const second = Y.encodeStateAsUpdate(typist, half);
    const closed: number[] = [];
    const sender = manager.join('ws1', { send: () => undefined, close: (code) => closed.push(code) }, carol);
    await settle();
    // The new keystroke first, then the sync reply carrying what it builds on.
    sender.receive(encodeUpdateMessage(second));
    await settle();
    expect(manager.getDoc('ws1')?.getText('other').toString()).toBe('');
    sender.receive(encodeUpdateMessage(first));
    await settle();
    expect(closed).toEqual([]);
    expect(manager.getDoc('ws1')?.getText('other').toString()).toBe('abcd');
    expect(manager.getDoc('ws1')?.store.pendingStructs).toBeNull();
    sender.leave();
  });
});

describe('RoomManager: persist before broadcast', () => {
  it('peers and new joiners see nothing until the append resolves', async () => {
    const storage = new ControlledStorage();
    const { connect, settle, manager } = single({ storage });
    const a = connect('ws1', alice);
    const b = connect('ws1', bob);
    await settle();
    storage.hold();
    a.doc.getText('text').insert(0, 'not yet durable');
    await settle({ writes: false });
    expect(storage.pendingAppends).toBe(1);
    expect(textOf(b.doc)).toBe('');
    const server = manager.getDoc('ws1');
    expect(server && textOf(server)).toBe('');
    const late = connect('ws1', carol);
    await settle({ writes: false });
    expect(late.synced).toBe(true);
    expect(textOf(late.doc)).toBe('');

    storage.release();
    await settle();
    expect(textOf(b.doc)).toBe('not yet durable');
    expect(textOf(late.doc)).toBe('not yet durable');
    expect((await reloadFromStorage(storage, 'ws1')).getText('text').toJSON()).toBe('not yet durable');
  });

  it('group-commits updates that arrive during an append, in order', async () => {
    const storage = new ControlledStorage();
    const { settle, network, manager, metrics } = single({ storage });
    const writer = new RawPeer(network, manager, 'ws1', alice);
    await settle();
    const doc = new Y.Doc();
    const frames: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => frames.push(encodeUpdateMessage(update)));
    for (let i = 0; i < 6; i++) doc.getText('text').insert(i, String(i));
    storage.hold();
    writer.send(frames[0]!);
    await settle({ writes: false });
    for (const frame of frames.slice(1)) writer.send(frame);
    await settle({ writes: false });
    expect(storage.appends.map((batch) => batch.length)).toEqual([1]);
    storage.release();
    await settle();
    expect(storage.appends.map((batch) => batch.length)).toEqual([1, 5]);
    expect(metrics.calls.get('persisted')?.map((call) => call[1])).toEqual([1, 5]);
    const server = manager.getDoc('ws1');
    expect(server && textOf(server)).toBe('012345');
    // Storage holds them in arrival order: replaying one by one never leaves anything pending.
    const replay = new Y.Doc();
    for (const update of storage.appends.flat()) {
      Y.applyUpdate(replay, update);
      expect(replay.store.pendingStructs).toBeNull();
    }
  });

  it('closes only the sender with a retryable code when the append fails, and its resend converges', async () => {
    const storage = new ControlledStorage();
    const cluster = single({ storage });
    const { connect, settle, manager, metrics } = cluster;
    const a = connect('ws1', alice);
    const b = connect('ws1', bob);
    await settle();
    const closes: number[] = [];
    a.on('connection-close', (event: { code: number } | null) => closes.push(event?.code ?? -1));
    storage.failNextAppends = 1;
    a.doc.getText('text').insert(0, 'retry me');
    await settle();
    expect(closes).toEqual([syncCloseCodes.unavailable]);
    expect(metrics.calls.get('error')?.map((call) => call[1])).toEqual(['append']);
    // y-websocket reconnects on 45xx and resends what the server lacks.
    await waitFor(cluster, () => a.wsconnected && textOf(b.doc) === 'retry me');
    expect(textOf(b.doc)).toBe('retry me');
    const server = manager.getDoc('ws1');
    expect(server && textOf(server)).toBe('retry me');
  });

  it('buffers frames that arrive while the document loads, copying pooled buffers', async () => {
    const storage = new ControlledStorage();
    storage.holdLoads();
    const { settle, network, manager, connect } = single({ storage });
    const peer = new RawPeer(network, manager, 'ws1', alice);
    const frame = updateFrame((doc) => doc.getText('text').insert(0, 'typed during load'));
    // Like ws: a Buffer view into a pool that is reused after the handler returns.
    const pool = Buffer.alloc(frame.length + 16);
    pool.set(frame, 8);
    peer.handle.receive(pool.subarray(8, 8 + frame.length));
    pool.fill(0);
    await settle({ writes: false });
    expect(manager.getDoc('ws1')).toBeUndefined();
    storage.releaseLoads();
    const b = connect('ws1', bob);
    await settle();
    expect(peer.closed).toBeNull();
    expect(textOf(b.doc)).toBe('typed during load');
  });

  it('closes every connection when the document cannot be loaded', async () => {
    const storage = new ControlledStorage();
    storage.failLoads = true;
    const { network, settle, manager, metrics } = single({ storage });
    const peer = new RawPeer(network, manager, 'ws1', alice);
    await settle();
    expect(peer.closed).toEqual({ code: syncCloseCodes.unavailable, reason: 'document unavailable' });
    expect(manager.roomCount).toBe(0);
    expect(metrics.calls.get('error')?.map((call) => call[1])).toEqual(['load']);
  });
});

describe('RoomManager: server-side edits', () => {
  it('transact persists, then broadcasts, then resolves', async () => {
    const storage = new ControlledStorage();
    const { connect, settle, manager } = single({ storage });
    const a = connect('ws1', alice);
    await settle();
    storage.hold();
    let resolved = false;
    const done = manager
      .transact('ws1', (doc) => {
        doc.getText('text').insert(0, 'from the AI');
        return 42;
      })
      .then((value) => {
        resolved = true;
        return value;
      });
    await settle({ writes: false });
    expect(resolved).toBe(false);
    expect(textOf(a.doc)).toBe('');
    // A peer connecting now must not be told about the edit before it is durable.
    const late = connect('ws1', bob);
    await settle({ writes: false });
    expect(late.synced).toBe(false);
    expect(textOf(late.doc)).toBe('');
    storage.release();
    expect(await done).toBe(42);
    await settle();
    expect(late.synced).toBe(true);
    expect(textOf(a.doc)).toBe('from the AI');
    expect(textOf(late.doc)).toBe('from the AI');
  });

  it('loads a document nobody is connected to, edits it and unloads it again', async () => {
    const { manager, storage, settle } = single();
    await manager.transact('ws1', (doc) => doc.getText('text').insert(0, 'written by file.write'));
    await settle();
    expect(manager.roomCount).toBe(0);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('written by file.write');
  });

  it('persists edits made directly on getDoc() with the caller origin before broadcasting them', async () => {
    const { connect, settle, manager, storage } = single();
    const a = connect('ws1', alice);
    await settle();
    const doc = manager.getDoc('ws1');
    if (doc === undefined) throw new Error('room not loaded');
    const undo = new Y.UndoManager(doc.getText('text'), { trackedOrigins: new Set(['task-1']) });
    doc.transact(() => doc.getText('text').insert(0, 'task edit'), 'task-1');
    await settle();
    expect(textOf(a.doc)).toBe('task edit');
    undo.undo();
    await settle();
    expect(textOf(a.doc)).toBe('');
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('');
  });

  it('still stores and sends its own edits after applying a peer’s update and after loading from storage', async () => {
    const { connect, settle, manager, storage } = single();
    const a = connect('ws1', alice);
    const b = connect('ws1', bob);
    await settle();
    a.doc.getText('text').insert(0, 'peer ');
    await settle();
    const doc = manager.getDoc('ws1');
    if (doc === undefined) throw new Error('room not loaded');
    doc.transact(() => doc.getText('text').insert(5, 'server '), 'task-1');
    await settle();
    expect(textOf(b.doc)).toBe('peer server ');
    a.destroy();
    b.destroy();
    await settle();
    expect(manager.roomCount).toBe(0);
    // Loaded again from what was stored, then edited with nobody connected.
    await manager.transact('ws1', (loaded) => loaded.getText('text').insert(0, 'reloaded '));
    await settle();
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('reloaded peer server ');
  });

  it('rejects transact and resets the room when its edit cannot be stored', async () => {
    const storage = new ControlledStorage();
    const { connect, settle, manager } = single({ storage });
    const a = connect('ws1', alice);
    await settle();
    a.doc.getText('text').insert(0, 'kept');
    await settle();
    storage.failNextAppends = 1;
    const closes: number[] = [];
    a.on('connection-close', (event: { code: number } | null) => closes.push(event?.code ?? -1));
    await expect(
      manager.transact('ws1', (doc) => doc.getText('text').insert(0, 'lost ')),
    ).rejects.toBeInstanceOf(AppError);
    await settle();
    expect(closes).toEqual([syncCloseCodes.unavailable]);
    expect(textOf(a.doc)).toBe('kept');
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('kept');
  });
});

describe('RoomManager: edits of documents nobody has open', () => {
  /** An edit built elsewhere on the stored state, as a worker does: its updates, one per transaction. */
  function editOf(stored: { snapshot: unknown; updates: Uint8Array[] }, text: string) {
    const doc = new Y.Doc();
    for (const update of stored.updates) Y.applyUpdate(doc, update);
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    doc.getText('text').insert(0, text);
    return { updates, client: doc.clientID };
  }

  it('stores the edit without loading the document, and a room opened later has it', async () => {
    const serverWrote = vi.fn();
    const { manager, storage, connect, settle, metrics } = single({ authorship: { serverWrote } });
    await manager.transact('ws1', (doc) => doc.getText('text').insert(0, 'before'));
    await settle();
    const edit = await manager.unloadedEdit('ws1');
    if (edit === null) throw new Error('the document is not loaded');
    expect(manager.roomCount).toBe(0);
    const { updates, client } = editOf(edit.stored, 'worker: ');
    const origin = { kind: 'upload' };
    expect(await edit.commit({ updates }, { origin, client, clockStart: 0, clockEnd: 8 })).toBe(true);
    expect(manager.roomCount).toBe(0);
    // Loaded once, for the edit before; the unloaded edit opened no room.
    expect(metrics.count('roomLoaded')).toBe(1);
    expect(serverWrote).toHaveBeenLastCalledWith('ws1', origin, client, 0, 8);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('worker: before');
    const a = connect('ws1', alice);
    await settle();
    expect(textOf(a.doc)).toBe('worker: before');
  });

  it('writes nothing when the document was opened, or another such edit committed, in the meantime', async () => {
    const { manager, storage, connect, settle } = single();
    const first = await manager.unloadedEdit('ws1');
    const second = await manager.unloadedEdit('ws1');
    if (first === null || second === null) throw new Error('the document is not loaded');
    expect(await first.commit({ updates: editOf(first.stored, 'one ').updates })).toBe(true);
    // The second was checked against a state without the first.
    expect(await second.commit({ updates: editOf(second.stored, 'two ').updates })).toBe(false);
    const third = await manager.unloadedEdit('ws1');
    if (third === null) throw new Error('the document is not loaded');
    const a = connect('ws1', alice);
    await settle();
    expect(await manager.unloadedEdit('ws1')).toBeNull();
    expect(await third.commit({ updates: editOf(third.stored, 'three ').updates })).toBe(false);
    a.destroy();
    await settle();
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('one ');
  });

  it('makes a room that opens while the edit is being stored wait for all of it', async () => {
    const storage = new ControlledStorage();
    const { manager, connect, settle } = single({ storage });
    const edit = await manager.unloadedEdit('ws1');
    if (edit === null) throw new Error('the document is not loaded');
    const built = editOf(edit.stored, 'stored first');
    storage.hold();
    const committed = edit.commit({ updates: built.updates });
    await vi.waitFor(() => expect(storage.pendingAppends).toBe(1));
    const a = connect('ws1', alice);
    storage.release();
    expect(await committed).toBe(true);
    await settle();
    expect(textOf(a.doc)).toBe('stored first');
  });

  it('appends a large edit in batches of about a megabyte, counted towards compaction', async () => {
    const storage = new ControlledStorage();
    const { manager, settle } = single({ storage, limits: { compactAfterBytes: 1024 * 1024 } });
    const edit = await manager.unloadedEdit('ws1');
    if (edit === null) throw new Error('the document is not loaded');
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    for (let i = 0; i < 12; i++) doc.getText('text').insert(0, 'x'.repeat(256 * 1024));
    expect(await edit.commit({ updates })).toBe(true);
    expect(storage.appends.map((batch) => batch.length)).toEqual([4, 4, 4]);
    await manager.whenIdle();
    await settle();
    const stored = await storage.load('ws1');
    expect(stored.updates).toHaveLength(0);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toHaveLength(12 * 256 * 1024);
  });

  it('stores an edit given as the whole state in place of the document, leaving nothing to compact', async () => {
    const storage = new ControlledStorage();
    const { manager, connect, settle } = single({ storage, limits: { compactAfterBytes: 1024 } });
    await manager.transact('ws1', (doc) => doc.getText('text').insert(0, 'before'));
    await settle();
    const edit = await manager.unloadedEdit('ws1');
    if (edit === null) throw new Error('the document is not loaded');
    const doc = new Y.Doc();
    for (const update of edit.stored.updates) Y.applyUpdate(doc, update);
    doc.getText('text').insert(0, 'x'.repeat(4096));
    const state = Y.encodeStateAsUpdate(doc);
    storage.hold();
    const committed = edit.commit({ state: [state.slice(0, 1000), state.slice(1000)] });
    await vi.waitFor(() => expect(storage.pendingAppends).toBe(1));
    // A room opening meanwhile waits for the state.
    const a = connect('ws1', alice);
    storage.release();
    expect(await committed).toBe(true);
    await settle();
    expect(textOf(a.doc)).toBe(`${'x'.repeat(4096)}before`);
    expect(storage.appends).toHaveLength(1);
    expect(storage.replaces).toHaveLength(1);
    a.destroy();
    await manager.whenIdle();
    const stored = await storage.load('ws1');
    expect(stored.updates).toHaveLength(0);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe(`${'x'.repeat(4096)}before`);
  });

  it('stores an edit staged in the storage by another thread, reporting its size as persisted', async () => {
    const storage = new ControlledStorage();
    const persisted: number[] = [];
    const { manager, settle } = single({
      storage,
      metrics: { persisted: (_doc, _updates, bytes) => persisted.push(bytes) },
    });
    const edit = await manager.unloadedEdit('ws1');
    if (edit === null) throw new Error('the document is not loaded');
    const doc = new Y.Doc();
    doc.getText('text').insert(0, 'staged elsewhere');
    const state = Y.encodeStateAsUpdate(doc);
    expect(await edit.commit({ staged: storage.stage([state]) })).toBe(true);
    await settle();
    expect(persisted).toEqual([state.byteLength]);
    expect(storage.replaces).toEqual([[state]]);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('staged elsewhere');
    // Not read here: it is handed out once another unloaded edit is stored, so whoever reads it sees all of that.
    const first = await manager.unloadedEdit('ws2');
    storage.hold();
    const storing = first?.commit({ updates: [Y.encodeStateAsUpdate(doc)] });
    await vi.waitFor(() => expect(storage.pendingAppends).toBe(1));
    let handedOut = false;
    const waiting = manager.unloadedEdit('ws2', { read: false }).then((edit) => {
      handedOut = true;
      return edit;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handedOut).toBe(false);
    storage.release();
    expect(await storing).toBe(true);
    (await waiting)?.abandon();
    // Updates or a staged state only, since a state needs the sequence number of what it was built on.
    const unread = await manager.unloadedEdit('ws1', { read: false });
    expect(unread?.stored).toBeNull();
    await expect(unread?.commit({ state: [state] })).rejects.toThrow(/read here/);
    const another = await manager.unloadedEdit('ws1', { read: false });
    expect(await another?.commit({ staged: storage.stage([state]) })).toBe(true);
    // Memory storage has no other thread to stage into.
    await expect(new MemoryDocStorage().replace('ws1', { bytes: 1 }, 0)).rejects.toThrow(/stages/);
  });

  it('is not offered when other instances share the storage', async () => {
    const storage = new MemoryDocStorage();
    const bus = { publish: () => undefined, subscribe: () => () => undefined };
    const manager = new RoomManager({ storage, bus });
    expect(await manager.unloadedEdit('ws1')).toBeNull();
    await manager.close();
  });
});

describe('RoomManager: read-only connections', () => {
  it('closes a reviewer who edits at once, with 4409; one who only reads keeps reading and sharing awareness', async () => {
    const { connect, settle, manager, metrics, storage } = single();
    const editor = connect('ws1', alice);
    const watcher = connect('ws1', reviewer);
    const typist = connect('ws1', reviewer);
    const closes = new Map<unknown, { code: number; reason: string }[]>([
      [watcher, []],
      [typist, []],
    ]);
    for (const [provider, list] of closes) {
      (provider as typeof watcher).on('closed', (event) => list.push(event));
    }
    await settle();
    editor.doc.getText('text').insert(0, 'editor text');
    watcher.awareness.setLocalStateField('cursor', 3);
    await settle();
    typist.doc.getText('text').insert(0, 'reviewer sneaks in ');
    await settle();
    expect(closes.get(typist)).toEqual([
      { code: syncCloseCodes.editsRefused, reason: expect.stringMatching(/read-only/) as unknown },
    ]);
    expect(textOf(editor.doc)).toBe('editor text');
    const server = manager.getDoc('ws1');
    expect(server && textOf(server)).toBe('editor text');
    expect(textOf(watcher.doc)).toBe('editor text');
    expect(closes.get(watcher)).toEqual([]);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('editor text');
    expect(metrics.calls.get('refused')?.some((call) => call[1] === 'read-only')).toBe(true);
    const seen = editor.awareness.getStates().get(watcher.doc.clientID);
    expect(seen).toMatchObject({ cursor: 3, user: { id: 'u-rita', name: 'Rita' } });
  });

  it('applies setReadOnly to a live connection immediately', async () => {
    const { connect, settle, network, manager } = single();
    const observer = connect('ws1', bob);
    const demoted = new RawPeer(network, manager, 'ws1', alice);
    const promoted = new RawPeer(network, manager, 'ws1', alice);
    await settle();
    demoted.handle.setReadOnly(true);
    demoted.send(updateFrame((doc) => doc.getText('text').insert(0, 'refused')));
    promoted.handle.setReadOnly(true);
    promoted.handle.setReadOnly(false);
    promoted.send(updateFrame((doc) => doc.getText('text').insert(0, 'accepted')));
    await settle();
    expect(textOf(observer.doc)).toBe('accepted');
    expect(demoted.closed?.code).toBe(syncCloseCodes.editsRefused);
    expect(promoted.closed).toBeNull();
  });

  it('refuses the refused edits again when the same local document comes back with write access', async () => {
    const { connect, settle, manager, storage } = single();
    const editor = connect('ws1', alice);
    await settle();
    editor.doc.getText('text').insert(0, 'base');
    await settle();
    // A connection of a user who was just demoted: it types an insertion and, separately, a deletion.
    const stale = new Y.Doc();
    const first = manager.join('ws1', { send: () => undefined, close: () => undefined }, reviewer);
    first.receive(encodeUpdateMessage(Y.encodeStateAsUpdate(editor.doc)));
    Y.applyUpdate(stale, Y.encodeStateAsUpdate(editor.doc));
    const sv = Y.encodeStateVector(stale);
    stale.getText('text').insert(4, ' typed while read-only');
    first.receive(encodeUpdateMessage(Y.encodeStateAsUpdate(stale, sv)));
    await settle();
    first.leave();

    // Promoted again, the same document reconnects and sends everything the server lacks: refused.
    const closes: number[] = [];
    const again = manager.join('ws1', { send: () => undefined, close: (code) => closes.push(code) }, alice);
    again.receive(encodeUpdateMessage(Y.encodeStateAsUpdate(stale)));
    await settle();
    expect(closes).toEqual([syncCloseCodes.editsRefused]);
    expect(textOf(editor.doc)).toBe('base');
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('base');
  });
});

describe('RoomManager: workspace size', () => {
  it('holds content to maxWorkspaceBytes, measuring before it refuses', async () => {
    let now = 0;
    const { connect, settle, network, manager } = single({
      layout: workspaceDocLayout,
      limits: { maxWorkspaceBytes: 1_000 },
      now: () => now,
    });
    const observer = connect('ws1', bob);
    const writer = new RawPeer(network, manager, 'ws1', alice);
    await settle();
    const local = new Y.Doc();
    const updates: Uint8Array[] = [];
    local.on('update', (update: Uint8Array) => updates.push(update));
    const send = () => {
      for (const update of updates.splice(0)) writer.send(encodeUpdateMessage(update));
    };
    const files = local.getMap('files');
    files.set('a.txt', new Y.Text('a'.repeat(600)));
    send();
    await settle();
    // Deleted, then as much again: the running total says 1,200 bytes, a measurement says 600.
    files.delete('a.txt');
    files.set('b.txt', new Y.Text('b'.repeat(600)));
    send();
    await settle();
    expect(writer.closed).toBeNull();
    expect([...(observer.doc.getMap('files').keys() as Iterable<string>)]).toEqual(['b.txt']);
    now += 5_000;
    files.set('c.txt', new Y.Text('c'.repeat(600)));
    send();
    await settle();
    expect(writer.closed).toEqual({ code: syncCloseCodes.tooLarge, reason: 'workspace too large' });
    expect(observer.doc.getMap('files').has('c.txt')).toBe(false);
  });
});

describe('RoomManager: awareness', () => {
  it('overwrites the user field with the server’s identity', async () => {
    const { connect, settle, metrics } = single();
    const honest = connect('ws1', alice);
    const liar = connect('ws1', mallory);
    await settle();
    liar.awareness.setLocalState({
      user: { id: 'u-alice', name: 'Alice', color: '#f00', admin: true },
      cursor: 7,
    });
    await settle();
    expect(honest.awareness.getStates().get(liar.doc.clientID)).toEqual({
      user: { id: 'u-mallory', name: 'Mallory', color: '#000' },
      cursor: 7,
    });
    // y-websocket clients echo every state they receive back to the server; echoes are not refusals.
    expect(metrics.count('refused')).toBe(0);
  });

  it('lets a connection speak only for the client ids it introduced', async () => {
    const { connect, settle, network, manager, metrics } = single();
    const victim = connect('ws1', alice);
    const watcher = connect('ws1', bob);
    victim.awareness.setLocalState({ cursor: 1 });
    await settle();
    const attacker = new RawPeer(network, manager, 'ws1', mallory);
    await settle();
    const clock = victim.awareness.meta.get(victim.doc.clientID)?.clock ?? 0;
    // Hijack with a newer state, then try to remove the victim.
    attacker.send(
      awarenessFrame([{ clientId: victim.doc.clientID, clock: clock + 10, state: { cursor: 666 } }]),
    );
    attacker.send(awarenessFrame([{ clientId: victim.doc.clientID, clock: clock + 11, state: null }]));
    await settle();
    expect(watcher.awareness.getStates().get(victim.doc.clientID)).toMatchObject({
      cursor: 1,
      user: { id: 'u-alice' },
    });
    expect(metrics.calls.get('refused')?.filter((call) => call[1] === 'foreign-awareness').length).toBe(1);
    expect(attacker.closed).toBeNull();
  });

  it('lets the same user take their id over from a stale connection', async () => {
    const { settle, network, manager, connect } = single();
    const watcher = connect('ws1', bob);
    const stale = new RawPeer(network, manager, 'ws1', alice);
    await settle();
    stale.send(awarenessFrame([{ clientId: 500, clock: 1, state: { cursor: 1 } }]));
    await settle();
    // The client reconnected before the server noticed the old socket was dead.
    const fresh = new RawPeer(network, manager, 'ws1', alice);
    fresh.send(awarenessFrame([{ clientId: 500, clock: 2, state: { cursor: 2 } }]));
    await settle();
    expect(watcher.awareness.getStates().get(500)).toMatchObject({ cursor: 2 });
    stale.handle.leave();
    await settle();
    expect(watcher.awareness.getStates().get(500)).toMatchObject({ cursor: 2 });
    fresh.handle.leave();
    await settle();
    expect(watcher.awareness.getStates().has(500)).toBe(false);
  });

  it('removes a leaving client’s awareness for everyone', async () => {
    const { connect, settle } = single();
    const a = connect('ws1', alice);
    const b = connect('ws1', bob);
    a.awareness.setLocalState({ cursor: 1 });
    await settle();
    expect(b.awareness.getStates().has(a.doc.clientID)).toBe(true);
    a.disconnect();
    await settle();
    expect(b.awareness.getStates().has(a.doc.clientID)).toBe(false);
  });

  it('answers query-awareness with every known state', async () => {
    const { connect, settle, network, manager } = single();
    const a = connect('ws1', alice);
    a.awareness.setLocalState({ cursor: 5 });
    await settle();
    const peer = new RawPeer(network, manager, 'ws1', bob);
    await settle();
    const before = peer.framesOfType(messageAwareness).length;
    peer.send(encodeQueryAwareness());
    await settle();
    expect(peer.framesOfType(messageAwareness).length).toBe(before + 1);
  });

  it('caps how many awareness ids one connection may introduce', async () => {
    const { settle, network, manager, connect } = single({ limits: { maxAwarenessClientsPerConnection: 2 } });
    const watcher = connect('ws1', bob);
    const peer = new RawPeer(network, manager, 'ws1', mallory);
    await settle();
    peer.send(
      awarenessFrame(
        [101, 102, 103, 104].map((clientId) => ({ clientId, clock: 1, state: { cursor: clientId } })),
      ),
    );
    await settle();
    const ids = [...watcher.awareness.getStates().keys()].filter((id) => id > 100 && id < 200);
    expect(ids.sort()).toEqual([101, 102]);
  });
});

describe('RoomManager: limits and bad input', () => {
  const cases: [string, Uint8Array][] = [
    ['empty frame', new Uint8Array([])],
    ['unknown message type', new Uint8Array([9, 1, 2])],
    ['auth message from a client', new Uint8Array([2, 0])],
    ['unknown sync type', new Uint8Array([messageSync, 7, 0])],
    ['truncated update', encodeUpdateMessage(new Uint8Array([1, 2, 3])).slice(0, 4)],
    ['garbage update', encodeUpdateMessage(new Uint8Array([5, 200, 1, 9, 9, 9, 9]))],
    ['truncated state vector', encodeSyncStep1(new Y.Doc()).slice(0, 2)],
    ['awareness with bad JSON', new Uint8Array([messageAwareness, 5, 1, 1, 1, 1, 0x7b])],
    ['trailing bytes', new Uint8Array([...encodeQueryAwareness(), 0])],
  ];
  it.each(cases)('closes only the sender on %s', async (_name, frame) => {
    const { connect, settle, network, manager, metrics, storage } = single();
    const a = connect('ws1', alice);
    const bad = new RawPeer(network, manager, 'ws1', mallory);
    await settle();
    bad.send(frame);
    await settle();
    expect(bad.closed?.code).toBe(syncCloseCodes.badMessage);
    expect(bad.closed?.reason.length).toBeGreaterThan(0);
    expect((await storage.load('ws1')).updates).toEqual([]);
    a.doc.getText('text').insert(0, 'still fine');
    const b = connect('ws1', bob);
    await settle();
    expect(textOf(b.doc)).toBe('still fine');
    expect(metrics.calls.get('connectionClosed')?.map((call) => call[1])).toEqual([
      syncCloseCodes.badMessage,
    ]);
  });

  it('closes with 4413 on an oversized message', async () => {
    const { settle, network, manager } = single({ limits: { maxMessageBytes: 1024 } });
    const peer = new RawPeer(network, manager, 'ws1', alice);
    await settle();
    peer.send(updateFrame((doc) => doc.getText('text').insert(0, 'x'.repeat(2000))));
    await settle();
    expect(peer.closed).toEqual({ code: syncCloseCodes.tooLarge, reason: 'message too large' });
    expect(manager.getDoc('ws1')).toBeUndefined();
  });

  it('refuses an update that would grow the document past its limit', async () => {
    const { settle, network, manager, connect, storage } = single({ limits: { maxDocumentBytes: 4096 } });
    const a = connect('ws1', alice);
    await settle();
    a.doc.getText('text').insert(0, 'small');
    await settle();
    const peer = new RawPeer(network, manager, 'ws1', mallory);
    await settle();
    peer.send(updateFrame((doc) => doc.getText('text').insert(0, 'y'.repeat(5000))));
    await settle();
    expect(peer.closed).toEqual({ code: syncCloseCodes.tooLarge, reason: 'document too large' });
    expect(textOf(a.doc)).toBe('small');
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('small');
  });

  it('closes with 4429 when a connection exceeds its message rate', async () => {
    let now = 0;
    const { settle, network, manager } = single({
      now: () => now,
      limits: { messagesPerSecond: 10, messageBurst: 5 },
    });
    const steady = new RawPeer(network, manager, 'ws1', alice);
    const flood = new RawPeer(network, manager, 'ws1', mallory);
    await settle();
    for (let i = 0; i < 20; i++) {
      now += 100; // 10/s: exactly the refill rate
      steady.send(encodeQueryAwareness());
      await settle();
    }
    for (let i = 0; i < 6; i++) flood.send(encodeQueryAwareness());
    await settle();
    expect(steady.closed).toBeNull();
    expect(flood.closed).toEqual({ code: syncCloseCodes.rateLimited, reason: 'rate limit exceeded' });
  });

  it('kicks matching connections with 4403 and the client stops reconnecting', async () => {
    const cluster = single();
    const { connect, settle, manager, metrics } = cluster;
    const a = connect('ws1', alice);
    const b = connect('ws1', bob);
    await settle();
    const terminal: number[] = [];
    b.on('closed', (event) => terminal.push(event.code));
    expect(manager.kick('ws1', (context) => context.userId === 'u-bob')).toBe(1);
    await waitFor(cluster, () => terminal.length > 0);
    // Longer than y-websocket's reconnect backoff here: it must not come back.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await settle();
    expect(terminal).toEqual([syncCloseCodes.forbidden]);
    expect(metrics.calls.get('connectionClosed')).toEqual([
      ['ws1', syncCloseCodes.forbidden, 'access revoked'],
    ]);
    expect(b.wsconnected).toBe(false);
    expect(a.wsconnected).toBe(true);
    expect(manager.connectionCount).toBe(1);
  });
});

describe('RoomManager: shutdown', () => {
  it('closes connections, finishes writes and unloads on close()', async () => {
    const storage = new ControlledStorage();
    const { settle, network, manager } = single({ storage });
    const peer = new RawPeer(network, manager, 'ws1', alice);
    await settle();
    storage.hold();
    peer.send(updateFrame((doc) => doc.getText('text').insert(0, 'last words')));
    await settle({ writes: false });
    const closing = manager.close();
    storage.release();
    await closing;
    expect(peer.closed?.code).toBe(syncCloseCodes.goingAway);
    expect(manager.roomCount).toBe(0);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe('last words');
    const late = new RawPeer(network, manager, 'ws1', bob);
    expect(late.closed?.code).toBe(syncCloseCodes.goingAway);
  });
});

describe('RoomManager: authorship', () => {
  it('reports the client ids each connection writes with, and the clocks of server-side edits with their origin', async () => {
    const clientWrote = vi.fn();
    const serverWrote = vi.fn();
    const cluster = single({ authorship: { clientWrote, serverWrote } });
    const { connect, settle, manager } = cluster;
    const a = connect('ws1', alice);
    const r = connect('ws1', reviewer);
    await settle();
    a.doc.getText('text').insert(0, 'hi');
    await settle();
    expect(clientWrote).toHaveBeenCalledTimes(1);
    const [docName, context, clients] = clientWrote.mock.calls[0] as [
      string,
      { userId: string },
      Map<number, number>,
    ];
    expect(docName).toBe('ws1');
    expect(context.userId).toBe(alice.userId);
    expect([...clients]).toEqual([[a.doc.clientID, 0]]);
    // A refused edit names nobody.
    r.doc.getText('text').insert(0, 'no');
    await settle();
    expect(clientWrote).toHaveBeenCalledTimes(1);

    const origin = { kind: 'test' };
    await manager.transact('ws1', (doc) => doc.getText('text').insert(0, 'abc'), origin);
    await manager.transact('ws1', () => undefined, origin);
    const server = manager.getDoc('ws1');
    expect(serverWrote.mock.calls).toEqual([['ws1', origin, server?.clientID, 0, 3]]);
  });
});
