// Prepared statements straight through the driver: they commit, report the database's errors by code, and never
// land inside a transaction another caller has open.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int8Of, movable, StatementError } from '../src/db/prepared.ts';
import { backends, openTestDatabase, rowsOf, type TestDatabase } from './harness.ts';

describe.each(backends)('prepared statements on %s', (backend) => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await openTestDatabase(backend);
    await test.database.db.execute(sql`create table prepared_probe (k text primary key, v int not null)`);
  });
  afterAll(() => test.dispose());

  const values = async () =>
    rowsOf(await test.database.db.execute(sql`select k, v from prepared_probe order by k`));

  it('runs many times with text parameters and commits each run', async () => {
    const insert = await test.database.prepare(
      'probe_insert',
      'insert into prepared_probe (k, v) values ($1, $2::int)',
    );
    await insert(['a', '1']);
    await insert(['b', '2']);
    expect(await values()).toEqual([
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
    ]);
  });

  it('sends bytes as a binary parameter, exactly as they are', async () => {
    await test.database.db.execute(sql`create table prepared_bytes (k text primary key, b bytea not null)`);
    const insert = await test.database.prepare(
      'probe_bytes',
      'insert into prepared_bytes (k, b) values ($1, $2::bytea)',
    );
    // NUL, invalid UTF-8 and a quote-and-backslash sequence: nothing here survives a text round trip by accident.
    const bytes = new Uint8Array([0, 0xff, 0xfe, 0x27, 0x5c, 0x78, 0x30, 0, 0xc3]);
    await insert(['odd', bytes]);
    await insert(['empty', new Uint8Array(0)]);
    const rows = rowsOf(
      await test.database.db.execute(sql`select k, encode(b, 'hex') as hex from prepared_bytes order by k`),
    );
    expect(rows).toEqual([
      { k: 'empty', hex: '' },
      { k: 'odd', hex: Buffer.from(bytes).toString('hex') },
    ]);
  });

  it('moves a large parameter marked movable to the database thread instead of copying it', async () => {
    const insert = await test.database.prepare(
      'probe_bytes_moved',
      'insert into prepared_bytes (k, b) values ($1, $2::bytea)',
    );
    const big = (seed: number) => Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * seed) % 251);
    const moved = movable(big(7));
    const kept = big(11);
    await insert(['moved', moved]);
    await insert(['kept', kept]);
    const stored = rowsOf(
      await test.database.db.execute(
        sql`select k, md5(b) as sum, length(b) as n from prepared_bytes where k in ('moved', 'kept') order by k`,
      ),
    );
    const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
    expect(stored).toEqual([
      { k: 'kept', sum: md5(big(11)), n: 256 * 1024 },
      { k: 'moved', sum: md5(big(7)), n: 256 * 1024 },
    ]);
    // Only PGlite runs on another thread of this process; node-postgres writes the bytes to its socket.
    expect(moved.byteLength).toBe(backend === 'pglite' ? 0 : 256 * 1024);
    expect(kept.byteLength).toBe(256 * 1024);
  });

  it('returns rows with every column in binary format, NULL as null', async () => {
    const select = await test.database.prepare(
      'probe_select',
      `select k, v::bigint, b, null::bytea, true, false from prepared_bytes
       cross join (values (-5), (9007199254740991)) as t(v) where k = $1 order by v`,
    );
    const rows = await select(['odd']);
    const decoded = rows.map(([k, v, b, none, yes, no]) => [
      Buffer.from(k ?? []).toString(),
      int8Of(v),
      Buffer.from(b ?? []).toString('hex'),
      none,
      yes?.[0],
      no?.[0],
    ]);
    const hex = '00fffe275c783000c3';
    expect(decoded).toEqual([
      ['odd', -5, hex, null, 1, 0],
      ['odd', Number.MAX_SAFE_INTEGER, hex, null, 1, 0],
    ]);
    expect(await select(['nobody'])).toEqual([]);
  });

  it("rejects with the database's message and SQLSTATE, and keeps working after", async () => {
    const insert = await test.database.prepare(
      'probe_insert_again',
      'insert into prepared_probe (k, v) values ($1, $2::int)',
    );
    const duplicate = await insert(['a', '9']).catch((error: unknown) => error);
    // node-postgres reports its own DatabaseError; PGlite's raw protocol reply becomes a StatementError.
    expect(duplicate).toMatchObject({ code: '23505' });
    if (backend === 'pglite') expect(duplicate).toBeInstanceOf(StatementError);
    await expect(insert(['c', 'not a number'])).rejects.toMatchObject({ code: '22P02' });
    await insert(['c', '3']);
    expect(await values()).toContainEqual({ k: 'c', v: 3 });
  });

  it('prepares a name once for every caller and refuses the same name with another text', async () => {
    const text = 'insert into prepared_probe (k, v) values ($1, $2::int)';
    const [a, b] = await Promise.all([
      test.database.prepare('probe_shared', text),
      test.database.prepare('probe_shared', text),
    ]);
    expect(a).toBe(b);
    await a(['shared', '7']);
    expect(await values()).toContainEqual({ k: 'shared', v: 7 });
    await expect(test.database.prepare('probe_shared', 'select 1')).rejects.toThrow(/another text/);
  });

  it('refuses a statement that does not parse, when prepared or at the latest when run', async () => {
    const run = test.database
      .prepare('probe_broken', 'insert into nowhere values ($1)')
      .then((broken) => broken(['x']));
    await expect(run).rejects.toThrow(/nowhere/);
  });

  it('waits for an open transaction instead of joining it', async () => {
    const insert = await test.database.prepare(
      'probe_insert_tx',
      'insert into prepared_probe (k, v) values ($1, $2::int)',
    );
    let inserted: Promise<unknown> | undefined;
    await expect(
      test.database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into prepared_probe (k, v) values ('tx', 1)`);
        inserted = insert(['outside', '1']);
        // Give the prepared run every chance to slip in before the transaction ends.
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.execute(sql`select 1`);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await inserted;
    const keys = (await values()).map((row) => row.k);
    expect(keys).toContain('outside');
    expect(keys).not.toContain('tx');
  });
});
