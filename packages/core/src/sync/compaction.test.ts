import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { compactDoc, foldStoredDoc, foldStoredDocInParts } from './compaction.ts';
import { MemoryDocStorage } from './memory-storage.ts';
import { RoomManager } from './room-manager.ts';
import {
  type Cluster,
  alice,
  bob,
  createCluster,
  recordingMetrics,
  reloadFromStorage,
  textOf,
} from './test/harness.ts';
import type { StoredDoc } from './types.ts';

const clusters: Cluster[] = [];
afterEach(() => {
  for (const cluster of clusters.splice(0)) cluster.destroy();
});

async function seed(storage: MemoryDocStorage, docName: string, edits: number): Promise<Y.Doc> {
  const doc = new Y.Doc();
  doc.on('update', (update: Uint8Array) => void storage.append(docName, [update]));
  for (let i = 0; i < edits; i++) {
    doc.getText('text').insert(doc.getText('text').length, `line ${i}\n`);
    if (i % 3 === 2) doc.getText('text').delete(0, 2);
  }
  await Promise.resolve();
  return doc;
}

describe('foldStoredDocInParts', () => {
  it('cuts the snapshot into consecutive parts of at most the given size, each with a buffer of its own', async () => {
    const storage = new MemoryDocStorage();
    await seed(storage, 'ws1', 40);
    const whole = foldStoredDoc(await storage.load('ws1'), () => undefined);
    const parts = foldStoredDocInParts(await storage.load('ws1'), () => undefined, 100);
    expect(parts).toHaveLength(Math.ceil(whole.byteLength / 100));
    for (const part of parts) {
      expect(part.byteLength).toBeLessThanOrEqual(100);
      expect(part.buffer.byteLength).toBe(part.byteLength);
    }
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
    expect(foldStoredDocInParts(await storage.load('ws1'), () => undefined, whole.byteLength)).toEqual([
      whole,
    ]);
  });

  it('compacts from parts to the same document', async () => {
    const storage = new MemoryDocStorage();
    const source = await seed(storage, 'ws1', 40);
    await compactDoc(storage, 'ws1', undefined, (stored, onError) =>
      Promise.resolve(foldStoredDocInParts(stored, onError, 64)),
    );
    expect(storage.stats('ws1').updates).toBe(0);
    const reloaded = new Y.Doc();
    const snapshot = (await storage.load('ws1')).snapshot;
    if (snapshot instanceof Uint8Array) Y.applyUpdate(reloaded, snapshot);
    expect(reloaded.getText('text').toString()).toBe(source.getText('text').toString());
  });
});

describe('compactDoc', () => {
  it('folds every stored update into a snapshot with identical content', async () => {
    const storage = new MemoryDocStorage();
    const source = await seed(storage, 'ws1', 40);
    const appended = storage.stats('ws1').updates;
    expect(appended).toBeGreaterThanOrEqual(40);
    const result = await compactDoc(storage, 'ws1');
    expect(result?.foldedUpdates).toBe(appended);
    expect(storage.stats('ws1')).toMatchObject({ updates: 0 });
    const reloaded = await reloadFromStorage(storage, 'ws1');
    expect(textOf(reloaded)).toBe(textOf(source));
    expect(Y.encodeStateVector(reloaded)).toEqual(Y.encodeStateVector(source));
    expect(await compactDoc(storage, 'ws1')).toBeNull();
  });

  it('keeps updates appended while the compaction was running', async () => {
    const inner = new MemoryDocStorage();
    const source = await seed(inner, 'ws1', 10);
    const late = new Y.Doc();
    Y.applyUpdate(late, Y.encodeStateAsUpdate(source));
    const lateUpdates: Uint8Array[] = [];
    late.on('update', (update: Uint8Array) => lateUpdates.push(update));
    late.getText('text').insert(0, 'appended during compaction ');
    // Another writer appends right after the compactor read the document.
    const racing = {
      load: async (docName: string): Promise<StoredDoc> => {
        const stored = await inner.load(docName);
        await inner.append(docName, lateUpdates);
        return stored;
      },
      append: inner.append.bind(inner),
      compact: inner.compact.bind(inner),
      replace: inner.replace.bind(inner),
    };
    await compactDoc(racing, 'ws1');
    expect(inner.stats('ws1').updates).toBe(1);
    expect(textOf(await reloadFromStorage(inner, 'ws1'))).toBe(textOf(late));
  });

  it('ignores a compaction older than the stored snapshot', async () => {
    const storage = new MemoryDocStorage();
    await seed(storage, 'ws1', 5);
    const stale = await storage.load('ws1');
    await compactDoc(storage, 'ws1');
    const before = await storage.load('ws1');
    await storage.compact('ws1', Y.encodeStateAsUpdate(new Y.Doc()), stale.seq);
    expect(await storage.load('ws1')).toEqual(before);
  });
});

/** The threshold tests below start a compaction as soon as it is due rather than once the document is quiet. */
const startAtOnce = { compactQuietMs: 0 };

/** Timers that fire only when the test moves time on. */
function manualClock() {
  let now = 0;
  const timers = new Set<{ at: number; run: () => void }>();
  return {
    now: () => now,
    schedule: (run: () => void, delayMs: number) => {
      const timer = { at: now + delayMs, run };
      timers.add(timer);
      return () => void timers.delete(timer);
    },
    advance(ms: number) {
      now += ms;
      for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
        if (timer.at > now) break;
        timers.delete(timer);
        timer.run();
      }
    },
  };
}

