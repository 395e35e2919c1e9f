// Check runs across instances (PostgreSQL and Redis): every instance takes runs from one BullMQ queue, each up to
// its sandbox's slots, so a run started on a busy instance is executed by another; its events still reach a
// subscriber on the instance where it was started.
import { createFile } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEnv } from './env.ts';
import { makeClient, startCluster } from './harness.ts';
import { eventsUntilDone } from './trpc-ws.ts';

// The test takes a few seconds: long enough that both runs are seen running at once.
const SLOW = JSON.stringify({ name: 'slow', scripts: { test: 'sleep 3 && echo slept' } });

describe.runIf(testEnv.databaseUrl && testEnv.redisUrl)('check runs on two instances', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    // One sandbox slot per instance: an instance running one run takes no second.
    cluster = await startCluster({ TANDEM_SANDBOX_CONCURRENCY: '1' });
  });
  afterAll(() => cluster.close());

  it(
    'has the other instance execute a run when the one it was started on is busy',
    { timeout: 120_000 },
    async () => {
      const a = await cluster.start();
      const b = await cluster.start();
      const owner = makeClient(a.url);
      await owner.trpc.auth.signUp.mutate({
        email: 'queue@example.com',
        password: 'long enough pw',
        name: 'Q',
      });
      const workspaces: { id: string }[] = [];
      for (const name of ['One', 'Two']) {
        const ws = await owner.trpc.workspace.create.mutate({ name });
        await a.app.deps.rooms.transact(ws.id, (doc) => createFile(doc, 'package.json', SLOW));
        workspaces.push(ws);
      }

      // Both started on A.
      const runs: string[] = [];
      for (const ws of workspaces)
        runs.push((await owner.trpc.check.run.mutate({ workspaceId: ws.id })).runId);
      const followed = runs.map((runId) => eventsUntilDone(a.url, owner.jar.header(), { runId }));

      // With one slot each, the two run at the same time only if each instance took one.
      await vi.waitFor(
        () => {
          const here = a.app.deps.checkRuns.runningIds();
          const there = b.app.deps.checkRuns.runningIds();
          expect(here).toHaveLength(1);
          expect(there).toHaveLength(1);
          expect([...here, ...there].sort()).toEqual([...runs].sort());
        },
        { timeout: 30_000, interval: 50 },
      );
      const onB = b.app.deps.checkRuns.runningIds()[0];

      // The subscribers on A see both runs through to the end, the one B executed included.
      const logs = await Promise.all(followed);
      for (const log of logs) {
        expect(log.at(-1)).toMatchObject({ type: 'done', status: 'passed' });
        const printed = log
          .filter((e) => e.type === 'output' && e.check === 'test')
          .map((e) => String(e.text))
          .join('');
        expect(printed).toContain('slept');
      }
      expect(runs).toContain(onB);
      expect(await owner.trpc.check.get.query({ runId: onB ?? '' })).toMatchObject({ state: 'passed' });
    },
  );
});
