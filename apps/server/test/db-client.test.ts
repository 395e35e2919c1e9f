import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.ts';
import { rowsOf } from './harness.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('embedded PGlite on disk', () => {
  it('creates a new data directory, keeps a small buffer cache, skips zero-filling WAL, sizes shared memory for a few connections and reopens with what was committed', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-db-'));
    dirs.push(dataDir);
    const first = await openDatabase({ dataDir });
    try {
      expect(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
      expect(rowsOf(await first.db.execute(sql`show shared_buffers`))).toEqual([{ shared_buffers: '4MB' }]);
      await first.db.execute(sql`create table kept (v text)`);
      await first.db.execute(sql`insert into kept values ('still here')`);
    } finally {
      await first.close();
    }
    const second = await openDatabase({ dataDir });
    try {
      expect(rowsOf(await second.db.execute(sql`select v from kept`))).toEqual([{ v: 'still here' }]);
      expect(rowsOf(await second.db.execute(sql`show wal_init_zero`))).toEqual([{ wal_init_zero: 'off' }]);
      expect(rowsOf(await second.db.execute(sql`show max_connections`))).toEqual([{ max_connections: '16' }]);
      // The lock table is sized by max_connections. Each new table with a primary key locks itself and its index:
      // several times what migrating a new database takes.
      const locks = await second.db.transaction(async (tx) => {
        for (let i = 0; i < 400; i++) await tx.execute(sql.raw(`create table t${i} (id int primary key)`));
        return rowsOf(await tx.execute(sql`select count(*)::int as n from pg_locks`))[0]?.n;
      });
      expect(locks).toBeGreaterThan(800);
    } finally {
      await second.close();
    }
  });

  it('reports a data directory it cannot create the database in', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-db-'));
    dirs.push(dataDir);
    // initdb must make `base` a folder; a file is in the way.
    mkdirSync(path.join(dataDir, 'pglite'));
    writeFileSync(path.join(dataDir, 'pglite', 'base'), 'not a folder');
    await expect(openDatabase({ dataDir })).rejects.toThrow(
      /embedded database could not be created in .*ErrnoError/,
    );
  });
});
