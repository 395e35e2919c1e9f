// Opens the database the configuration asks for (embedded PGlite by default, PostgreSQL with DATABASE_URL) and
// applies the checked-in migrations, so both dialects always run the same schema.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import type { MessagePort } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { PGLITE_CONF } from './pglite-conf.ts';
import { PgliteThread } from './pglite-thread.ts';
import { preparePglite, preparePostgres, type PreparedStatement } from './prepared.ts';
import * as schema from './schema.ts';
import { serverRoot } from '../server-root.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The folder an embedded database keeps its files in; undefined for PostgreSQL and an in-memory PGlite. */
  dataDir?: string;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * A statement for a hot path, prepared once per database whoever asks for it (a failed preparation is tried
   * again next time); it sends and reads bytes as they are (see prepared.ts).
   */
  prepare(name: string, text: string): Promise<PreparedStatement>;
  /**
   * Settles with the reason if the database is gone for good while open: an embedded database whose thread died.
   * Never for PostgreSQL, whose pool connects again once the server is back.
   */
  lost: Promise<Error>;
  /**
   * An embedded database's files as a tar that `restoreEmbeddedDatabase` loads again, taken while it runs (see
   * PgliteThread.dump); undefined for PostgreSQL, which `pg_dump` copies.
   */
  dump?: () => Promise<Uint8Array>;
  /** On an embedded database, a port for another thread's own connection to it (see `PgliteThread.attach`). */
  attach?: () => Promise<MessagePort>;
  close(): Promise<void>;
}

const migrationsFolder = path.join(serverRoot, 'drizzle');

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Directory for PGlite's files; `undefined` keeps the database in memory (tests). */
  dataDir?: string | undefined;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(options.dataDir);
}

function pgliteEntry(): string {
  return createRequire(import.meta.url).resolve('@electric-sql/pglite');
}

/** Run by `node -e` with the PGlite entry, the directory and the settings as arguments. */
const INITDB_SCRIPT = `const [entry, dir, conf] = process.argv.slice(1);
require(entry)
  .PGlite.create(dir, { postgresqlconf: JSON.parse(conf) })
  .then((db) => db.close())
  .catch((error) => {
    // PGlite's file system rejects with objects that are not Errors (ErrnoError { errno }).
    console.error(error instanceof Error ? error.message : require('node:util').inspect(error));
    process.exit(1);
  });`;

/**
 * Creates a new data directory (initdb) in a short-lived process of its own, so that the server's own instance only
 * ever opens an existing directory. The instance that runs initdb keeps about 600 MB of WebAssembly memory for as
 * long as it lives. A thread that ran it gave that back when it exited, but left a 64 MB allocator arena resident in
 * the server until its next start (210 MB instead of 165 on a fresh install); a process leaves nothing behind.
 */
async function initPgliteDir(dir: string): Promise<void> {
  if (existsSync(path.join(dir, 'PG_VERSION'))) return;
  const args = ['--liftoff-only', '-e', INITDB_SCRIPT, pgliteEntry(), dir, JSON.stringify(PGLITE_CONF)];
  try {
    await promisify(execFile)(process.execPath, args);
  } catch (error) {
    const reason = (error as { stderr?: string }).stderr?.trim() || String(error);
    throw new Error(`the embedded database could not be created in ${dir}: ${reason}`, { cause: error });
  }
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  // PostgreSQL's WebAssembly stays on V8's baseline compiler. Optimizing its hot functions in the background kept
  // about 45 MB more code resident and took CPU from the requests (server CPU at 50 edits/s: 24% -> 10%), while a
  // document append, a 10 MB snapshot or an initial sync ran no slower by the sync bench. V8's flags are the
  // process's, and PGlite is the only WebAssembly in it.
  setFlagsFromString('--liftoff-only');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  let dir: string | undefined;
  if (dataDir) {
    dir = path.join(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    await initPgliteDir(dir);
  }
  const client = await PgliteThread.open(pgliteEntry(), dir, PGLITE_CONF);
  // Drizzle's PGlite driver calls only query() and transaction(), which PgliteThread offers with PGlite's contract.
  const db = drizzle({ client: client as unknown as PGlite, schema });
  try {
    await migrate(db, { migrationsFolder });
  } catch (error) {
    await client.close();
    throw error;
  }
  return {
    db,
    kind: 'pglite',
    ...(dataDir && { dataDir }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    prepare: preparedOnce((name, text) => preparePglite(client, name, text)),
    lost: client.lost,
    dump: () => client.dump(),
    attach: () => client.attach(),
    close: () => client.close(),
  };
}

/** Caches statements by name: PGlite refuses to prepare a name twice in its one session. */
function preparedOnce(
  prepare: (name: string, text: string) => Promise<PreparedStatement>,
): Database['prepare'] {
  const statements = new Map<string, { text: string; statement: Promise<PreparedStatement> }>();
  return (name, text) => {
    const known = statements.get(name);
    if (known) {
      if (known.text === text) return known.statement;
      return Promise.reject(new Error(`statement ${name} is already prepared with another text`));
    }
    const statement = prepare(name, text).catch((error: unknown) => {
      statements.delete(name);
      throw error;
    });
    statements.set(name, { text, statement });
    return statement;
  };
}

// Any fixed number works; it only has to be the same for every Tandem instance sharing the database.
const MIGRATION_LOCK = 7_236_001;

async function openPostgres(url: string): Promise<Database> {
  const pg = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pool = new pg.default.Pool({ connectionString: url, max: 10 });
  // An idle client that loses its connection emits 'error'; without a listener that would crash the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema });
  // Several instances may start at once against one database: serialize their migrations.
  const lockClient = await pool.connect();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(drizzle(lockClient, { schema }), { migrationsFolder });
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    lockClient.release();
  }
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    prepare: preparedOnce((name, text) => Promise.resolve(preparePostgres(pool, name, text))),
    lost: new Promise<Error>(() => undefined),
    close: () => pool.end(),
  };
}
