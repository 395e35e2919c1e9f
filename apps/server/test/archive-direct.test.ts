// Archive workers with their own connection to the embedded database: an import's new state is staged there by the
// worker and stored only once named, a staging given up leaves nothing, and an export reads the document itself.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStoredDoc, readArchive, writeArchive, type StoredDoc } from '@tandem/core';
import { ArchivePool, type StoredImportOptions } from '../src/archive/archive-pool.ts';
import { docSnapshotParts, users, workspaces } from '../src/db/schema.ts';
import { PgDocStorage, type DirectDocs } from '../src/sync/pg-storage.ts';
import { openTestDatabase, type TestDatabase } from './harness.ts';

describe('archive workers on the embedded database', () => {
  let test: TestDatabase;
  let storage: PgDocStorage;
  let direct: DirectDocs;
  let pool: ArchivePool;
  let dir: string;
  beforeAll(async () => {
    test = await openTestDatabase('pglite');
    storage = new PgDocStorage(test.database);
    const docs = storage.direct(() => Promise.resolve());
    if (docs === null) throw new Error('PGlite offers workers a connection of their own');
    direct = docs;
    pool = new ArchivePool({ workers: 1, direct });
    dir = mkdtempSync(path.join(tmpdir(), 'tandem-direct-'));
    await test.database.db
      .insert(users)
      .values({ id: 'u', email: 'u@example.com', name: 'U', passwordHash: 'x' });
  });
  afterAll(async () => {
    await pool.close();
    await test.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const workspace = async () => {
    const id = randomUUID();
    await test.database.db.insert(workspaces).values({ id, name: 'w', createdBy: 'u' });
    return id;
  };
  // Enough text for a state of several parts at `statePartBytes`.
  const files = Array.from({ length: 40 }, (_, i) => ({
    path: `src/f${i}.ts`,
    content: new TextEncoder().encode(`export const f${i} = '${String(i).repeat(4000)}';\n`),
  }));
  const zipFile = (name: string, entries = files) => {
    const file = path.join(dir, name);
    writeFileSync(file, writeArchive(entries, 'zip'));
    return file;
  };
  const options: StoredImportOptions = {
    stripRoot: false,
    folder: undefined,
    overwrite: false,
    statePartBytes: 32 * 1024,
  };
  const empty = (): StoredDoc => ({ snapshot: null, updates: [], seq: 0, exclusive: true });
  const text = (entries: readonly { path: string; content: Uint8Array }[]) =>
    Object.fromEntries(entries.map((file) => [file.path, new TextDecoder().decode(file.content)]));
  const contents = (stored: StoredDoc) =>
    text(
      exportStoredDoc(stored, (error) => {
        throw error;
      }).files,
    );
  const expected = text(files);
  const partsOf = (id: string) =>
    test.database.db.$count(docSnapshotParts, eq(docSnapshotParts.workspaceId, id));

  it('stages an import on the worker, invisible until replace names it as the snapshot', async () => {
    const id = await workspace();
    const imported = await pool.importStored(zipFile('a.zip'), id, empty(), options, (error) => {
      throw error;
    });
    expect(imported.files).toBe(files.length);
    // Only the staging's description came back to this thread, not the state's bytes.
    if (!('staged' in imported.edit)) throw new Error('expected a staged edit');
    expect(imported.edit.staged.bytes).toBeGreaterThan(3 * 32 * 1024);
    expect(await partsOf(id)).toBeGreaterThan(3);
    expect(await storage.load(id)).toMatchObject({ snapshot: null, updates: [] });

    await storage.replace(id, imported.edit.staged, 0);
    const stored = await storage.load(id);
    expect(contents(stored)).toEqual(expected);
    // An export the worker reads from the database itself has the same files.
    const out = path.join(dir, 'export.zip');
    const { size, skipped } = await pool.exportStored(id, 'zip', out, (error) => {
      throw error;
    });
    expect(skipped).toEqual([]);
    const bytes = readFileSync(out);
    expect(size).toBe(bytes.byteLength);
    expect(text(readArchive(bytes))).toEqual(expected);

    // Into a document the worker reads itself: lighter than it, the import comes back as updates to append.
    const more = [{ path: 'README.md', content: new TextEncoder().encode('# more\n') }];
    const added = await pool.importStored(zipFile('more.zip', more), id, null, options, (error) => {
      throw error;
    });
    expect(added.created).toEqual(['README.md']);
    if (!('updates' in added.edit)) throw new Error('expected updates');
    await storage.append(id, added.edit.updates);
    expect(contents(await storage.load(id))).toEqual({ ...expected, 'README.md': '# more\n' });
  });

  it('leaves nothing of a staging that is given up, or of an import that fails on the worker', async () => {
    const id = await workspace();
    const imported = await pool.importStored(zipFile('b.zip'), id, empty(), options, () => undefined);
    expect(await partsOf(id)).toBeGreaterThan(0);
    await pool.discard(imported.edit);
    expect(await partsOf(id)).toBe(0);

    // Not an archive: refused on the worker, which lets its connection go, before anything is staged.
    const garbage = path.join(dir, 'garbage.zip');
    writeFileSync(garbage, new Uint8Array(4096).fill(7));
    await expect(pool.importStored(garbage, id, empty(), options, () => undefined)).rejects.toMatchObject({
      code: 'ARCHIVE_REJECTED',
    });
    expect(await partsOf(id)).toBe(0);
    expect(await storage.load(id)).toMatchObject({ snapshot: null, updates: [] });
  });
});
