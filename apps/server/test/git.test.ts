// Git-backed workspaces end to end: a real `git http-backend` on loopback, real Yjs clients, a real AI task against
// the replayed model server, and the real git CLI checking what Tandem pushed.
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  backends,
  expectError,
  signedUpClient,
  startTestServer,
  type TestServer,
  replayModelEnv,
} from './harness.ts';
import { startGitServer, type GitServer } from './git-server.ts';
import { synced, textOf, until, yClient, type YClient } from './yjs-client.ts';

const TOKEN = 'right-token-123';
const MAIN = ['export function add(a: number, b: number) {', '  return a + b;', '}', ''].join('\n');

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// Clones, worker threads and a model round trip take a while on a busy machine.
describe.each(backends)('git-backed workspaces on %s', { timeout: 120_000 }, (backend) => {
  let remote: GitServer;
  let llm: ReplayServer;
  let server: TestServer;
  let dataDir: string;
  let alice: Awaited<ReturnType<typeof signedUpClient>>;
  let bob: Awaited<ReturnType<typeof signedUpClient>>;
  let rita: Awaited<ReturnType<typeof signedUpClient>>;
  const yClients: YClient[] = [];

  beforeAll(async () => {
    remote = await startGitServer(TOKEN);
    llm = await startReplayServer();
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-git-data-'));
    server = await startTestServer(backend, {
      env: {
        TANDEM_DATA_DIR: dataDir,
        TANDEM_PUBLIC_URL: 'http://tandem.test',
        TANDEM_GIT_ALLOWED_HOSTS: '127.0.0.1',
        ...replayModelEnv(llm),
      },
      git: { limits: { maxFiles: 20, maxFileBytes: 64 * 1024 }, remoteIdleTimeoutMs: 4_000 },
    });
    alice = await signedUpClient(server.url, 'Alice');
    bob = await signedUpClient(server.url, 'Bob');
    rita = await signedUpClient(server.url, 'Rita');
  });
  afterAll(async () => {
    for (const c of yClients) c.destroy();
    await server.close();
    await llm.close();
    await remote.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function workspace() {
    const ws = await alice.trpc.workspace.create.mutate({ name: 'Repo' });
    for (const [member, role] of [
      [bob, 'editor'],
      [rita, 'reviewer'],
    ] as const) {
      const invite = await alice.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await member.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    return ws;
  }

  async function connected(name: string, files: Record<string, string>) {
    const url = await remote.createRepo(name, files);
    const ws = await workspace();
    const { credentialId } = await alice.trpc.git.credential.create.mutate({
      workspaceId: ws.id,
      token: TOKEN,
    });
    const result = await alice.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId });
    return { ws, url, result };
  }

  function live(workspaceId: string, cookie: string) {
    const y = yClient(server.url, workspaceId, cookie);
    yClients.push(y);
    return y;
  }

  it('clones, takes edits by two people and an accepted AI task, commits with honest co-authors and pushes', async () => {
    const url = await remote.createRepo(
      'app',
      { 'src/main.ts': MAIN, 'README.md': '# App\n' },
      async (work) => {
        await symlink('/etc/passwd', path.join(work, 'evil'));
        await symlink('src/main.ts', path.join(work, 'main-link'));
        await writeFile(
          path.join(work, 'asset.bin'),
          'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'b'.repeat(64) + '\nsize 99999999\n',
        );
        await remote.git(work, 'add', '-A');
        await remote.git(work, 'update-index', '--add', '--cacheinfo', `160000,${'a'.repeat(40)},vendor/lib`);
      },
    );
    const ws = await workspace();
    const { credentialId } = await alice.trpc.git.credential.create.mutate({
      workspaceId: ws.id,
      token: TOKEN,
    });
    // The token never comes back.
    expect(JSON.stringify(await alice.trpc.git.credential.list.query({ workspaceId: ws.id }))).not.toContain(
      TOKEN,
    );
    await expectError(bob.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId }), 'FORBIDDEN');
    const connected = await alice.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId });
    expect(connected).toMatchObject({
      branch: 'main',
      files: 3,
      submodules: [{ path: 'vendor/lib' }],
      lfsPointers: ['asset.bin'],
    });
    expect(connected.skipped).toEqual([
      { path: 'evil', reason: 'symlink to /etc/passwd, outside the repository (refused)' },
      { path: 'main-link', reason: 'symlink to src/main.ts (kept in git, not editable as a file)' },
    ]);
    const tree = await rita.trpc.file.list.query({ workspaceId: ws.id });
    expect(
      tree.entries
        .filter((e) => e.kind === 'file')
        .map((e) => e.path)
        .sort(),
    ).toEqual(['README.md', 'asset.bin', 'src/main.ts']);
    expect((await rita.trpc.git.status.query({ workspaceId: ws.id })).changes).toEqual([]);

    // Alice and Bob type over real WebSocket providers.
    const ya = live(ws.id, alice.jar.header());
    const yb = live(ws.id, bob.jar.header());
    await Promise.all([synced(ya), synced(yb)]);
    ya.text('src/main.ts').insert(0, '// by alice\n');
    yb.text('README.md').insert(6, 'Written by Bob.\n');
    await until(
      () => textOf(yb, 'src/main.ts').startsWith('// by alice') && textOf(ya, 'README.md').includes('Bob'),
    );

    // An AI task changes main.ts; Alice accepts it.
    llm.enqueue([replay.text(block('src/main.ts', '  return a + b;', '  return a + b; // checked by AI'))]);
    const { taskId } = await alice.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'annotate' });
    await vi.waitFor(
      async () => expect((await alice.trpc.task.get.query({ taskId })).state).toBe('proposed'),
      {
        timeout: 20_000,
        interval: 50,
      },
    );
    await alice.trpc.task.accept.mutate({ taskId });
    await until(() => textOf(yb, 'src/main.ts').includes('checked by AI'));

    // A new file Bob creates, and a file Alice deletes.
    yb.text('docs/notes.md').insert(0, 'notes\n');
    await until(() => textOf(ya, 'docs/notes.md') === 'notes\n');

    const status = await rita.trpc.git.status.query({ workspaceId: ws.id });
    expect(status.changes.map((c) => [c.kind, c.path])).toEqual([
      ['modified', 'README.md'],
      ['added', 'docs/notes.md'],
      ['modified', 'src/main.ts'],
    ]);
    expect(status.changes[0]?.diff).toBe(
      '--- a/README.md\n+++ b/README.md\n@@ -1,1 +1,2 @@\n # App\n+Written by Bob.\n',
    );
    await expectError(rita.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'x' }), 'FORBIDDEN');

    const made = await alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'Annotate and document' });
    expect(made.coAuthors.map((a) => a.name).sort()).toEqual([
      'Bob',
      `Tandem AI task ${taskId.slice(0, 8)} (replay-model)`,
    ]);
    expect((await rita.trpc.git.status.query({ workspaceId: ws.id })).changes).toEqual([]);
    await expectError(
      alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'again' }),
      'GIT_NOTHING_TO_COMMIT',
    );

    const pushed = await bob.trpc.git.push.mutate({ workspaceId: ws.id });
    expect(pushed.commit).toBe(made.commit);

    // The real git CLI sees exactly that.
    const clone = await remote.clone('app');
    expect((await remote.git(clone, 'rev-parse', 'HEAD')).trim()).toBe(made.commit);
    expect(await remote.git(clone, 'log', '--format=%an <%ae>|%(trailers:only,unfold)|%s', '-1')).toBe(
      `Alice <${alice.email}>|Co-authored-by: Bob <${bob.email}>\n` +
        `Co-authored-by: Tandem AI task ${taskId.slice(0, 8)} (replay-model) <task-${taskId}@tandem.test>\n|Annotate and document\n`,
    );
    expect(
      await remote.git(clone, 'log', '--format=%an %(trailers:key=Co-authored-by,valueonly,separator=%x2C)'),
    ).toBe(
      `Alice Bob <${bob.email}>,Tandem AI task ${taskId.slice(0, 8)} (replay-model) <task-${taskId}@tandem.test>\nRemote Dev \n`,
    );
    const lsTree = await remote.git(clone, 'ls-tree', '-r', 'HEAD');
    expect(
      lsTree
        .split('\n')
        .filter(Boolean)
        .map((line) => `${line.split(/\s+/).slice(0, 2).join(' ')} ${line.split('\t')[1] ?? ''}`),
    ).toEqual([
      '100644 blob README.md',
      '100644 blob asset.bin',
      '100644 blob docs/notes.md',
      '120000 blob evil',
      '120000 blob main-link',
      '100644 blob src/main.ts',
      '160000 commit vendor/lib',
    ]);
    expect(await readFile(path.join(clone, 'src/main.ts'), 'utf8')).toBe(
      '// by alice\nexport function add(a: number, b: number) {\n  return a + b; // checked by AI\n}\n',
    );
    expect(await readFile(path.join(clone, 'README.md'), 'utf8')).toBe('# App\nWritten by Bob.\n');

    const log = await rita.trpc.git.log.query({ workspaceId: ws.id });
    expect(log.commits.map((c) => c.author.name)).toEqual(['Alice', 'Remote Dev']);
    const shown = await rita.trpc.git.show.query({ workspaceId: ws.id, commit: made.commit });
    expect(shown.changes.map((c) => [c.kind, c.path])).toEqual(status.changes.map((c) => [c.kind, c.path]));

    const audit = await alice.trpc.admin.audit.list.query({ workspaceId: ws.id, limit: 50 });
    expect(
      audit
        .filter((r) => r.action.startsWith('git.'))
        .map((r) => r.action)
        .reverse(),
    ).toEqual(['git.credential_create', 'git.connect', 'git.commit', 'git.push']);
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
  });

  it('commits only the chosen paths, and refuses a push the remote moved past with a typed error', async () => {
    const { ws } = await connected('race', { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    await alice.trpc.file.write.mutate({ workspaceId: ws.id, path: 'a.txt', content: 'a2\n' });
    // Written through the file API, not a live connection: still Bob's.
    await bob.trpc.file.write.mutate({ workspaceId: ws.id, path: 'b.txt', content: 'b2\n' });
    const onlyA = await alice.trpc.git.commit.mutate({
      workspaceId: ws.id,
      message: 'Only a',
      paths: ['a.txt'],
    });
    expect(onlyA.changes).toEqual([{ kind: 'modified', path: 'a.txt' }]);
    expect(onlyA.coAuthors).toEqual([]);
    expect((await alice.trpc.git.status.query({ workspaceId: ws.id })).changes.map((c) => c.path)).toEqual([
      'b.txt',
    ]);
    const made = await alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'Then b' });
    expect(made.coAuthors).toEqual([{ name: 'Bob', email: bob.email }]);
    await alice.trpc.file.rename.mutate({ workspaceId: ws.id, from: 'a.txt', to: 'docs/a.txt' });
    await alice.trpc.file.delete.mutate({ workspaceId: ws.id, path: 'b.txt' });
    const status = await alice.trpc.git.status.query({ workspaceId: ws.id });
    expect(status.changes.map(({ kind, path: p, from }) => ({ kind, path: p, from }))).toEqual([
      { kind: 'deleted', path: 'b.txt', from: undefined },
      { kind: 'renamed', path: 'docs/a.txt', from: 'a.txt' },
    ]);
    const moved = await alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'Move and delete' });

    // Someone else pushes first.
    const other = await remote.clone('race');
    await remote.git(other, 'commit', '-q', '--allow-empty', '-m', 'Elsewhere');
    await remote.git(other, 'push', '-q', 'origin', 'main');
    const error = await expectError(
      alice.trpc.git.push.mutate({ workspaceId: ws.id }),
      'GIT_NON_FAST_FORWARD',
    );
    expect(error.httpStatus).toBe(409);
    // A new branch is fine.
    await alice.trpc.git.push.mutate({ workspaceId: ws.id, branch: 'tandem/a-and-b' });
    const check = await remote.clone('race');
    expect((await remote.git(check, 'rev-parse', 'origin/tandem/a-and-b')).trim()).toBe(moved.commit);
    expect(
      await remote.git(check, 'log', '--format=%s|%(trailers:only,unfold)', 'origin/tandem/a-and-b'),
    ).toBe(`Move and delete|\nThen b|Co-authored-by: Bob <${bob.email}>\n\nOnly a|\nInitial commit|\n`);
    expect(await remote.git(check, 'show', '--format=', '--name-status', '-M', 'origin/tandem/a-and-b')).toBe(
      'D\tb.txt\nR100\ta.txt\tdocs/a.txt\n',
    );

    // The repository is on this instance's disk; without it the workspace says so instead of failing obscurely.
    await rm(path.join(dataDir, 'git', ws.id), { recursive: true, force: true });
    const missing = await expectError(
      alice.trpc.git.status.query({ workspaceId: ws.id }),
      'GIT_NOT_CONNECTED',
    );
    expect(missing.httpStatus).toBe(412);
  });

  it('pulls the remote into the live files: clean lines land at once, lines both sides changed wait in the review', async () => {
    const app = ['a', 'b', 'c', 'd', 'e', 'f', 'g', ''].join('\n');
    const { ws } = await connected('pull', { 'app.ts': app, 'old.txt': 'old\n', 'kept.txt': 'kept\n' });
    const bobLive = live(ws.id, bob.jar.header());
    await synced(bobLive);
    await until(() => textOf(bobLive, 'app.ts') === app, 10_000, 'the cloned file');
    // Bob is typing: a line at the top, and line c changed; neither is committed.
    bobLive.text('app.ts').insert(0, 'top\n');
    const c = textOf(bobLive, 'app.ts').indexOf('c\n');
    bobLive.text('app.ts').delete(c, 1);
    bobLive.text('app.ts').insert(c, 'C-bob');

    const other = await remote.clone('pull');
    await writeFile(path.join(other, 'app.ts'), app.replace('c\n', 'C-remote\n').replace('g\n', 'G\n'));
    await writeFile(path.join(other, 'new.txt'), 'new\n');
    await remote.git(other, 'rm', '-q', 'old.txt');
    await remote.git(other, 'add', '-A');
    await remote.git(other, 'commit', '-q', '-m', 'Remote work');
    await remote.git(other, 'push', '-q', 'origin', 'main');
    const head = (await remote.git(other, 'rev-parse', 'HEAD')).trim();
    await until(() => textOf(bobLive, 'app.ts').includes('C-bob'), 10_000, "Bob's edit");

    // A reviewer may not pull.
    await expectError(rita.trpc.git.pull.mutate({ workspaceId: ws.id }), 'FORBIDDEN');
    const pulled = await alice.trpc.git.pull.mutate({ workspaceId: ws.id });
    expect(pulled).toMatchObject({
      relation: 'fast-forward',
      commit: head,
      commits: 1,
      unpushed: 0,
      skipped: [],
    });
    expect(pulled.conflicts.map((c) => c.path)).toEqual(['app.ts']);
    expect(pulled.applied).toBe(3);
    // Bob's live view: his lines kept, the remote's clean change in, the files created and deleted.
    const merged = ['top', 'a', 'b', 'C-bob', 'd', 'e', 'f', 'G', ''].join('\n');
    await until(() => textOf(bobLive, 'app.ts') === merged, 10_000, 'the merge in the live file');
    const { entries } = await bob.trpc.file.list.query({ workspaceId: ws.id });
    expect(entries.map((entry) => entry.path).sort()).toEqual(['app.ts', 'kept.txt', 'new.txt']);

    // The pull is a task everyone sees, with the conflict pending in its review.
    const task = await rita.trpc.task.get.query({ taskId: pulled.taskId ?? '' });
    expect(task).toMatchObject({ kind: 'git-pull', state: 'applied', createdBy: alice.user.id });
    const pending = task.changeset?.files.flatMap((f) => f.hunks).filter((h) => h.status === 'pending');
    expect(pending?.map((h) => [h.oldText, h.newText])).toEqual([['C-bob\n', 'C-remote\n']]);
    // It is no AI task: nothing to run again or continue.
    await expectError(alice.trpc.task.retry.mutate({ taskId: task.id }), 'BAD_INPUT');
    await expectError(alice.trpc.task.followUp.mutate({ taskId: task.id, prompt: 'And more' }), 'BAD_INPUT');

    // Only Bob's uncommitted lines differ from the new base commit.
    const before = await alice.trpc.git.status.query({ workspaceId: ws.id });
    expect(before.baseCommit).toBe(head);
    expect(before.changes.map((change) => change.path)).toEqual(['app.ts']);
    // Taking the remote's side of the conflict leaves only Bob's new top line.
    await bob.trpc.task.accept.mutate({ taskId: task.id, hunkIds: pending?.map((h) => h.id) ?? [] });
    await until(
      () => textOf(bobLive, 'app.ts') === merged.replace('C-bob', 'C-remote'),
      10_000,
      'the accepted side',
    );
    const after = await alice.trpc.git.status.query({ workspaceId: ws.id });
    expect(after.changes[0]?.diff).toContain('+top');
    expect(after.changes[0]?.diff).not.toMatch(/^[-+]C-/m);
    expect(await alice.trpc.git.pull.mutate({ workspaceId: ws.id })).toMatchObject({
      relation: 'up-to-date',
      taskId: null,
    });

    // Diverged: a commit here, another on the remote. The pull merges the remote's and folds the unpushed commit
    // back into the changes, which then commit and push on top of the remote's.
    const mine = await alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'Top line' });
    await remote.git(other, 'pull', '-q', '--rebase=false', 'origin', 'main');
    await writeFile(path.join(other, 'kept.txt'), 'kept and changed\n');
    await remote.git(other, 'commit', '-q', '-am', 'Change kept');
    await remote.git(other, 'push', '-q', 'origin', 'main');
    const diverged = await alice.trpc.git.pull.mutate({ workspaceId: ws.id });
    expect(diverged).toMatchObject({
      relation: 'diverged',
      commits: 1,
      unpushed: 1,
      applied: 1,
      conflicts: [],
    });
    expect(diverged.commit).not.toBe(mine.commit);
    await until(() => textOf(bobLive, 'kept.txt') === 'kept and changed\n', 10_000, 'the remote change');
    expect((await alice.trpc.git.status.query({ workspaceId: ws.id })).changes.map((ch) => ch.path)).toEqual([
      'app.ts',
    ]);
    await alice.trpc.git.commit.mutate({ workspaceId: ws.id, message: 'Top line again' });
    await alice.trpc.git.push.mutate({ workspaceId: ws.id });
    await remote.git(other, 'pull', '-q', 'origin', 'main');
    expect(await readFile(path.join(other, 'app.ts'), 'utf8')).toBe(merged.replace('C-bob', 'C-remote'));
    expect(await readFile(path.join(other, 'kept.txt'), 'utf8')).toBe('kept and changed\n');
  });

  it('refuses bad remotes with clear errors and leaves the workspace empty', async () => {
    const url = await remote.createRepo('guarded', { 'x.txt': 'x\n' });
    const ws = await workspace();
    const { credentialId: wrong } = await alice.trpc.git.credential.create.mutate({
      workspaceId: ws.id,
      token: 'wrong-token',
    });
    await expectError(
      alice.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId: wrong }),
      'GIT_AUTH',
    );
    await expectError(alice.trpc.git.connect.mutate({ workspaceId: ws.id, url }), 'GIT_AUTH');
    const port = await closedPort();
    await expectError(
      alice.trpc.git.connect.mutate({ workspaceId: ws.id, url: `http://127.0.0.1:${port}/r.git` }),
      'GIT_UNREACHABLE',
    );
    for (const bad of [
      'file:///etc',
      '/srv/repo.git',
      'git://127.0.0.1/r',
      'http://169.254.169.254/r.git',
      'http://[::1]/r.git',
      'http://[::ffff:10.0.0.1]/r.git',
    ]) {
      await expectError(alice.trpc.git.connect.mutate({ workspaceId: ws.id, url: bad }), 'GIT_URL_REFUSED');
    }
    expect((await alice.trpc.file.list.query({ workspaceId: ws.id })).entries).toEqual([]);
    await expectError(alice.trpc.git.status.query({ workspaceId: ws.id }), 'GIT_NOT_CONNECTED');

    // Not empty: refused.
    await alice.trpc.file.write
      .mutate({ workspaceId: ws.id, path: 'mine.txt', content: 'x' })
      .catch(async () => {
        await alice.trpc.file.create.mutate({ workspaceId: ws.id, path: 'mine.txt', content: 'x' });
      });
    const { credentialId } = await alice.trpc.git.credential.create.mutate({
      workspaceId: ws.id,
      token: TOKEN,
    });
    await expectError(
      alice.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId }),
      'GIT_WORKSPACE_NOT_EMPTY',
    );
  });

  it('gives up on a remote that never answers, without holding anyone else up', async () => {
    let connections = 0;
    const hanging = createServer(() => {
      connections += 1;
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as { port: number };
    try {
      const ws = await workspace();
      let settled = false;
      const attempt = expectError(
        alice.trpc.git.connect.mutate({ workspaceId: ws.id, url: `http://127.0.0.1:${port}/slow.git` }),
        'GIT_UNREACHABLE',
      ).finally(() => {
        settled = true;
      });
      await vi.waitFor(() => expect(connections).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
      // The request hangs on a worker thread; the server answers meanwhile.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await alice.trpc.git.credential.list.query({ workspaceId: ws.id })).length).toBe(0);
      expect(settled).toBe(false);
      const error = await attempt;
      expect(error).toMatchObject({ code: 'GIT_UNREACHABLE' });
      expect((await alice.trpc.file.list.query({ workspaceId: ws.id })).entries).toEqual([]);
    } finally {
      hanging.close();
    }
  });

  it('refuses repositories over the limits', async () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}.txt`, `${i}\n`]));
    const manyUrl = await remote.createRepo('many', many);
    const bigUrl = await remote.createRepo('big', { 'big.txt': 'x'.repeat(65 * 1024) });
    for (const [url, code] of [
      [manyUrl, 'GIT_REPO_TOO_LARGE'],
      [bigUrl, 'FILE_TOO_LARGE'],
    ] as const) {
      const ws = await workspace();
      const { credentialId } = await alice.trpc.git.credential.create.mutate({
        workspaceId: ws.id,
        token: TOKEN,
      });
      await expectError(alice.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId }), code);
      expect((await alice.trpc.file.list.query({ workspaceId: ws.id })).entries).toEqual([]);
    }
  });

  it('refuses a loopback remote when the host is not on the allowlist', async () => {
    const strict = await startTestServer(backend, { env: { TANDEM_DATA_DIR: dataDir } });
    try {
      const owner = await signedUpClient(strict.url, 'Owner');
      const ws = await owner.trpc.workspace.create.mutate({ name: 'Strict' });
      const error = await expectError(
        owner.trpc.git.connect.mutate({ workspaceId: ws.id, url: `${remote.url}/app.git` }),
        'GIT_URL_REFUSED',
      );
      expect(error.httpStatus).toBe(400);
      // A name that resolves to loopback is refused the same way.
      const port = new URL(remote.url).port;
      await expectError(
        owner.trpc.git.connect.mutate({ workspaceId: ws.id, url: `http://localhost:${port}/app.git` }),
        'GIT_URL_REFUSED',
      );
    } finally {
      await strict.close();
    }
  });
});
