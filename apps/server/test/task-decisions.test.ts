// Decisions on one task from two server processes that share PostgreSQL: an accept on one and a reject on the
// other, sent at the same instant, are ordered by the task row's lock, so the stored changeset always matches the
// document and no decision is lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEnv } from './env.ts';
import { makeClient, openTestDatabase, type TestDatabase } from './harness.ts';
import { exited, startServerProcess } from './server-process.ts';

const FILE = ['const a = 1;', 'const b = 2;', 'const c = 3;', ''].join('\n');

type Outcome = { ok: true } | { ok: false; code: string };
const settle = (call: Promise<unknown>): Promise<Outcome> =>
  call.then(
    () => ({ ok: true }),
    (error: unknown) => ({ ok: false, code: (error as { data?: { code?: string } }).data?.code ?? 'none' }),
  );

describe.runIf(testEnv.databaseUrl)('task decisions from two processes on one PostgreSQL', () => {
  let llm: ReplayServer;
  let shared: TestDatabase;
  const dirs: string[] = [];
  const processes: Awaited<ReturnType<typeof startServerProcess>>[] = [];

  beforeAll(async () => {
    llm = await startReplayServer();
    shared = await openTestDatabase('postgres');
    const env = {
      DATABASE_URL: shared.url ?? '',
      TANDEM_LLM_PROVIDER: 'openai-compatible',
      TANDEM_LLM_BASE_URL: `${llm.url}/v1`,
      TANDEM_LLM_MODEL: 'replay-model',
    };
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'tandem-decide-'));
      dirs.push(dir);
      processes.push(await startServerProcess(dir, [], env));
    }
  }, 120_000);
  afterAll(async () => {
    for (const p of processes) {
      p.child.kill('SIGTERM');
      await exited(p.child);
    }
    await shared.dispose();
    await llm.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('never lets a concurrent accept and reject both land on the same hunks', async () => {
    const [one, two] = processes;
    if (!one || !two) throw new Error('the servers did not start');
    const a = makeClient(one.url);
    await a.trpc.auth.signUp.mutate({ email: 'decide@example.com', password: 'long enough pw', name: 'D' });
    const b = makeClient(two.url, a.jar);
    const ws = await a.trpc.workspace.create.mutate({ name: 'Decide' });

    for (let round = 0; round < 6; round++) {
      const path = `src/f${round}.ts`;
      await a.trpc.file.create.mutate({ workspaceId: ws.id, path, content: FILE });
      llm.enqueue([
        replay.text(
          block(path, 'const a = 1;', 'const a = 10;') + block(path, 'const c = 3;', 'const c = 30;'),
        ),
      ]);
      const { taskId } = await a.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'bump' });
      await vi.waitFor(async () => expect((await a.trpc.task.get.query({ taskId })).state).toBe('proposed'), {
        timeout: 20_000,
        interval: 50,
      });

      const [accepted, rejected] = await Promise.all([
        settle(a.trpc.task.accept.mutate({ taskId })),
        settle(b.trpc.task.reject.mutate({ taskId })),
      ]);
      // Whichever came second found nothing left to decide: exactly one of them landed.
      expect([accepted, rejected].filter((o) => o.ok)).toHaveLength(1);
      expect([accepted, rejected].find((o) => !o.ok)).toEqual({ ok: false, code: 'BAD_INPUT' });

      const task = await b.trpc.task.get.query({ taskId });
      const statuses = (task.changeset?.files ?? []).flatMap((f) => f.hunks).map((h) => h.status);
      const text = async () => {
        const file = await a.trpc.file.read.query({ workspaceId: ws.id, path });
        return file.binary ? null : file.content;
      };
      // The document and the stored decisions agree.
      if (accepted.ok) {
        expect(await text()).toBe(FILE.replace('a = 1', 'a = 10').replace('c = 3', 'c = 30'));
        expect(statuses).toEqual(['applied', 'applied']);
        expect(task.state).toBe('applied');
        // The undo records survived, so the task can still be rolled back.
        const rolledBack = await a.trpc.task.rollback.mutate({ taskId });
        expect(rolledBack.restored).toHaveLength(2);
        expect(await text()).toBe(FILE);
      } else {
        expect(await text()).toBe(FILE);
        expect(statuses).toEqual(['rejected', 'rejected']);
        expect(task.state).toBe('rejected');
      }
    }
  }, 180_000);
});
