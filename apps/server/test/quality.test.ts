// The quality record of AI tasks through the real server: a run records whether the model's first answer passed,
// its rounds and findings; members rate finished tasks (one rating each, audited); accepted changes survive a day
// unless rolled back or rewritten (the clock is moved, not waited for); admins get it all per model and day.
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tasks } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  signedUpClient,
  startTestServer,
  replayModelEnv,
  type TestServer,
} from './harness.ts';
import { eq } from 'drizzle-orm';

type User = Awaited<ReturnType<typeof signedUpClient>>;
const HOUR = 60 * 60 * 1000;

describe.each(backends)('task quality (%s)', (backend) => {
  let llm: ReplayServer;
  let server: TestServer;
  let admin: User;
  let editor: User;
  let reviewer: User;
  let outsider: User;
  let offset = 0;

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: replayModelEnv(llm),
      // Survival is decided on each report here, not by the timer.
      quality: { clock: () => new Date(Date.now() + offset), sweepMs: 3_600_000 },
    });
    admin = await signedUpClient(server.url, 'Admin');
    editor = await signedUpClient(server.url, 'Editor');
    reviewer = await signedUpClient(server.url, 'Reviewer');
    outsider = await signedUpClient(server.url, 'Outsider');
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await llm.close();
  });

  async function runTask(workspaceId: string, prompt: string, expected: string) {
    const { taskId } = await editor.trpc.task.create.mutate({ workspaceId, prompt });
    await vi.waitFor(
      async () => expect((await editor.trpc.task.get.query({ taskId })).state).toBe(expected),
      {
        timeout: 30_000,
        interval: 50,
      },
    );
    return taskId;
  }

  it(
    'records each run, takes ratings, decides survival and reports it per model',
    { timeout: 120_000 },
    async () => {
      const ws = await editor.trpc.workspace.create.mutate({ name: 'Quality' });
      for (const [c, role] of [[reviewer, 'reviewer']] as const) {
        const invite = await editor.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
        await c.trpc.workspace.invite.accept.mutate({ token: invite.token });
      }
      await editor.trpc.file.create.mutate({
        workspaceId: ws.id,
        path: 'notes.md',
        content: '# Notes\n\nfirst\n',
      });
      await editor.trpc.file.create.mutate({
        workspaceId: ws.id,
        path: 'todo.md',
        content: '# Todo\n\none\n',
      });

      // Right at once.
      llm.enqueue([replay.text(block('notes.md', 'first\n', 'first\nsecond line written by the model\n'))]);
      const first = await runTask(ws.id, 'add a line to the notes', 'proposed');
      // A SEARCH that matches nothing goes back to the model, which gets it right the second time.
      llm.enqueue([replay.text(block('todo.md', 'nothing like this\n', 'two\n'))]);
      llm.enqueue([replay.text(block('todo.md', 'one\n', 'one\ntwo items added by the model here\n'))]);
      const second = await runTask(ws.id, 'add a todo', 'proposed');
      // The provider refuses: a failed task.
      llm.enqueue([replay.unauthorized()]);
      const failed = await runTask(ws.id, 'anything', 'failed');

      const row = async (taskId: string) => {
        const [r] = await server.app.deps.db.select().from(tasks).where(eq(tasks.id, taskId));
        return r;
      };
      expect(await row(first)).toMatchObject({
        firstRoundPassed: true,
        rounds: 1,
        findingCounts: { critical: 0, high: 0, medium: 0, low: 0 },
      });
      expect(await row(second)).toMatchObject({ firstRoundPassed: false, rounds: 2 });
      expect(await row(failed)).toMatchObject({ firstRoundPassed: false, rounds: 1 });

      // Ratings: finished tasks only, members only, one each (a new one replaces it), audited.
      llm.enqueue([replay.delay(5_000), replay.text('Nothing to change.')]);
      const { taskId: running } = await editor.trpc.task.create.mutate({
        workspaceId: ws.id,
        prompt: 'slow',
      });
      await expectError(editor.trpc.task.rate.mutate({ taskId: running, rating: 'up' }), 'CONFLICT');
      await editor.trpc.task.cancel.mutate({ taskId: running });
      await vi.waitFor(
        async () => expect((await editor.trpc.task.get.query({ taskId: running })).state).toBe('cancelled'),
        { timeout: 10_000, interval: 50 },
      );
      await expectError(outsider.trpc.task.rate.mutate({ taskId: first, rating: 'up' }), 'NOT_FOUND');
      await editor.trpc.task.rate.mutate({ taskId: first, rating: 'down' });
      await editor.trpc.task.rate.mutate({ taskId: first, rating: 'up', note: 'Right first time.' });
      await reviewer.trpc.task.rate.mutate({ taskId: first, rating: 'up' });
      await reviewer.trpc.task.rate.mutate({ taskId: failed, rating: 'down' });
      expect(await editor.trpc.task.ratings.query({ taskId: first })).toEqual({
        up: 2,
        down: 0,
        mine: { rating: 'up', note: 'Right first time.' },
      });
      const audit = await admin.trpc.admin.audit.list.query({ action: 'task.rate' });
      expect(audit.filter((e) => e.targetId === first)).toHaveLength(3);

      // Both accepted; the second's line is rewritten by a person within the hour.
      await editor.trpc.task.accept.mutate({ taskId: first });
      await editor.trpc.task.accept.mutate({ taskId: second });
      await editor.trpc.file.write.mutate({
        workspaceId: ws.id,
        path: 'todo.md',
        content: '# Todo\n\none\ntwo\n',
      });

      const report = async () => {
        const r = await admin.trpc.admin.quality.query({ bucket: 'day' });
        expect(r.series.map((s) => s.model)).toEqual(['replay-model']);
        expect(r.series[0]?.points).toHaveLength(1);
        return r.series[0]?.points[0];
      };
      // The rewrite decides the second at once; the first waits for its day.
      expect(await report()).toMatchObject({
        tasks: 4,
        completed: 2,
        completionRate: 0.5,
        firstRoundPassRate: 1 / 3,
        survivalRate: 0,
        ratingsUp: 2,
        ratingsDown: 1,
      });
      expect((await row(second))?.survived).toBe(false);
      expect((await row(first))?.survived).toBeNull();

      offset = 25 * HOUR;
      expect(await report()).toMatchObject({ survivalRate: 0.5 });
      expect((await row(first))?.survived).toBe(true);
      // A rollback after the day changes nothing decided.
      await editor.trpc.task.rollback.mutate({ taskId: first });
      expect(await report()).toMatchObject({ survivalRate: 0.5 });

      await expectError(editor.trpc.admin.quality.query({ bucket: 'day' }), 'FORBIDDEN');
    },
  );
});
