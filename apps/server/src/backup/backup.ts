// Backups of an instance, and restoring one into an empty instance. A backup is one tar.gz:
//   manifest.json      what it holds (format, version, which database, when, the secret key's id)
//   database/pglite.tar     the embedded database's files (PGlite's dumpDataDir), or
//   database/postgres.dump  `pg_dump --format=custom` of the PostgreSQL database
//   git/<workspace>/…  the local git repositories of workspaces connected to a remote (TANDEM_DATA_DIR/git)
// The secret key (TANDEM_SECRET_KEY or TANDEM_DATA_DIR/secret.key) is left out on purpose: whoever holds a backup and
// the key can read the stored LLM API key and git tokens. Only the key's id is recorded, so a restore can say whether
// the key it finds is the one the secrets were sealed with.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readArchive, writeArchive, type ArchiveFileInput } from '@tandem/core';
import { zlibArchiveCodec as codec } from '@tandem/core/zlib';
import { z } from 'zod';
import { childEnv, type Config } from '../env.ts';
import { PGLITE_CONF } from '../db/pglite-conf.ts';
import { currentSecretKeyId } from '../secrets.ts';
import { controlSocketFits, controlSocketPath } from './control.ts';

const manifestSchema = z.object({
  format: z.literal('tandem-backup'),
  version: z.literal(1),
  database: z.enum(['pglite', 'postgres']),
  createdAt: z.string(),
  /** The id (a hash, not the key) of the key the instance sealed secrets with; null when it had none. */
  secretKeyId: z.string().nullable(),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

const PGLITE_ENTRY = 'database/pglite.tar';
const POSTGRES_ENTRY = 'database/postgres.dump';

/** A backup or restore that cannot go on; the CLI prints the message and exits with 1. */
export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupResult {
  manifest: BackupManifest;
  bytes: Uint8Array;
  /** How the embedded database was copied: by the running server, or opened here because none was running. */
  via: 'server' | 'offline' | 'pg_dump';
}

type BackupConfig = Pick<Config, 'dataDir' | 'databaseUrl' | 'secretKey' | 'secretKeyPrevious'>;

export async function takeBackup(config: BackupConfig): Promise<BackupResult> {
  const database = config.databaseUrl
    ? { kind: 'postgres' as const, bytes: await pgDump(config.databaseUrl), via: 'pg_dump' as const }
    : { kind: 'pglite' as const, ...(await dumpEmbedded(config.dataDir)) };
  const manifest: BackupManifest = {
    format: 'tandem-backup',
    version: 1,
    database: database.kind,
    createdAt: new Date().toISOString(),
    secretKeyId: currentSecretKeyId(config),
  };
  // After the database: a repository copied later holds every commit the database names (git writes objects before
  // it moves a ref, and the refs are read before the objects here).
  const files: ArchiveFileInput[] = [
    { path: 'manifest.json', content: `${JSON.stringify(manifest, null, 2)}\n` },
    { path: database.kind === 'pglite' ? PGLITE_ENTRY : POSTGRES_ENTRY, content: database.bytes },
    ...gitFiles(config.dataDir),
  ];
  return { manifest, bytes: writeArchive(files, 'tar.gz', { mtime: new Date(), codec }), via: database.via };
}

async function pgDump(url: string): Promise<Uint8Array> {
  // A custom-format dump is one consistent snapshot (one repeatable-read transaction) while the instance runs.
  return runTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges'], url);
}

async function dumpEmbedded(dataDir: string): Promise<{ bytes: Uint8Array; via: 'server' | 'offline' }> {
  // Without a socket there is no telling whether a server has the database open, and two processes on it would
  // damage it.
  if (!controlSocketFits(dataDir)) {
    throw new BackupError(
      `The path of ${dataDir} is too long for the backup socket: stop the server and copy the whole data directory.`,
    );
  }
  const socket = controlSocketPath(dataDir);
  if (existsSync(socket)) {
    const fromServer = await askServer(socket);
    if (fromServer) return { bytes: fromServer, via: 'server' };
  }
  if (!existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))) {
    throw new BackupError(`There is no embedded database in ${dataDir} (is TANDEM_DATA_DIR right?).`);
  }
  // No server is running on this data directory: open the database here.
  const { openDatabase } = await import('../db/client.ts');
  const database = await openDatabase({ dataDir });
  try {
    if (!database.dump) throw new BackupError('The embedded database cannot be dumped.');
    return { bytes: await database.dump(), via: 'offline' };
  } finally {
    await database.close();
  }
}

/** The database's files from the server listening on `socket`, or undefined when no server answers there. */
function askServer(socket: string): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path: '/backup/database' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
        else reject(new BackupError(`The server refused the backup: ${body.toString().trim()}`));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A socket file a killed server left behind: nobody is listening.
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(undefined);
      else reject(error);
    });
    req.end();
  });
}

/** Every file under TANDEM_DATA_DIR/git, refs before objects. */
function gitFiles(dataDir: string): ArchiveFileInput[] {
  const root = path.join(dataDir, 'git');
  if (!existsSync(root)) return [];
  const entries = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const relative = entries.map((e) => path.relative(root, path.join(e.parentPath, e.name)));
  const isObject = (file: string) => file.split(path.sep)[1] === 'objects';
  relative.sort((a, b) => Number(isObject(a)) - Number(isObject(b)));
  return relative.map((file) => ({
    path: `git/${file.split(path.sep).join('/')}`,
    content: readFileSync(path.join(root, file)),
  }));
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** What to tell the operator about the secret key; null when the key found is the one the backup was made with. */
  secretKeyWarning: string | null;
}

