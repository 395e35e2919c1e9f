// Tasks left behind by a crashed instance: a killed process's running task ends as failed (INTERRUPTED) and its
// queued task runs when the server starts again; with several instances only expired leases are taken over, and
// cancel reaches a task wherever it runs, or ends it at once when nobody runs it any more.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { replay, startReplayServer, type ReplayServer } from '@tandem/core/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import { testEnv } from './env.ts';
import { makeClient, signedUpClient, startCluster } from './harness.ts';
import { exited, startServerProcess } from './server-process.ts';
import { eventsUntilDone } from './trpc-ws.ts';

/** A task's whole event log through the real subscription, up to its `done`. */
const llmEnv = (llm: ReplayServer) => ({
  TANDEM_LLM_PROVIDER: 'openai-compatible',
  TANDEM_LLM_BASE_URL: `${llm.url}/v1`,
  TANDEM_LLM_MODEL: 'replay-model',
});

describe('a server killed while a task runs', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-recovery-'));
  let llm: ReplayServer;
  beforeAll(async () => {
    llm = await startReplayServer();
  });
  afterAll(async () => {
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends the running task as failed (INTERRUPTED) and runs the queued one after the restart', async () => {
    const env = { ...llmEnv(llm), TANDEM_TASK_CONCURRENCY: '1' };
    const first = await startServerProcess(dataDir, [], env);
    const owner = makeClient(first.url);
    await owner.trpc.auth.signUp.mutate({
      email: 'crash@example.com',
      password: 'long enough pw',
      name: 'C',
    });
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Crash' });
    // A model that streams for a minute: the process dies in the middle of it.
    llm.enqueue([replay.text('thinking '.repeat(600), { chunks: 600, intervalMs: 100 })]);
    const running = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'slow' });
    const queued = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'next' });
    await vi.waitFor(
      async () => {
        expect((await owner.trpc.task.get.query(running)).state).toBe('running');
        expect(llm.requests.length).toBe(1);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect((await owner.trpc.task.get.query(queued)).state).toBe('queued');
    first.child.kill('SIGKILL');
    await exited(first.child);

    llm.enqueue([replay.text('Nothing to change here.')]);
    const again = await startServerProcess(dataDir, [], env);
    try {
      const back = makeClient(again.url, owner.jar);
      const interrupted = await back.trpc.task.get.query(running);
      expect(interrupted).toMatchObject({ state: 'failed', errorCode: 'INTERRUPTED' });
      expect(interrupted.errorMessage).toMatch(/server restarted/);
      const events = await eventsUntilDone(again.url, back.jar.header(), { taskId: running.taskId });
      expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'INTERRUPTED' });
      expect(events.at(-1)).toMatchObject({ type: 'done', outcome: 'failed' });
      const next = await eventsUntilDone(again.url, back.jar.header(), { taskId: queued.taskId });
      expect(next.find((e) => e.type === 'error')).toBeUndefined();
      expect(next.at(-1)).toMatchObject({ type: 'done', outcome: 'no-changes' });
      expect((await back.trpc.task.get.query(queued)).state).toBe('no-changes');
      expect(llm.requests.length).toBe(2);
      // Ended tasks stay ended: cancelling one is a typed CONFLICT, not a silent ok.
      await expect(back.trpc.task.cancel.mutate(running)).rejects.toMatchObject({
        data: { code: 'CONFLICT' },
      });
    } finally {
      again.child.kill('SIGTERM');
      await exited(again.child);
    }
  }, 120_000);
});

