// Auto-commit of accepted AI tasks, end to end: a real `git http-backend` on loopback, a replayed model, the real
// git CLI reading what Tandem pushed. The option is off by default; on, each accept becomes a commit of the files it
// touched, the prompt as its message; a commit that fails is told in the task's log and the audit, the accept stands.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { taskEvents } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  replayModelEnv,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';
import { startGitServer, type GitServer } from './git-server.ts';

const TOKEN = 'auto-commit-token';
const MAIN = ['export function add(a: number, b: number) {', '  return a + b;', '}', ''].join('\n');

describe.each(backends)('auto-commit of accepted tasks on %s', { timeout: 120_000 }, (backend) => {
  let remote: GitServer;
  let llm: ReplayServer;
  let server: TestServer;
  let dataDir: string;
  let alice: Awaited<ReturnType<typeof signedUpClient>>;
  let bob: Awaited<ReturnType<typeof signedUpClient>>;
  let rita: Awaited<ReturnType<typeof signedUpClient>>;

  beforeAll(async () => {
    remote = await startGitServer(TOKEN);
    llm = await startReplayServer();
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-autocommit-data-'));
    server = await startTestServer(backend, {
      env: {
        TANDEM_DATA_DIR: dataDir,
        TANDEM_PUBLIC_URL: 'http://tandem.test',
        TANDEM_GIT_ALLOWED_HOSTS: '127.0.0.1',
        ...replayModelEnv(llm),
      },
    });
    alice = await signedUpClient(server.url, 'Alice');
    bob = await signedUpClient(server.url, 'Bob');
    rita = await signedUpClient(server.url, 'Rita');
  });
  afterAll(async () => {
    await server.close();
    await llm.close();
    await remote.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A workspace connected to a fresh repository; Bob edits, Rita reviews. */
  async function connected(name: string) {
    await remote.createRepo(name, { 'src/main.ts': MAIN, 'notes.txt': 'notes\n' });
    const ws = await alice.trpc.workspace.create.mutate({ name });
    for (const [member, role] of [
      [bob, 'editor'],
      [rita, 'reviewer'],
    ] as const) {
      const invite = await alice.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await member.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    const { credentialId } = await alice.trpc.git.credential.create.mutate({
      workspaceId: ws.id,
      token: TOKEN,
    });
    const url = `${remote.url}/${name}.git`;
    const made = await alice.trpc.git.connect.mutate({ workspaceId: ws.id, url, credentialId });
    return { ws, base: made.commit };
  }

  async function proposedTask(workspaceId: string, prompt: string, comment: string) {
    llm.enqueue([replay.text(block('src/main.ts', '  return a + b;', `  return a + b; // ${comment}`))]);
    const { taskId } = await bob.trpc.task.create.mutate({ workspaceId, prompt });
    await vi.waitFor(async () => expect((await bob.trpc.task.get.query({ taskId })).state).toBe('proposed'), {
      timeout: 30_000,
      interval: 50,
    });
    return taskId;
  }

  const eventsOf = async (taskId: string) =>
    (
      await server.app.deps.db
        .select({ type: taskEvents.type, data: taskEvents.data })
        .from(taskEvents)
        .where(eq(taskEvents.taskId, taskId))
        .orderBy(asc(taskEvents.seq))
    ).map((row) => row.data as { type: string; commit?: string; branch?: string; error?: { code: string } });

  it('commits an accepted task with its prompt as the message and the task as co-author, only its files', async () => {
    const { ws, base } = await connected('auto-on');
    expect((await rita.trpc.workspace.get.query({ workspaceId: ws.id })).autoCommit).toBe(false);
    await expectError(
      bob.trpc.git.setAutoCommit.mutate({ workspaceId: ws.id, autoCommit: true }),
      'FORBIDDEN',
    );
    await expectError(
      rita.trpc.git.setAutoCommit.mutate({ workspaceId: ws.id, autoCommit: true }),
      'FORBIDDEN',
    );
    expect(await alice.trpc.git.setAutoCommit.mutate({ workspaceId: ws.id, autoCommit: true })).toEqual({
      autoCommit: true,
    });
    expect((await rita.trpc.workspace.get.query({ workspaceId: ws.id })).autoCommit).toBe(true);

    // Someone's edit to a file the task does not touch stays out of the task's commit.
    await alice.trpc.file.write.mutate({ workspaceId: ws.id, path: 'notes.txt', content: 'notes\nmore\n' });
    const subject = `Annotate the adder so that ${'every reader knows '.repeat(5)}what it does`;
    const prompt = `${subject}\nKeep the comment short.`;
    const taskId = await proposedTask(ws.id, prompt, 'sums');
    await bob.trpc.task.accept.mutate({ taskId });

    const commitEvent = (await eventsOf(taskId)).find((e) => e.type === 'commit');
    expect(commitEvent).toMatchObject({ type: 'commit', branch: 'main' });
    const commitId = commitEvent?.commit ?? '';
    expect(commitId).toMatch(/^[0-9a-f]{40}$/);
    expect((await rita.trpc.git.remote.query({ workspaceId: ws.id }))?.baseCommit).toBe(commitId);
    expect((await rita.trpc.git.status.query({ workspaceId: ws.id })).changes.map((c) => c.path)).toEqual([
      'notes.txt',
    ]);

    await bob.trpc.git.push.mutate({ workspaceId: ws.id });
    const clone = await remote.clone('auto-on');
    expect((await remote.git(clone, 'rev-parse', 'HEAD')).trim()).toBe(commitId);
    expect((await remote.git(clone, 'rev-parse', 'HEAD~1')).trim()).toBe(base);
    const [firstLine, blank, ...rest] = (await remote.git(clone, 'log', '-1', '--format=%B')).split('\n');
    expect(firstLine?.length).toBeLessThanOrEqual(72);
    expect(firstLine?.endsWith('…')).toBe(true);
    expect(subject.startsWith(firstLine?.slice(0, -1) ?? '-')).toBe(true);
    expect(blank).toBe('');
    expect(rest.join('\n')).toBe(
      `${prompt}\n\nCo-authored-by: Tandem AI task ${taskId.slice(0, 8)} (replay-model) <task-${taskId}@tandem.test>\n\n`,
    );
    expect(await remote.git(clone, 'log', '-1', '--format=%an <%ae>')).toBe(`Bob <${bob.email}>\n`);
    expect(await remote.git(clone, 'show', '--format=', '--name-status', 'HEAD')).toBe('M\tsrc/main.ts\n');

    const audit = await alice.trpc.admin.audit.list.query({ workspaceId: ws.id, limit: 50 });
    const auto = audit.find((r) => r.action === 'git.commit');
    expect(auto?.targetId).toBe(commitId);
    expect(auto?.meta).toMatchObject({ auto: true, taskId });
    expect(audit.some((r) => r.action === 'git.auto_commit' && r.meta.autoCommit === true)).toBe(true);
  });

  it('commits nothing when the option is off', async () => {
    const { ws, base } = await connected('auto-off');
    const taskId = await proposedTask(ws.id, 'Annotate', 'off');
    await bob.trpc.task.accept.mutate({ taskId });
    expect((await bob.trpc.task.get.query({ taskId })).state).toBe('applied');
    expect((await eventsOf(taskId)).some((e) => e.type === 'commit')).toBe(false);
    expect((await rita.trpc.git.remote.query({ workspaceId: ws.id }))?.baseCommit).toBe(base);
    expect((await rita.trpc.git.status.query({ workspaceId: ws.id })).changes.map((c) => c.path)).toEqual([
      'src/main.ts',
    ]);
    const log = await rita.trpc.git.log.query({ workspaceId: ws.id });
    expect(log.commits.map((c) => c.commit)).toEqual([base]);
  });

  it('keeps the acceptance when the commit fails, and says why in the log and the audit', async () => {
    const { ws } = await connected('auto-fail');
    await alice.trpc.git.setAutoCommit.mutate({ workspaceId: ws.id, autoCommit: true });
    const taskId = await proposedTask(ws.id, 'Annotate', 'kept');
    // The repository is gone from this instance's disk: the commit cannot be made.
    await rm(path.join(dataDir, 'git', ws.id), { recursive: true, force: true });
    const accepted = await bob.trpc.task.accept.mutate({ taskId });
    expect(accepted.applied.length).toBe(1);
    expect((await bob.trpc.task.get.query({ taskId })).state).toBe('applied');
    const file = await bob.trpc.file.read.query({ workspaceId: ws.id, path: 'src/main.ts' });
    expect(file.binary ? '' : file.content).toContain('// kept');
    const commitEvent = (await eventsOf(taskId)).find((e) => e.type === 'commit');
    expect(commitEvent?.commit).toBeUndefined();
    expect(commitEvent?.error?.code).toBe('GIT_NOT_CONNECTED');
    const audit = await alice.trpc.admin.audit.list.query({ workspaceId: ws.id, limit: 50 });
    const failed = audit.find((r) => r.action === 'git.auto_commit_failed');
    expect(failed?.targetId).toBe(taskId);
    expect(failed?.meta).toMatchObject({ code: 'GIT_NOT_CONNECTED' });
  });
});
