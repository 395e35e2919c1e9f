// A decided task keeps its review: after accept, reject, a conflict settled by hand and a rollback, the stored
// changeset still holds what was proposed, what landed and every decision with who made it and when.
import { createFile } from '@tandem/core';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Y from 'yjs';
import { backends, signedUpClient, startTestServer, type TestServer, replayModelEnv } from './harness.ts';
import { synced, textOf, until, yClient, type YClient } from './yjs-client.ts';

const PATH = 'src/timeout.ts';
// Lines apart, so each change is its own hunk.
const FILE = ['const retries = 2;', '', 'const timeout = 10;', '', 'const backoff = 3;', ''].join('\n');

describe.each(backends)('a decided review on %s', (backend) => {
  let llm: ReplayServer;
  let server: TestServer;
  const yClients: YClient[] = [];

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: {
        ...replayModelEnv(llm),
      },
    });
  });
  afterAll(async () => {
    for (const c of yClients) c.destroy();
    await server.close();
    await llm.close();
  });

  it('keeps what was proposed, applied and rejected, with who decided and when, after every decision', async () => {
    const ada = await signedUpClient(server.url, 'Ada');
    const ws = await ada.trpc.workspace.create.mutate({ name: 'History' });
    await server.app.deps.rooms.transact(ws.id, (doc) => createFile(doc, PATH, FILE));
    const y = yClient(server.url, ws.id, ada.jar.header());
    yClients.push(y);
    await synced(y);
    llm.enqueue([
      replay.text(
        block(PATH, 'const retries = 2;', 'const retries = 5;') +
          block(PATH, 'const timeout = 10;', 'const timeout = 30;') +
          block(PATH, 'const backoff = 3;', 'const backoff = 6;'),
      ),
    ]);
    const { taskId } = await ada.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'Slower retries' });
    await vi.waitFor(async () => expect((await ada.trpc.task.get.query({ taskId })).state).toBe('proposed'), {
      timeout: 20_000,
      interval: 50,
    });
    const proposed = (await ada.trpc.task.get.query({ taskId })).changeset?.files[0]?.hunks ?? [];
    const [retries, timeout, backoff] = proposed.map((h) => h.id);
    if (!retries || !timeout || !backoff) throw new Error('expected three hunks');

    // Someone edits the backoff line; its hunk is settled by a hand-written merge.
    const file = () => y.doc.getMap<Y.Text>('files').get(PATH);
    const at = textOf(y, PATH).indexOf('3;');
    file()?.insert(at, '4 + ');
    await vi.waitFor(
      async () => {
        const read = await ada.trpc.file.read.query({ workspaceId: ws.id, path: PATH });
        expect(!read.binary && read.content).toContain('4 + 3');
      },
      { timeout: 10_000, interval: 50 },
    );
    await ada.trpc.task.accept.mutate({ taskId, hunkIds: [retries] });
    await ada.trpc.task.reject.mutate({ taskId, hunkIds: [timeout] });
    await ada.trpc.task.resolveConflict.mutate({
      taskId,
      hunkId: backoff,
      choice: { text: 'const backoff = 4 + 6;\n' },
      expectedOurs: 'const backoff = 4 + 3;\n',
    });
    await ada.trpc.task.rollback.mutate({ taskId });
    await until(() => textOf(y, PATH) === FILE.replace('3;', '4 + 3;'));

    // Reopening the review later: every hunk still has its texts and its story.
    const task = await ada.trpc.task.get.query({ taskId });
    expect(task.state).toBe('rolled-back');
    const hunks = task.changeset?.files[0]?.hunks ?? [];
    const by = ada.user.id;
    const when = expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string;
    expect(hunks.map((h) => [h.oldText, h.newText, h.history])).toEqual([
      [
        'const retries = 2;\n',
        'const retries = 5;\n',
        [
          { action: 'applied', by, at: when },
          { action: 'rolled-back', by, at: when },
        ],
      ],
      ['const timeout = 10;\n', 'const timeout = 30;\n', [{ action: 'rejected', by, at: when }]],
      [
        'const backoff = 3;\n',
        'const backoff = 6;\n',
        [
          { action: 'applied', by, at: when, text: 'const backoff = 4 + 6;\n' },
          { action: 'rolled-back', by, at: when },
        ],
      ],
    ]);
    const times = hunks.flatMap((h) => h.history ?? []).map((e) => Date.parse(e.at));
    expect(times.every((t) => Math.abs(Date.now() - t) < 60_000)).toBe(true);
  });
});
