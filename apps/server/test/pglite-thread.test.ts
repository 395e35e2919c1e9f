// PGlite on a worker thread: the same answers and errors as PGlite in this thread, transactions that keep everyone
// else waiting, and an event loop that stays free while a statement runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachedDatabase, PgliteThread } from '../src/db/pglite-thread.ts';
import { preparePglite, runPrepared, textOf } from '../src/db/prepared.ts';

const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
const textTypes = { [types.TIMESTAMPTZ]: (value: unknown) => value, [types.DATE]: (value: unknown) => value };

describe('PgliteThread', () => {
  let thread: PgliteThread;
  let local: PGlite;
  beforeAll(async () => {
    [thread, local] = await Promise.all([PgliteThread.open(entry, undefined, []), PGlite.create()]);
    const schema = 'create table probe (k text primary key, n int not null, b bytea, j jsonb, t timestamptz)';
    await Promise.all([thread.exec(schema), local.exec(schema)]);
  });
  afterAll(async () => {
    await Promise.all([thread.close(), local.close()]);
  });

  it('answers a query with the rows, fields and counts PGlite gives in this thread', async () => {
    const insert = 'insert into probe values ($1, $2, $3, $4, $5), ($6, $7, null, null, null)';
    const params = [
      'a',
      1,
      new Uint8Array([0, 255, 39]),
      JSON.stringify({ x: [1, 'y'] }),
      '2026-12-03T10:00:00Z',
    ];
    const both = [...params, 'b', -2];
    expect(await thread.query(insert, both)).toEqual(await local.query(insert, both));
    const select = `select k, n, n::bigint as big, b, j, t, t::date as d, n > 0 as positive from probe order by k`;
    for (const options of [{}, { rowMode: 'array' as const, parsers: textTypes }]) {
      const remote = await thread.query(select, [], options);
      const here = await local.query(select, [], options);
      expect(remote.rows).toEqual(here.rows);
      expect(remote.fields).toEqual(here.fields);
    }
    // The two rows' values as they arrive, not only as PGlite here would have them.
    const [row] = (await thread.query(select)).rows as Record<string, unknown>[];
    expect(row).toMatchObject({ k: 'a', n: 1, big: 1, b: new Uint8Array([0, 255, 39]), j: { x: [1, 'y'] } });
    expect(row?.['t']).toBeInstanceOf(Date);
  });

  it("rejects with PGlite's error, its SQLSTATE and fields included, and keeps serving", async () => {
    const duplicate = "insert into probe (k, n) values ('a', 5)";
    const [remote, here] = await Promise.all([
      thread.query(duplicate).catch((error: unknown) => error),
      local.query(duplicate).catch((error: unknown) => error),
    ]);
    expect(remote).toBeInstanceOf(Error);
    const fields = ['message', 'code', 'constraint', 'table', 'detail', 'severity'] as const;
    const pick = (error: unknown) =>
      Object.fromEntries(fields.map((field) => [field, (error as Record<string, unknown>)[field]]));
    expect(pick(remote)).toEqual(pick(here));
    expect(pick(remote)).toMatchObject({ code: '23505', constraint: 'probe_pkey' });
    await expect(thread.query('select * from nowhere')).rejects.toMatchObject({ code: '42P01' });
    await expect(thread.query('select $1', [() => 1])).rejects.toThrow(/could not be cloned/);
    expect((await thread.query('select count(*)::int as c from probe')).rows).toEqual([{ c: 2 }]);
  });

  it('commits a transaction that resolves, rolls back one that throws, and makes other statements wait', async () => {
    let outside: Promise<unknown> | undefined;
    const committed = await thread.transaction(async (tx) => {
      await tx.query("insert into probe (k, n) values ('tx', 3)");
      // Sent while the transaction is open: it must neither see the uncommitted row nor land inside it.
      outside = thread.query("select count(*)::int as c from probe where k = 'tx'");
      await new Promise((resolve) => setTimeout(resolve, 30));
      return (await tx.query("select n from probe where k = 'tx'")).rows;
    });
    expect(committed).toEqual([{ n: 3 }]);
    expect(((await outside) as { rows: unknown[] }).rows).toEqual([{ c: 1 }]);

    await expect(
      thread.transaction(async (tx) => {
        await tx.query("insert into probe (k, n) values ('gone', 4)");
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // A failed statement aborts the transaction: it rolls back and rejects with the database's error.
    await expect(
      thread.transaction(async (tx) => {
        await tx.query("insert into probe (k, n) values ('gone', 4)");
        await tx.query("insert into probe (k, n) values ('gone', 4)");
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await thread.query("select k from probe where k = 'gone'")).rows).toEqual([]);
    await expect(
      thread
        .transaction(async (tx) => {
          await tx.exec('select 1');
          return tx;
        })
        .then((tx) => tx.query('select 1')),
    ).rejects.toThrow(/closed/);
  });

  it('keeps this thread free while a statement runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    try {
      await thread.query('select count(*) from generate_series(1, 3000000)');
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    // In this thread the statement would have held the event loop throughout: no tick at all.
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 5 / 4));
  });

  it('hands a reply over in whole messages, each large row in a buffer of its own, every row in order', async () => {
    await thread.exec(
      'create table blobs (n int primary key, data bytea); alter table blobs alter data set storage external',
    );
    await preparePglite(thread, 'blobs_put', 'insert into blobs values ($1::int, $2::bytea)');
    // Rows of 3 MB cross the database's ~4 MB output chunks; thousands of small rows fill several packs.
    const large = (n: number) => new Uint8Array(3 * 1024 * 1024).fill(n);
    for (let n = 1; n <= 4; n++) await runPrepared(thread, 'blobs_put', [String(n), large(n)]);
    await thread.exec(
      "insert into blobs select n, decode(repeat(lpad(to_hex(n % 251), 2, '0'), 100), 'hex') from generate_series(5, 3000) n",
    );
    const small = (n: number) => new Uint8Array(100).fill(n % 251);
    const same = (a: Uint8Array | null | undefined, b: Uint8Array) =>
      a !== null && a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
    await preparePglite(thread, 'blobs_all', 'select data from blobs order by n');
    const rows = await runPrepared(thread, 'blobs_all', []);
    expect(rows).toHaveLength(3000);
    for (const [i, [data]] of rows.entries()) {
      const n = i + 1;
      expect(same(data, n <= 4 ? large(n) : small(n))).toBe(true);
      // A large row is its message alone: the type, the lengths, the column count and the bytes.
      if (n <= 4) expect(data?.buffer.byteLength).toBe((data?.byteLength ?? 0) + 11);
    }
    const smallBuffers = new Set(rows.slice(4).map(([data]) => data?.buffer));
    expect(smallBuffers.size).toBeGreaterThan(1);
    expect(smallBuffers.size).toBeLessThan(20);
  });

  it("serves another thread's statements on an attached port, statements only, until the database closes", async () => {
    const other = await PgliteThread.open(entry, undefined, []);
    try {
      await other.exec("create table kv (k text primary key, v text); insert into kv values ('a', 'one')");
      // Prepared by the server, run by name over the attached port, as an archive worker does.
      await preparePglite(other, 'kv_get', 'select v from kv where k = $1');
      const attached = new AttachedDatabase(await other.attach());
      const [row] = await runPrepared(attached, 'kv_get', ['a']);
      expect(textOf(row?.[0])).toBe('one');
      await expect(runPrepared(attached, 'kv_missing', ['a'])).rejects.toThrow(/kv_missing/);
      // A transaction begun there would hold everyone else up should that thread die: refused.
      const call = (attached as unknown as { call(request: unknown): Promise<unknown> }).call.bind(attached);
      await expect(call({ op: 'begin' })).rejects.toThrow(/begin is not allowed on an attached port/);
      await expect(call({ op: 'close' })).rejects.toThrow(/close is not allowed/);
      expect(textOf((await runPrepared(attached, 'kv_get', ['a']))[0]?.[0])).toBe('one');
      const second = new AttachedDatabase(await other.attach());
      await other.close();
      // The database closed its end: waiting calls fail rather than hang.
      await expect(runPrepared(second, 'kv_get', ['a'])).rejects.toThrow(/closed this connection/);
    } finally {
      await other.close();
    }
  });

  it('rejects every call once closed, and reports a database that cannot open', async () => {
    const other = await PgliteThread.open(entry, undefined, []);
    await other.close();
    await expect(other.query('select 1')).rejects.toThrow(/embedded database stopped/);
    await other.close();
    // Closing is not losing it.
    const settled = await Promise.race([
      other.lost,
      new Promise((resolve) => setTimeout(resolve, 100, 'open')),
    ]);
    expect(settled).toBe('open');

    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-thread-'));
    try {
      const file = path.join(dir, 'not-a-directory');
      writeFileSync(file, 'x');
      await expect(PgliteThread.open(entry, file, [])).rejects.toThrow(/embedded database could not start/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a thread that dies while open, and fails its calls', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-thread-'));
    try {
      // A database that opens and then takes its thread down on the first statement, as a crash in it would.
      const crashing = path.join(dir, 'crashing.cjs');
      writeFileSync(
        crashing,
        'exports.PGlite = class { waitReady = Promise.resolve(); query() { process.exit(3); } };',
      );
      const doomed = await PgliteThread.open(crashing, undefined, []);
      await expect(doomed.query('select 1')).rejects.toThrow('the embedded database stopped (exit code 3)');
      expect((await doomed.lost).message).toBe('the embedded database stopped (exit code 3)');
      await expect(doomed.exec('select 1')).rejects.toThrow(/stopped/);
      await doomed.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
