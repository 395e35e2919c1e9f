// The database DocStorage: ordered appends, snapshots that fold exactly what they read, stale compactions ignored.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotUpdate } from '@tandem/core';
import * as Y from 'yjs';
import { openDatabase } from '../src/db/client.ts';
import { docSnapshotParts, users, workspaces } from '../src/db/schema.ts';
import { PgDocStorage, SNAPSHOT_PART_BYTES } from '../src/sync/pg-storage.ts';
import { backends, openTestDatabase, type TestDatabase } from './harness.ts';

describe.each(backends)('PgDocStorage on %s', (backend) => {
  let test: TestDatabase;
  let storage: PgDocStorage;
  beforeAll(async () => {
    test = await openTestDatabase(backend);
    storage = new PgDocStorage(test.database);
    await test.database.db
      .insert(users)
      .values({ id: 'u', email: 'u@example.com', name: 'U', passwordHash: 'x' });
  });
  afterAll(() => test.dispose());
  // PGlite's rows are views into one reply read for that load alone (see StoredDoc.exclusive).
  const exclusive = backend === 'pglite';

  const workspace = async () => {
    const id = randomUUID();
    await test.database.db.insert(workspaces).values({ id, name: 'w', createdBy: 'u' });
    return id;
  };

  const updateOf = (text: string, doc = new Y.Doc()) => {
    const before = Y.encodeStateVector(doc);
    doc.getText('t').insert(doc.getText('t').length, text);
    return Y.encodeStateAsUpdate(doc, before);
  };

  const textOf = (stored: Awaited<ReturnType<PgDocStorage['load']>>) => {
    const doc = new Y.Doc();
    const snapshot = snapshotUpdate(stored.snapshot);
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
    return doc.getText('t').toString();
  };

  it('returns an empty document, then every update in append order with a dense sequence', async () => {
    const id = await workspace();
    expect(await storage.load(id)).toEqual({ snapshot: null, updates: [], seq: 0, exclusive });
    const doc = new Y.Doc();
    await storage.append(id, [updateOf('a', doc), updateOf('b', doc)]);
    await storage.append(id, [updateOf('c', doc)]);
    const loaded = await storage.load(id);
    expect(loaded.seq).toBe(3);
    expect(loaded.updates).toHaveLength(3);
    expect(textOf(loaded)).toBe('abc');
  });

  it('compacts exactly what it folded, keeps later appends, and ignores a stale compaction', async () => {
    const id = await workspace();
    const doc = new Y.Doc();
    await storage.append(id, [updateOf('one ', doc), updateOf('two ', doc)]);
    const read = await storage.load(id);
    await storage.append(id, [updateOf('three', doc)]); // appended after the compactor read
    const folded = new Y.Doc();
    for (const u of read.updates) Y.applyUpdate(folded, u);
    await storage.compact(id, Y.encodeStateAsUpdate(folded), read.seq);
    const after = await storage.load(id);
    expect(after.snapshot).not.toBeNull();
    expect(after.updates).toHaveLength(1);
    expect(after.seq).toBe(3);
    expect(textOf(after)).toBe('one two three');

    await storage.compact(id, Y.encodeStateAsUpdate(new Y.Doc()), 1); // older than the stored snapshot
    expect(textOf(await storage.load(id))).toBe('one two three');

    // Sequence numbers keep counting past the snapshot.
    await storage.append(id, [updateOf('!', doc)]);
    const last = await storage.load(id);
    expect(last.seq).toBe(4);
    expect(textOf(last)).toBe('one two three!');
  });

  it('replaces the document with a state that a compactor of an earlier load cannot overwrite', async () => {
    const id = await workspace();
    const doc = new Y.Doc();
    await storage.append(id, [updateOf('one ', doc), updateOf('two ', doc)]);
    const compactor = await storage.load(id);
    await storage.compact(id, Y.encodeStateAsUpdate(doc), compactor.seq);
    // Loaded right after that compaction: nothing follows the snapshot, so compacting through this load's sequence
    // number would be ignored as stale. A replace stores it all the same.
    const loaded = await storage.load(id);
    expect(loaded.updates).toHaveLength(0);
    const state = Y.encodeStateAsUpdate(doc);
    updateOf('imported', doc);
    const replaced = Y.encodeStateAsUpdate(doc);
    await storage.replace(id, [replaced.slice(0, 10), replaced.slice(10)], loaded.seq);
    expect(textOf(await storage.load(id))).toBe('one two imported');
    // The compactor that read before finishes late: its older snapshot is ignored.
    await storage.compact(id, state, compactor.seq);
    const after = await storage.load(id);
    expect(after.updates).toHaveLength(0);
    expect(after.seq).toBeGreaterThan(loaded.seq);
    expect(textOf(after)).toBe('one two imported');
    // Appends go on past the replaced state's sequence number, so none is taken for folded.
    await storage.append(id, [updateOf('!', doc)]);
    const last = await storage.load(id);
    expect(last.seq).toBe(after.seq + 1);
    expect(textOf(last)).toBe('one two imported!');
  });

  it('group-commits concurrent appends of many workspaces, each keeping its own order and dense sequence', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => workspace()));
    const docs = ids.map(() => new Y.Doc());
    const appends: Promise<void>[] = [];
    for (let round = 0; round < 5; round++) {
      ids.forEach((id, i) => appends.push(storage.append(id, [updateOf(`${round}`, docs[i])])));
    }
    await Promise.all(appends);
    for (const id of ids) {
      const loaded = await storage.load(id);
      expect(loaded.seq).toBe(5);
      expect(textOf(loaded)).toBe('01234');
    }
  });

  it('numbers the appends of two storages on one database densely, each in its own order', async () => {
    const id = await workspace();
    const other = new PgDocStorage(test.database);
    const doc = new Y.Doc();
    const sent = Array.from({ length: 10 }, (_v, i) => updateOf(`${i}`, doc));
    await Promise.all(sent.map((update, i) => (i % 2 ? storage : other).append(id, [update])));
    const loaded = await storage.load(id);
    expect(loaded.seq).toBe(10);
    const order = loaded.updates.map((u) => sent.findIndex((s) => Buffer.compare(s, u) === 0));
    expect(order.filter((i) => i % 2 === 0)).toEqual([0, 2, 4, 6, 8]);
    expect(order.filter((i) => i % 2 === 1)).toEqual([1, 3, 5, 7, 9]);
    expect(textOf(loaded)).toBe('0123456789');
  });

  it('keeps numbering after a restart, past a snapshot that folded every update', async () => {
    const dir = backend === 'pglite' ? mkdtempSync(path.join(tmpdir(), 'tandem-seq-')) : undefined;
    const open = () => openDatabase({ databaseUrl: test.url, dataDir: dir });
    try {
      const id = randomUUID();
      const doc = new Y.Doc();
      const first = await open();
      await first.db.insert(workspaces).values({ id, name: 'w' });
      const before = new PgDocStorage(first);
      await before.append(id, [updateOf('a', doc), updateOf('b', doc)]);
      await before.compact(id, Y.encodeStateAsUpdate(doc), 2);
      expect((await before.load(id)).updates).toEqual([]);
      await first.close();

      const second = await open();
      const after = new PgDocStorage(second);
      await after.append(id, [updateOf('c', doc)]);
      const loaded = await after.load(id);
      expect(loaded.seq).toBe(3);
      expect(textOf(loaded)).toBe('abc');
      await second.close();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('numbers on after an append that failed', async () => {
    const id = await workspace();
    const doc = new Y.Doc();
    await storage.append(id, [updateOf('x', doc)]);
    // One batch with a document name that is not even a uuid: the whole statement fails.
    const failed = await Promise.allSettled([
      storage.append(id, [updateOf('lost', new Y.Doc())]),
      storage.append('not-a-uuid', [updateOf('bad')]),
    ]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(failed[0]).toMatchObject({ reason: { code: '22P02' } });
    await storage.append(id, [updateOf('y', doc), updateOf('z', doc)]);
    const loaded = await storage.load(id);
    expect(loaded.seq).toBe(3);
    expect(textOf(loaded)).toBe('xyz');
  });

  it('drops the updates of a deleted workspace without failing the rest of the batch', async () => {
    const kept = await workspace();
    const gone = await workspace();
    await test.database.db.delete(workspaces).where(eq(workspaces.id, gone));
    const doc = new Y.Doc();
    // In one batch (appended in the same tick), one update each and then several each.
    await Promise.all([storage.append(kept, [updateOf('k', doc)]), storage.append(gone, [updateOf('x')])]);
    await Promise.all([
      storage.append(gone, [updateOf('y'), updateOf('z')]),
      storage.append(kept, [updateOf('ep', doc), updateOf('t', doc)]),
    ]);
    await storage.append(gone, [updateOf('alone')]);
    expect(textOf(await storage.load(kept))).toBe('kept');
    expect(await storage.load(gone)).toEqual({ snapshot: null, updates: [], seq: 0, exclusive });
  });

  it('stores a snapshot over a part in parts, loads it whole, and drops the parts of what replaces it', async () => {
    const id = await workspace();
    const doc = new Y.Doc();
    // Random text: 2.5 parts of document bytes.
    const text = randomBytes(Math.ceil(SNAPSHOT_PART_BYTES * 1.25)).toString('hex');
    await storage.append(id, [updateOf(text, doc)]);
    const big = Y.encodeStateAsUpdate(doc);
    expect(big.byteLength).toBeGreaterThan(2 * SNAPSHOT_PART_BYTES);
    const expected = Buffer.from(big);
    const partRows = async () =>
      (await test.database.db.select().from(docSnapshotParts).where(eq(docSnapshotParts.workspaceId, id)))
        .length;

    await storage.compact(id, big, 1);
    expect(await partRows()).toBe(2);
    const loaded = await storage.load(id);
    expect(Array.isArray(loaded.snapshot) && loaded.snapshot.length).toBe(3);
    expect(Buffer.compare(Buffer.from(snapshotUpdate(loaded.snapshot) ?? []), expected)).toBe(0);
    expect(loaded.seq).toBe(1);

    // A stale compaction in parts loses and leaves nothing behind; the stored snapshot is untouched.
    await storage.compact(id, Y.encodeStateAsUpdate(doc), 1);
    expect(await partRows()).toBe(2);
    expect(textOf(await storage.load(id))).toBe(text);

    // A newer snapshot (here one part) replaces it, parts and all.
    await storage.append(id, [updateOf('!', doc)]);
    const small = new Y.Doc();
    updateOf('short', small);
    await storage.compact(id, Y.encodeStateAsUpdate(small), 2);
    expect(await partRows()).toBe(0);
    expect(textOf(await storage.load(id))).toBe('short');
  });

  it('stores a snapshot given in parts (as the archive worker folds it) part by part, moving each part whole', async () => {
    const id = await workspace();
    const doc = new Y.Doc();
    const text = randomBytes(Math.ceil(SNAPSHOT_PART_BYTES * 0.75)).toString('hex');
    await storage.append(id, [updateOf(text, doc)]);
    const whole = Y.encodeStateAsUpdate(doc);
    const expected = Buffer.from(whole);
    const parts = [whole.slice(0, SNAPSHOT_PART_BYTES), whole.slice(SNAPSHOT_PART_BYTES)];

    await storage.compact(id, parts, 1);
    // On PGlite each part moved to the database thread instead of being copied into a statement here.
    for (const part of parts) expect(part.byteLength === 0).toBe(backend === 'pglite');
    const rows = await test.database.db
      .select()
      .from(docSnapshotParts)
      .where(eq(docSnapshotParts.workspaceId, id));
    expect(rows).toHaveLength(1);
    const loaded = await storage.load(id);
    expect(Buffer.compare(Buffer.from(snapshotUpdate(loaded.snapshot) ?? []), expected)).toBe(0);
    expect(textOf(loaded)).toBe(text);
  });

  it('drops the compaction of a workspace deleted meanwhile instead of failing on its foreign key', async () => {
    const gone = await workspace();
    const doc = new Y.Doc();
    await storage.append(gone, [updateOf('a', doc), updateOf('b', doc)]);
    await test.database.db.delete(workspaces).where(eq(workspaces.id, gone));
    await storage.compact(gone, Y.encodeStateAsUpdate(doc), 2);
    expect(await storage.load(gone)).toEqual({ snapshot: null, updates: [], seq: 0, exclusive });
  });

  it('round-trips large binary updates', async () => {
    const id = await workspace();
    const doc = new Y.Doc();
    const big = updateOf('x'.repeat(2_000_000), doc);
    await storage.append(id, [big]);
    const loaded = await storage.load(id);
    expect(Buffer.compare(Buffer.from(loaded.updates[0]!), Buffer.from(big))).toBe(0);
  });

  it('round-trips a large snapshot and stores document bytes uncompressed', async () => {
    const id = await workspace();
    const snapshot = Y.encodeStateAsUpdate(
      (() => {
        const doc = new Y.Doc();
        updateOf('y'.repeat(3_000_000), doc);
        return doc;
      })(),
    );
    const expected = Buffer.from(snapshot);
    await storage.append(id, [updateOf('before')]);
    await storage.compact(id, snapshot, 1);
    // On PGlite the snapshot moved to the database thread rather than being copied on the event loop.
    expect(snapshot.byteLength).toBe(backend === 'pglite' ? 0 : expected.byteLength);
    const loaded = await storage.load(id);
    expect(loaded.updates).toEqual([]);
    expect(Buffer.compare(Buffer.from(snapshotUpdate(loaded.snapshot) ?? []), expected)).toBe(0);
    const columns: unknown = await test.database.db.execute(
      sql`select attstorage from pg_attribute where attname = 'data'
          and attrelid in ('doc_updates'::regclass, 'doc_snapshots'::regclass)`,
    );
    expect((columns as { rows: { attstorage: string }[] }).rows).toEqual([
      { attstorage: 'e' },
      { attstorage: 'e' },
    ]);
  });
});