describe('RoomManager compaction', () => {
  it('waits for the document to go quiet, but no longer than the maximum delay, and starts at shutdown', async () => {
    const storage = new MemoryDocStorage();
    const metrics = recordingMetrics();
    const clock = manualClock();
    const manager = new RoomManager({
      storage,
      metrics,
      now: clock.now,
      schedule: clock.schedule,
      limits: { compactAfterUpdates: 5, compactQuietMs: 1_000, compactMaxDelayMs: 5_000 },
    });
    const cluster = createCluster([manager], storage);
    clusters.push(cluster);
    // A connected peer keeps the room loaded between the server-side edits below.
    cluster.connect('ws1', alice);
    await cluster.settle();
    let edits = 0;
    const edit = () =>
      manager.transact('ws1', (doc) => doc.getText('text').insert(0, `${edits++} `)).then(() => undefined);
    const compactions = async () => {
      await Promise.resolve();
      return metrics.count('compacted');
    };

    for (let i = 0; i < 5; i++) await edit(); // due now
    clock.advance(999);
    expect(await compactions()).toBe(0);
    // An update every 900 ms keeps it from ever being quiet for a second: it waits 5 s since it became due.
    for (let t = 900; t < 5_000; t += 900) {
      await edit();
      clock.advance(900);
      expect(await compactions()).toBe(0);
    }
    clock.advance(400);
    await manager.whenIdle();
    expect(await compactions()).toBe(1);
    expect(storage.stats('ws1').updates).toBe(0);

    // Due again, then quiet: it starts a second after the last update.
    for (let i = 0; i < 5; i++) await edit();
    clock.advance(999);
    expect(await compactions()).toBe(1);
    clock.advance(1);
    await manager.whenIdle();
    expect(await compactions()).toBe(2);

    // Due at shutdown: it runs then rather than being dropped.
    for (let i = 0; i < 5; i++) await edit();
    const live = manager.getDoc('ws1');
    const text = live ? textOf(live) : '';
    expect(text).toMatch(/^19 18 .* 0 $/);
    await manager.close();
    expect(await compactions()).toBe(3);
    expect(storage.stats('ws1').updates).toBe(0);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe(text);
  });

  it('compacts after N updates off the message path and keeps content identical', async () => {
    const storage = new MemoryDocStorage();
    const metrics = recordingMetrics();
    const manager = new RoomManager({
      storage,
      metrics,
      limits: { compactAfterUpdates: 10, ...startAtOnce },
    });
    const cluster = createCluster([manager], storage);
    clusters.push(cluster);
    const a = cluster.connect('ws1', alice);
    const b = cluster.connect('ws1', bob);
    await cluster.settle();
    for (let i = 0; i < 35; i++) {
      a.doc.getText('text').insert(0, `${i} `);
      await cluster.settle();
    }
    expect(metrics.count('compacted')).toBe(3);
    expect(storage.stats('ws1').updates).toBeLessThan(10);
    expect(storage.stats('ws1').snapshotBytes).toBeGreaterThan(0);
    expect(textOf(b.doc)).toBe(textOf(a.doc));
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe(textOf(a.doc));
    const late = cluster.connect('ws1', bob);
    await cluster.settle();
    expect(textOf(late.doc)).toBe(textOf(a.doc));
  });

  it('compacts after M bytes', async () => {
    const storage = new MemoryDocStorage();
    const metrics = recordingMetrics();
    const manager = new RoomManager({
      storage,
      metrics,
      limits: { compactAfterBytes: 4096, ...startAtOnce },
    });
    const cluster = createCluster([manager], storage);
    clusters.push(cluster);
    const a = cluster.connect('ws1', alice);
    await cluster.settle();
    a.doc.getText('text').insert(0, 'z'.repeat(5000));
    await cluster.settle();
    expect(metrics.count('compacted')).toBe(1);
    expect(storage.stats('ws1').updates).toBe(0);
  });

  it('compacts a large document only once its backlog weighs a share of the snapshot', async () => {
    const storage = new MemoryDocStorage();
    const metrics = recordingMetrics();
    const manager = new RoomManager({
      storage,
      metrics,
      limits: { compactAfterUpdates: 10, compactBacklogShare: 1 / 16, ...startAtOnce },
    });
    const cluster = createCluster([manager], storage);
    clusters.push(cluster);
    const a = cluster.connect('ws1', alice);
    await cluster.settle();
    a.doc.getText('text').insert(0, 'z'.repeat(64_000));
    for (let i = 0; i < 10; i++) {
      a.doc.getText('text').insert(0, `${i} `);
      await cluster.settle();
    }
    expect(metrics.count('compacted')).toBe(1);
    const snapshotBytes = storage.stats('ws1').snapshotBytes;
    expect(snapshotBytes).toBeGreaterThan(64_000);

    // Small edits: far more than 10 of them before their bytes reach 1/16 of the 64 kB snapshot.
    let edits = 0;
    while (metrics.count('compacted') === 1 && edits < 2_000) {
      a.doc.getText('text').insert(0, `edit ${edits} `);
      edits++;
      await cluster.settle();
    }
    expect(metrics.count('compacted')).toBe(2);
    expect(edits).toBeGreaterThan(100);
    expect(textOf(await reloadFromStorage(storage, 'ws1'))).toBe(textOf(a.doc));
  });

  it('compacts a document loaded with a long backlog', async () => {
    const storage = new MemoryDocStorage();
    const source = await seed(storage, 'ws1', 30);
    const metrics = recordingMetrics();
    const manager = new RoomManager({
      storage,
      metrics,
      limits: { compactAfterUpdates: 20, ...startAtOnce },
    });
    const cluster = createCluster([manager], storage);
    clusters.push(cluster);
    const a = cluster.connect('ws1', alice);
    await cluster.settle();
    expect(metrics.count('compacted')).toBe(1);
    expect(textOf(a.doc)).toBe(textOf(source));
  });
});