/** Restores `bytes` into the empty instance `config` describes; refuses anything that is not empty. */
export async function restoreBackup(config: BackupConfig, bytes: Uint8Array): Promise<RestoreResult> {
  const entries = readArchive(
    bytes,
    {
      maxEntries: Number.MAX_SAFE_INTEGER,
      maxFileBytes: Number.MAX_SAFE_INTEGER,
      maxTotalBytes: Number.MAX_SAFE_INTEGER,
      maxExpansionRatio: Number.MAX_SAFE_INTEGER,
    },
    { codec },
  );
  const byPath = new Map(entries.map((entry) => [entry.path, entry.content]));
  const manifestBytes = byPath.get('manifest.json');
  const parsed = manifestBytes && manifestSchema.safeParse(JSON.parse(Buffer.from(manifestBytes).toString()));
  if (!parsed?.success)
    throw new BackupError('This file is not a Tandem backup (no readable manifest.json).');
  const manifest = parsed.data;
  const target = config.databaseUrl ? 'postgres' : 'pglite';
  if (manifest.database !== target) {
    throw new BackupError(
      manifest.database === 'pglite'
        ? 'This backup is of the embedded database: restore it with DATABASE_URL unset.'
        : 'This backup is of a PostgreSQL database: restore it with DATABASE_URL set to an empty database.',
    );
  }
  const databaseBytes = byPath.get(manifest.database === 'pglite' ? PGLITE_ENTRY : POSTGRES_ENTRY);
  if (!databaseBytes) throw new BackupError('The backup has no database in it.');
  // Every check before anything is written: a refused restore leaves the target as it was.
  const pgliteDir = path.join(config.dataDir, 'pglite');
  if (manifest.database === 'pglite' && existsSync(path.join(pgliteDir, 'PG_VERSION'))) {
    throw new BackupError(`${pgliteDir} already holds a database: restore into a new data directory.`);
  }
  if (manifest.database === 'postgres') await requireEmptyPostgres(config.databaseUrl ?? '');
  const gitRoot = path.join(config.dataDir, 'git');
  if (existsSync(gitRoot) && readdirSync(gitRoot).length > 0) {
    throw new BackupError(`${gitRoot} is not empty: restore into a new data directory.`);
  }

  if (manifest.database === 'pglite') await loadEmbedded(pgliteDir, databaseBytes);
  else await pgRestore(config.databaseUrl ?? '', databaseBytes);
  for (const [file, content] of byPath) {
    if (!file.startsWith('git/')) continue;
    const to = path.join(config.dataDir, file);
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(to, content);
  }
  return { manifest, secretKeyWarning: secretKeyWarning(manifest, currentSecretKeyId(config)) };
}

function secretKeyWarning(manifest: BackupManifest, found: string | null): string | null {
  if (manifest.secretKeyId === null || manifest.secretKeyId === found) return null;
  const where = found
    ? `The secret key found (id ${found}) is not the one the backup's secrets were sealed with (id ${manifest.secretKeyId}).`
    : `No secret key was found (TANDEM_SECRET_KEY or secret.key in the data directory); the backup's secrets were sealed with key ${manifest.secretKeyId}.`;
  return (
    `${where} Put that key back (copy its secret.key into the data directory, or set TANDEM_SECRET_KEY, or ` +
    'TANDEM_SECRET_KEY_PREVIOUS to open and reseal) before starting, or enter the LLM API key and git tokens again.'
  );
}

async function loadEmbedded(dir: string, tar: Uint8Array): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dir, {
    loadDataDir: new Blob([tar as Uint8Array<ArrayBuffer>]),
    postgresqlconf: [...PGLITE_CONF],
  });
  // Recovery from the copy has run by now; a query proves it opens.
  await db.query('select 1');
  await db.close();
}

async function requireEmptyPostgres(url: string): Promise<void> {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "select count(*) as n from pg_tables where schemaname not in ('pg_catalog', 'information_schema')",
    );
    if (Number(rows[0]?.n ?? 0) > 0) {
      throw new BackupError(
        'The database DATABASE_URL names is not empty: restore into a new, empty database.',
      );
    }
  } finally {
    await client.end();
  }
}

async function pgRestore(url: string, dump: Uint8Array): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-restore-'));
  try {
    const file = path.join(dir, 'postgres.dump');
    writeFileSync(file, dump, { mode: 0o600 });
    await runTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', file], url);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a PostgreSQL client tool on `url` and collects what it prints (spawn, not execFile: a dump may be larger than
 * any buffer limit worth setting). The password goes in PGPASSWORD rather than the command line, which every local
 * user can read in the process list.
 */
function runTool(command: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<Uint8Array> {
  const address = new URL(url);
  const password = decodeURIComponent(address.password);
  address.password = '';
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, `--dbname=${address.toString()}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv(password ? { PGPASSWORD: password } : {}),
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => reject(new BackupError(`${command} could not run: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new BackupError(`${command} failed: ${err.trim() || `exit code ${String(code)}`}`));
    });
  });
}
