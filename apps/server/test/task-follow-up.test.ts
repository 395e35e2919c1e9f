// Continuing a task and two tasks on one file, through the real server, its queue and a loopback model that speaks
// the OpenAI streaming protocol: a follow-up from an editor (never a reviewer) makes revision 2 from the
// conversation and the live text, every member sees it in the event stream, and the earlier revision stays
// readable. A second task on a file another undecided task touches is announced in both timelines, and its review
// (the preview on the live text) and its accept account for the first's accepted changes.
import { createFile, previewChangeset, type Changeset } from '@tandem/core';
import {
  messagesOf,
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
  type Client,
  type TestServer,
  replayModelEnv,
} from './harness.ts';
import { wsTrpc } from './trpc-ws.ts';
import { synced, textOf, yClient, type YClient } from './yjs-client.ts';

const PATH = 'src/client.ts';
// Lines apart, so each change is its own hunk.
const FILE = ['const retries = 2;', '', 'const timeout = 10;', '', 'const backoff = 3;', ''].join('\n');

type Event = { type: string; seq: number; [k: string]: unknown };

describe.each(backends)('continuing tasks on %s', (backend) => {
  let llm: ReplayServer;
  let server: TestServer;
  let owner: Client;
  let editor: Client;
  let reviewer: Client;
  let editorId: string;
  const yClients: YClient[] = [];
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: {
        ...replayModelEnv(llm),
      },
    });
    owner = await signedUpClient(server.url, 'Owner');
    editor = await signedUpClient(server.url, 'Editor');
    reviewer = await signedUpClient(server.url, 'Reviewer');
    editorId = (await editor.trpc.auth.me.query())?.id ?? '';
  });
  afterAll(async () => {
    for (const close of closers) close();
    for (const c of yClients) c.destroy();
    await server.close();
    await llm.close();
  });

  async function workspace(name: string) {
    const ws = await owner.trpc.workspace.create.mutate({ name });
    for (const [c, role] of [
      [editor, 'editor'],
      [reviewer, 'reviewer'],
    ] as const) {
      const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await c.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    await server.app.deps.rooms.transact(ws.id, (doc) => createFile(doc, PATH, FILE));
    return ws;
  }

  /** Follows a task's events through the real subscription, as a member's browser does. */
  function follow(c: Client, taskId: string) {
    const ws = wsTrpc(server.url, c.jar.header());
    const events: Event[] = [];
    const sub = ws.trpc.task.events.subscribe(
      { taskId, lastEventId: null },
      { onData: (tracked) => events.push(tracked.data) },
    );
    closers.push(() => {
      sub.unsubscribe();
      ws.close();
    });
    return events;
  }

  const waitFor = (check: () => unknown) => vi.waitFor(check, { timeout: 20_000, interval: 50 });
  const hunksOf = (changeset: Changeset | null | undefined) =>
    (changeset?.files ?? []).flatMap((f) => f.hunks.map((h) => [h.oldText, h.newText, h.status]));

  it('lets an editor continue a finished task into revision 2, from the conversation and the live text', async () => {
    const ws = await workspace('Follow-up');
    const firstAnswer = `More retries.\n${block(PATH, 'const retries = 2;', 'const retries = 5;')}`;
    llm.enqueue([replay.text(firstAnswer)]);
    const { taskId } = await editor.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'Retry more' });
    const seen = follow(reviewer, taskId);
    await waitFor(async () => expect((await editor.trpc.task.get.query({ taskId })).state).toBe('proposed'));

    // Someone edits another line meanwhile; nobody decides on revision 1.
    await server.app.deps.rooms.transact(ws.id, (doc) => {
      const text = doc.getMap('files').get(PATH) as { insert(at: number, s: string): void };
      text.insert(FILE.indexOf('3;'), '1 + ');
    });

    // Reviewers watch and comment; they do not ask the model for changes.
    await expectError(reviewer.trpc.task.followUp.mutate({ taskId, prompt: 'More' }), 'FORBIDDEN');

    llm.enqueue([
      replay.delay(200),
      replay.text(`And a longer timeout.\n${block(PATH, 'const timeout = 10;', 'const timeout = 30;')}`),
    ]);
    const requestsBefore = llm.requests.length;
    const sent = await editor.trpc.task.followUp.mutate({
      taskId,
      prompt: 'Also handle the timeout case',
      commentIds: ['c-1'],
    });
    expect(sent).toEqual({ taskId, revision: 2 });
    // One run at a time: a second follow-up waits for this one's proposal.
    await expectError(editor.trpc.task.followUp.mutate({ taskId, prompt: 'And more' }), 'CONFLICT');

    await waitFor(() => expect(seen.filter((e) => e.type === 'done')).toHaveLength(2));
    const followUp = seen.find((e) => e.type === 'follow-up');
    expect(followUp).toMatchObject({
      revision: 2,
      prompt: 'Also handle the timeout case',
      by: editorId,
      commentIds: ['c-1'],
    });
    const proposals = seen.filter((e) => e.type === 'proposal');
    expect(proposals.map((p) => p.revision)).toEqual([undefined, 2]);
    // In order: the first run's proposal, then the follow-up, then the new run and its proposal.
    expect(seen.indexOf(proposals[0] as Event)).toBeLessThan(seen.indexOf(followUp as Event));
    expect(seen.indexOf(followUp as Event)).toBeLessThan(seen.indexOf(proposals[1] as Event));
    expect(seen.map((e) => e.seq)).toEqual([...seen.keys()].map((i) => i + 1));

    // The model got the conversation and the files as they are now, with revision 1's open change applied.
    const messages = messagesOf(llm.requests.slice(requestsBefore).find((r) => r.method === 'POST')).filter(
      (m) => m.role !== 'system',
    );
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[0]?.text).toContain('Retry more');
    expect(messages[1]?.text).toBe(firstAnswer.trim());
    expect(messages[2]?.text).toContain('const retries = 5;');
    expect(messages[2]?.text).toContain('const backoff = 1 + 3;');
    expect(messages[2]?.text.trimEnd().endsWith('Also handle the timeout case')).toBe(true);

    // Revision 2 is against the live text and carries revision 1's change; revision 1 stays readable.
    const task = await reviewer.trpc.task.get.query({ taskId });
    expect(task.revision).toBe(2);
    expect(task.state).toBe('proposed');
    expect(hunksOf(task.changeset)).toEqual([
      ['const retries = 2;\n', 'const retries = 5;\n', 'pending'],
      ['const timeout = 10;\n', 'const timeout = 30;\n', 'pending'],
    ]);
    const first = await reviewer.trpc.task.revision.query({ taskId, revision: 1 });
    expect(hunksOf(first.changeset)).toEqual([['const retries = 2;\n', 'const retries = 5;\n', 'pending']]);
    // Each revision's hunks have ids of their own: a comment on revision 1's change stays on it.
    const ids = (changeset: Changeset | null | undefined) =>
      (changeset?.files ?? []).flatMap((f) => f.hunks.map((h) => h.id));
    expect(ids(first.changeset)).toEqual(['0-0']);
    expect(ids(task.changeset)).toEqual(['r2-0-0', 'r2-0-1']);
    await expectError(reviewer.trpc.task.revision.query({ taskId, revision: 3 }), 'NOT_FOUND');
    expect(
      (await reviewer.trpc.task.revisions.query({ taskId })).map((r) => [r.revision, r.prompt, r.createdBy]),
    ).toEqual([
      [1, 'Retry more', editorId],
      [2, 'Also handle the timeout case', editorId],
    ]);

    // Accepting revision 2 lands both changes around the human's edit; the follow-up is in the audit log.
    await editor.trpc.task.accept.mutate({ taskId });
    const read = await editor.trpc.file.read.query({ workspaceId: ws.id, path: PATH });
    expect(!read.binary && read.content).toBe(
      FILE.replace('= 2', '= 5').replace('= 10', '= 30').replace('backoff = 3', 'backoff = 1 + 3'),
    );
    const audit = await owner.trpc.admin.audit.list.query({ workspaceId: ws.id, limit: 50 });
    expect(audit.find((r) => r.action === 'task.follow_up')).toMatchObject({
      actorId: editorId,
      targetId: taskId,
      meta: { revision: 2, commentIds: ['c-1'] },
    });
  });

  it("shows the model the task's open review threads when a follow-up names none, and only the named ones otherwise", async () => {
    const ws = await workspace('Comments');
    llm.enqueue([replay.text(block(PATH, 'const retries = 2;', 'const retries = 5;'))]);
    const { taskId } = await editor.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'Retry more' });
    await waitFor(async () => expect((await editor.trpc.task.get.query({ taskId })).state).toBe('proposed'));
    const task = await editor.trpc.task.get.query({ taskId });
    const hunkId = task.changeset?.files[0]?.hunks[0]?.id ?? '';
    const target = { kind: 'hunk' as const, taskId, path: PATH, hunkId, line: 1 };
    const open = await reviewer.trpc.review.comment.create.mutate({
      workspaceId: ws.id,
      target,
      body: 'Five retries hammer the server; make it three.',
    });
    await editor.trpc.review.comment.reply.mutate({
      workspaceId: ws.id,
      commentId: open.commentId,
      body: 'And say why in a comment.',
    });
    const done = await reviewer.trpc.review.comment.create.mutate({
      workspaceId: ws.id,
      target,
      body: 'Typo fixed.',
    });
    await editor.trpc.review.comment.resolve.mutate({ workspaceId: ws.id, commentId: done.commentId });

    const promptOf = async (commentIds?: string[]) => {
      llm.enqueue([replay.text('Nothing more to change.')]);
      const before = llm.requests.length;
      await editor.trpc.task.followUp.mutate({
        taskId,
        prompt: 'Address the comments',
        ...(commentIds ? { commentIds } : {}),
      });
      await waitFor(async () =>
        expect((await editor.trpc.task.get.query({ taskId })).state).not.toMatch(/queued|running/),
      );
      return messagesOf(llm.requests.slice(before).find((r) => r.method === 'POST')).at(-1)?.text ?? '';
    };
    const unnamed = await promptOf();
    expect(unnamed).toContain('# Review comments');
    expect(unnamed).toContain(`- Reviewer on ${PATH}:1: Five retries hammer the server; make it three.`);
    expect(unnamed).toContain('- Editor on');
    expect(unnamed).toContain('And say why in a comment.');
    expect(unnamed).not.toContain('Typo fixed.');

    const named = await promptOf([done.commentId]);
    expect(named).toContain('Typo fixed.');
    expect(named).not.toContain('Five retries');
  });

  it("names the other task on the same file, and B's review and accept account for A's accepted changes", async () => {
    const ws = await workspace('Two tasks');
    llm.enqueue([
      replay.text(
        block(PATH, 'const retries = 2;', 'const retries = 5;') +
          block(PATH, 'const timeout = 10;', 'const timeout = 20;'),
      ),
    ]);
    const a = await editor.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'Tune A', paths: [PATH] });
    const aEvents = follow(reviewer, a.taskId);
    await waitFor(async () => expect((await editor.trpc.task.get.query(a)).state).toBe('proposed'));

    llm.enqueue([
      replay.text(
        block(PATH, 'const timeout = 10;', 'const timeout = 40;') +
          block(PATH, 'const backoff = 3;', 'const backoff = 6;'),
      ),
    ]);
    const b = await editor.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'Tune B', paths: [PATH] });
    const bEvents = follow(reviewer, b.taskId);
    await waitFor(async () => expect((await editor.trpc.task.get.query(b)).state).toBe('proposed'));

    // Both timelines say so, naming the other task and the file; B's says it before the model answers.
    await waitFor(() => expect(aEvents.some((e) => e.type === 'overlap')).toBe(true));
    const bOverlap = bEvents.find((e) => e.type === 'overlap');
    expect(bOverlap).toMatchObject({ taskId: a.taskId, prompt: 'Tune A', state: 'proposed', paths: [PATH] });
    expect(bEvents.indexOf(bOverlap as Event)).toBeLessThan(bEvents.findIndex((e) => e.type === 'output'));
    expect(aEvents.filter((e) => e.type === 'overlap')).toEqual([
      expect.objectContaining({ taskId: b.taskId, prompt: 'Tune B', state: 'running', paths: [PATH] }),
    ]);

    // A is accepted; B's review is computed against the live text, as every member's browser computes it.
    await editor.trpc.task.accept.mutate(a);
    const y = yClient(server.url, ws.id, reviewer.jar.header());
    yClients.push(y);
    await synced(y);
    await waitFor(() => expect(textOf(y, PATH)).toContain('= 20;'));
    const bTask = await reviewer.trpc.task.get.query(b);
    const [timeoutHunk, backoffHunk] = bTask.changeset?.files[0]?.hunks ?? [];
    if (!bTask.changeset || !timeoutHunk || !backoffHunk) throw new Error('expected two hunks in B');
    const preview = previewChangeset(y.doc, bTask.changeset);
    const afterA = FILE.replace('= 2', '= 5').replace('= 10', '= 20');
    expect(preview.files[0]).toEqual({ path: PATH, current: afterA, proposed: afterA.replace('= 3', '= 6') });
    expect(preview.conflicts.map((c) => [c.hunkId, c.theirs])).toEqual([
      [timeoutHunk.id, 'const timeout = 40;\n'],
    ]);

    // Accepting B does exactly what its review showed.
    const accepted = await editor.trpc.task.accept.mutate(b);
    expect(accepted.applied).toEqual([backoffHunk.id]);
    expect(accepted.conflicts.map((c) => c.hunkId)).toEqual([timeoutHunk.id]);
    const read = await editor.trpc.file.read.query({ workspaceId: ws.id, path: PATH });
    expect(!read.binary && read.content).toBe(preview.files[0]?.proposed);
  });
});
