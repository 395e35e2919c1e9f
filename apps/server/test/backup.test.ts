// Backups taken while a server runs and a client types, restored into an empty instance: accounts, workspaces, the
// live files as acknowledged before the backup, an accepted task, a git-connected workspace whose sealed token still
// opens. The commands run are the ones docs/self-hosting/backups.md shows, through the package scripts they name.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, freshPostgres, makeClient, replayModelEnv } from './harness.ts';
import { startGitServer, type GitServer } from './git-server.ts';
import { exited, serverDir, startServerProcess } from './server-process.ts';
import { synced, textOf, until, yClient } from './yjs-client.ts';

const TOKEN = 'backup-git-token';
const docsPage = path.resolve(serverDir, '../../docs/self-hosting/backups.md');
const scripts = (
  JSON.parse(readFileSync(path.join(serverDir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/**
 * The page's command for `script` (a `pnpm --filter @tandem/server <script> --flag <file>` line), as the argv the
 * package script runs, with the page's example file replaced by `file`.
 */
function documentedCommand(script: 'backup' | 'restore', file: string): string[] {
  const prefix = `pnpm --filter @tandem/server ${script} `;
  const lines = readFileSync(docsPage, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(prefix));
  expect(lines, `docs/self-hosting/backups.md shows one ${script} command`).toHaveLength(1);
  const [flag, example, ...rest] = (lines[0] ?? '').slice(prefix.length).split(/\s+/);
  expect(rest).toEqual([]);
  expect(example).toBe('/backups/tandem.tar.gz');
  const command = scripts[script];
  if (!command || !flag) throw new Error(`apps/server has no ${script} script`);
  const [program, ...args] = command.split(' ');
  return [program === 'node' ? process.execPath : (program ?? ''), ...args, flag, file];
}

/** Runs a documented command with `env` on top of the server's environment; resolves with its output. */
function runCommand(argv: string[], env: Record<string, string>): Promise<string> {
  const [program, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(program ?? '', args, {
      cwd: serverDir,
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`exit ${String(code)}: ${out}`)),
    );
  });
}

const password = 'long enough pw';
const FILE = ['export function add(a, b) {', '  return a + b;', '}', ''].join('\n');

describe.each(backends)('backup and restore on %s', (backend) => {
  let llm: ReplayServer;
  let remote: GitServer;
  const cleanups: (() => Promise<void> | void)[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  /** The environment of an instance on `dataDir` (and, with PostgreSQL, a database of its own). */
  const instance = async (dataDir: string): Promise<Record<string, string>> => {
    if (backend === 'pglite') return { TANDEM_DATA_DIR: dataDir };
    const database = await freshPostgres();
    cleanups.push(database.drop);
    return { TANDEM_DATA_DIR: dataDir, DATABASE_URL: database.url };
  };

  beforeAll(async () => {
    llm = await startReplayServer();
    remote = await startGitServer(TOKEN);
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await llm.close();
    await remote.close();
  });

  it('restores everything acknowledged before a backup taken mid-typing, and the sealed git token opens', async () => {
    const serverEnv = { ...replayModelEnv(llm), TANDEM_GIT_ALLOWED_HOSTS: '127.0.0.1' };
    const sourceDir = tempDir('tandem-backup-src-');
    const source = await instance(sourceDir);
    const first = await startServerProcess(sourceDir, [], { ...serverEnv, ...source });
    const owner = makeClient(first.url);
    await owner.trpc.auth.signUp.mutate({ email: 'backup@example.com', password, name: 'Backup' });

    // A workspace connected to a git remote with a stored (sealed) token, and an AI task accepted into it.
    const repo = await remote.createRepo('app', { 'src/add.ts': FILE });
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Backed up' });
    const { credentialId } = await owner.trpc.git.credential.create.mutate({
      workspaceId: ws.id,
      token: TOKEN,
    });
    await owner.trpc.git.connect.mutate({ workspaceId: ws.id, url: repo, credentialId });
    llm.enqueue([replay.text(block('src/add.ts', '  return a + b;', '  return a + b; // restored'))]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'annotate' });
    await vi.waitFor(
      async () => expect((await owner.trpc.task.get.query({ taskId })).state).toBe('proposed'),
      { timeout: 30_000, interval: 50 },
    );
    await owner.trpc.task.accept.mutate({ taskId });

    // One client types into notes.md the whole time; another watches what the server acknowledged.
    const writer = yClient(first.url, ws.id, owner.jar.header());
    const watcher = yClient(first.url, ws.id, owner.jar.header());
    await Promise.all([synced(writer), synced(watcher)]);
    let i = 0;
    const typing = setInterval(
      () => writer.text('notes.md').insert(writer.text('notes.md').length, `<${i++}>`),
      15,
    );
    let seen: string[] = [];
    const backupFile = path.join(tempDir('tandem-backup-file-'), 'tandem.tar.gz');
    try {
      await until(() => textOf(watcher, 'notes.md').length > 100, 20_000, 'typing to reach the watcher');
      seen = textOf(watcher, 'notes.md').match(/<\d+>/g) ?? [];
      const output = await runCommand(documentedCommand('backup', backupFile), source);
      expect(output).toContain(backend === 'pglite' ? 'from the running server' : 'pg_dump');
      // The typing went on through the backup.
      await until(() => (textOf(watcher, 'notes.md').match(/<\d+>/g) ?? []).length > seen.length + 5);
    } finally {
      clearInterval(typing);
      writer.destroy();
      watcher.destroy();
    }
    first.child.kill('SIGTERM');
    await exited(first.child);

    // A new, empty instance, with the secret key put back the way the page says.
    const targetDir = tempDir('tandem-backup-dst-');
    copyFileSync(path.join(sourceDir, 'secret.key'), path.join(targetDir, 'secret.key'));
    const target = await instance(targetDir);
    const restored = await runCommand(documentedCommand('restore', backupFile), target);
    expect(restored).toContain('Restored the backup');
    expect(restored).not.toContain('Warning');
    // Restoring again over what is now there is refused, and changes nothing.
    await expect(runCommand(documentedCommand('restore', backupFile), target)).rejects.toThrow(
      backend === 'pglite' ? /already holds a database/ : /is not empty/,
    );

    const second = await startServerProcess(targetDir, [], { ...serverEnv, ...target });
    try {
      const again = makeClient(second.url);
      await again.trpc.auth.signIn.mutate({ email: 'backup@example.com', password });
      expect((await again.trpc.workspace.list.query()).map((w) => w.id)).toContain(ws.id);
      expect((await again.trpc.task.get.query({ taskId })).state).toBe('applied');
      const file = await again.trpc.file.read.query({ workspaceId: ws.id, path: 'src/add.ts' });
      expect('content' in file && file.content).toContain('return a + b; // restored');

      // Every keystroke any peer had seen before the backup began is there.
      const reader = yClient(second.url, ws.id, again.jar.header());
      await synced(reader);
      const after = new Set(textOf(reader, 'notes.md').match(/<\d+>/g) ?? []);
      reader.destroy();
      expect(seen.length).toBeGreaterThan(10);
      expect(seen.filter((token) => !after.has(token))).toEqual([]);

      // The repository came back, and the token sealed before the backup opens: a pull authenticates with it.
      const log = await again.trpc.git.log.query({ workspaceId: ws.id, limit: 5 });
      expect(log.commits.length).toBeGreaterThan(0);
      await again.trpc.git.pull.mutate({ workspaceId: ws.id });
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }, 180_000);
});

describe('backup of the embedded database', () => {
  it('refuses, writing nothing, when the data directory is too long for the socket that would say whether a server runs', async () => {
    const dataDir = path.join(tmpdir(), 'x'.repeat(110));
    const out = path.join(tmpdir(), `tandem-never-${process.pid}.tar.gz`);
    await expect(runCommand(documentedCommand('backup', out), { TANDEM_DATA_DIR: dataDir })).rejects.toThrow(
      /too long for the backup socket: stop the server/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