describe('a server stopped gracefully while a task runs', () => {
  let llm: ReplayServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    llm = await startReplayServer();
  });
  afterAll(async () => {
    await llm.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A server with a task streaming from the model, running, when this resolves. */
  async function runningTask(drainMs: number, stream: ReturnType<typeof replay.text>) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-drain-'));
    dirs.push(dataDir);
    const env = { ...llmEnv(llm), TANDEM_SHUTDOWN_DRAIN_MS: String(drainMs) };
    const server = await startServerProcess(dataDir, [], env);
    const owner = makeClient(server.url);
    await owner.trpc.auth.signUp.mutate({
      email: 'drain@example.com',
      password: 'long enough pw',
      name: 'D',
    });
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Drain' });
    llm.enqueue([stream]);
    const before = llm.requests.length;
    const task = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'slow' });
    await vi.waitFor(
      async () => {
        expect((await owner.trpc.task.get.query(task)).state).toBe('running');
        expect(llm.requests.length).toBe(before + 1);
      },
      { timeout: 20_000, interval: 100 },
    );
    return { dataDir, env, server, owner, task, before };
  }

  it('lets a running task finish within the grace period before it exits', async () => {
    const { dataDir, env, server, owner, task, before } = await runningTask(
      30_000,
      replay.text('Nothing to change here. '.repeat(20), { chunks: 20, intervalMs: 100 }),
    );
    server.child.kill('SIGTERM');
    await exited(server.child);
    const again = await startServerProcess(dataDir, [], env);
    try {
      const back = makeClient(again.url, owner.jar);
      expect((await back.trpc.task.get.query(task)).state).toBe('no-changes');
      const events = await eventsUntilDone(again.url, back.jar.header(), { taskId: task.taskId });
      expect(events.filter((e) => e.type === 'status' && e.status === 'queued')).toHaveLength(1);
      expect(llm.requests.length).toBe(before + 1);
    } finally {
      again.child.kill('SIGTERM');
      await exited(again.child);
    }
  }, 120_000);

  it('hands a task still running after the grace period back to the queue, and it runs to the end after the restart', async () => {
    const { dataDir, env, server, owner, task, before } = await runningTask(
      300,
      replay.text('thinking '.repeat(600), { chunks: 600, intervalMs: 100 }),
    );
    server.child.kill('SIGTERM');
    await exited(server.child);
    llm.enqueue([replay.text('Nothing to change here.')]);
    const again = await startServerProcess(dataDir, [], env);
    try {
      const back = makeClient(again.url, owner.jar);
      const events = await eventsUntilDone(again.url, back.jar.header(), { taskId: task.taskId });
      const queued = events.filter((e) => e.type === 'status' && e.status === 'queued');
      expect(queued).toHaveLength(2);
      expect(queued[1]?.message).toMatch(/shut down before it finished/);
      expect(events.find((e) => e.type === 'error')).toBeUndefined();
      expect(events.at(-1)).toMatchObject({ type: 'done', outcome: 'no-changes' });
      expect((await back.trpc.task.get.query(task)).state).toBe('no-changes');
      expect(llm.requests.length).toBe(before + 2);
    } finally {
      again.child.kill('SIGTERM');
      await exited(again.child);
    }
  }, 120_000);
});

describe.runIf(testEnv.databaseUrl && testEnv.redisUrl)(
  'tasks across instances (PostgreSQL and Redis)',
  () => {
    let llm: ReplayServer;
    let cluster: Awaited<ReturnType<typeof startCluster>>;
    const start = (tasks: { leaseMs?: number; sweepMs?: number }) => cluster.start({ tasks });

    beforeAll(async () => {
      llm = await startReplayServer();
      cluster = await startCluster(llmEnv(llm));
    });
    afterAll(async () => {
      await cluster.close();
      await llm.close();
    });

    it('cancel through one instance stops the task another instance runs', async () => {
      const quiet = { sweepMs: 3_600_000 };
      const a = await start(quiet);
      const b = await start(quiet);
      const user = await signedUpClient(a.url, 'Multi');
      const ws = await user.trpc.workspace.create.mutate({ name: 'Multi' });
      llm.enqueue([replay.text('thinking '.repeat(400), { chunks: 400, intervalMs: 50 })]);
      const before = llm.requests.length;
      const { taskId } = await user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'slow' });
      const [row] = await vi.waitFor(
        async () => {
          const rows = await a.app.deps.db.select().from(tasks).where(eq(tasks.id, taskId));
          expect(rows[0]?.state).toBe('running');
          expect(llm.requests.length).toBe(before + 1);
          return rows;
        },
        { timeout: 20_000, interval: 100 },
      );
      // Cancel through the instance that does not run it.
      const other = row?.ownerInstance === a.app.deps.instance.id ? b : a;
      expect([a.app.deps.instance.id, b.app.deps.instance.id]).toContain(row?.ownerInstance);
      const through = makeClient(other.url, user.jar);
      const done = eventsUntilDone(other.url, through.jar.header(), { taskId });
      await through.trpc.task.cancel.mutate({ taskId });
      expect((await done).at(-1)).toMatchObject({ type: 'done', outcome: 'cancelled' });
      const request = llm.requests[before];
      await request?.closed;
      expect(request?.clientAborted).toBe(true);
      expect((await through.trpc.task.get.query({ taskId })).state).toBe('cancelled');
    });

    it('hands a task over to another instance when the one running it shuts down', async () => {
      // The earlier tests' instances would take the task from the shared queue.
      for (const app of [...cluster.apps]) await cluster.stop(app);
      const a = await start({ sweepMs: 3_600_000 });
      const user = await signedUpClient(a.url, 'Handover');
      const ws = await user.trpc.workspace.create.mutate({ name: 'Handover' });
      llm.enqueue([replay.text('thinking '.repeat(400), { chunks: 400, intervalMs: 50 })]);
      const before = llm.requests.length;
      const { taskId } = await user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'slow' });
      await vi.waitFor(() => expect(llm.requests.length).toBe(before + 1), {
        timeout: 20_000,
        interval: 100,
      });
      // The only instance stops (no grace in tests): the task goes back to the queue, held by nobody.
      await cluster.stop(a.app);
      const b = await start({ sweepMs: 200 });
      try {
        llm.enqueue([replay.text('Nothing to change here.')]);
        const back = makeClient(b.url, user.jar);
        const events = await eventsUntilDone(b.url, back.jar.header(), { taskId });
        expect(events.filter((e) => e.type === 'status' && e.status === 'queued')).toHaveLength(2);
        expect(events.at(-1)).toMatchObject({ type: 'done', outcome: 'no-changes' });
        const [row] = await b.app.deps.db.select().from(tasks).where(eq(tasks.id, taskId));
        expect(row).toMatchObject({ state: 'no-changes', ownerInstance: b.app.deps.instance.id });
      } finally {
        // Its quick sweeps would take the next test's stranded tasks.
        await cluster.stop(b.app);
      }
    });

    it('takes over only expired leases: fails stranded runs, queues stranded tasks again, and cancels stranded ones at once', async () => {
      const b = await start({ sweepMs: 3_600_000 });
      const user = await signedUpClient(b.url, 'Stranded');
      const ws = await user.trpc.workspace.create.mutate({ name: 'Stranded' });
      const db = b.app.deps.db;
      // Tasks as a crashed instance leaves them: its lease ran out a minute ago.
      const stranded = (state: 'queued' | 'running', leaseUntil = sql`now() - interval '1 minute'`) =>
        db
          .insert(tasks)
          .values({
            id: randomUUID(),
            workspaceId: ws.id,
            createdBy: user.user.id,
            prompt: state,
            model: 'replay-model',
            state,
            ownerInstance: 'a-crashed-instance',
            leaseUntil,
            ...(state === 'running' ? { startedAt: new Date() } : {}),
          })
          .returning()
          .then((rows) => rows[0]?.id ?? '');

      // Nobody runs it: cancel ends it now instead of answering ok and changing nothing.
      const toCancel = await stranded('running');
      const cancelled = eventsUntilDone(b.url, user.jar.header(), { taskId: toCancel });
      await user.trpc.task.cancel.mutate({ taskId: toCancel });
      expect((await user.trpc.task.get.query({ taskId: toCancel })).state).toBe('cancelled');
      expect((await cancelled).at(-1)).toMatchObject({ type: 'done', outcome: 'cancelled' });

      const toFail = await stranded('running');
      const toRequeue = await stranded('queued');
      // Held by an instance that renewed its lease a moment ago: not stranded, whatever the sweep thinks.
      const heldElsewhere = await stranded('running', sql`now() + interval '3 seconds'`);
      llm.enqueue([replay.text('Nothing to change here.')]);
      const c = await start({ sweepMs: 200 });
      const client = makeClient(c.url, user.jar);
      expect(await client.trpc.task.get.query({ taskId: toFail })).toMatchObject({
        state: 'failed',
        errorCode: 'INTERRUPTED',
      });
      const failedEvents = await eventsUntilDone(c.url, client.jar.header(), { taskId: toFail });
      expect(failedEvents.map((e) => e.type)).toEqual(['error', 'done']);
      expect(failedEvents.at(-1)).toMatchObject({ outcome: 'failed' });
      await vi.waitFor(
        async () =>
          expect((await client.trpc.task.get.query({ taskId: toRequeue })).state).toBe('no-changes'),
        {
          timeout: 20_000,
          interval: 100,
        },
      );
      expect((await client.trpc.task.get.query({ taskId: heldElsewhere })).state).toBe('running');

      // Its holder died before renewing: the cancel is recorded, and once the lease runs out the sweep honours it.
      await client.trpc.task.cancel.mutate({ taskId: heldElsewhere });
      await vi.waitFor(
        async () =>
          expect((await client.trpc.task.get.query({ taskId: heldElsewhere })).state).toBe('cancelled'),
        { timeout: 10_000, interval: 100 },
      );
      expect(
        (await eventsUntilDone(c.url, client.jar.header(), { taskId: heldElsewhere })).at(-1),
      ).toMatchObject({
        outcome: 'cancelled',
      });
    }, 60_000);
  },
);
