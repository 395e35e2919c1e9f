// Reviewers review: comment threads on a task's changes and on live file lines, verdicts, and the workspace policy
// that requires an approval before accepting, against the real server, real WebSocket subscriptions and Yjs.
import { createFile } from '@tandem/core';
import {
  replay,
  searchReplaceBlock as block,
  startReplayServer,
  type ReplayServer,
} from '@tandem/core/testing';
import type * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEnv } from './env.ts';
import {
  backends,
  expectError,
  signedUpClient,
  startCluster,
  startTestServer,
  type Client,
  type TestServer,
  replayModelEnv,
} from './harness.ts';
import { wsTrpc } from './trpc-ws.ts';
import { synced, yClient } from './yjs-client.ts';

const FILE = ['export function add(a: number, b: number) {', '  return a + b;', '}', ''].join('\n');
type User = Awaited<ReturnType<typeof signedUpClient>>;
type Notice = { kind: string; taskId: string | null; commentId?: string };

/** The review notices a member receives, through the real subscription. */
async function watchReview(url: string, c: Client, workspaceId: string) {
  const socket = wsTrpc(url, c.jar.header());
  const notices: Notice[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.trpc.review.onChange.subscribe(
      { workspaceId },
      { onStarted: () => resolve(), onData: (n) => notices.push(n), onError: reject },
    );
  });
  return { notices, close: () => socket.close() };
}

describe.each(backends)('review on %s', (backend) => {
  let llm: ReplayServer;
  let server: TestServer;
  let owner: User;
  let editor: User;
  let reviewer: User;
  let outsider: User;

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: {
        ...replayModelEnv(llm),
      },
    });
    // The first account is the instance admin, who reads the audit log.
    owner = await signedUpClient(server.url, 'Owner');
    editor = await signedUpClient(server.url, 'Editor');
    reviewer = await signedUpClient(server.url, 'Reviewer');
    outsider = await signedUpClient(server.url, 'Outsider');
  });
  afterAll(async () => {
    await server.close();
    await llm.close();
  });

  /** A workspace with an editor and a reviewer, and a task (by the owner) proposing one change. */
  async function proposed() {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Review' });
    for (const [c, role] of [
      [editor, 'editor'],
      [reviewer, 'reviewer'],
    ] as const) {
      const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await c.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    await server.app.deps.rooms.transact(ws.id, (doc) => createFile(doc, 'src/math.ts', FILE));
    llm.enqueue([replay.text(block('src/math.ts', '  return a + b;', '  return a - b;'))]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'subtract' });
    await vi.waitFor(
      async () => expect((await owner.trpc.task.get.query({ taskId })).state).toBe('proposed'),
      { timeout: 20_000, interval: 50 },
    );
    const task = await owner.trpc.task.get.query({ taskId });
    const hunkId = task.changeset?.files[0]?.hunks[0]?.id ?? '';
    return { workspaceId: ws.id, taskId, hunkId };
  }

  async function auditOf(workspaceId: string) {
    const rows = await owner.trpc.admin.audit.list.query({ workspaceId, limit: 100 });
    return rows
      .filter((r) => r.action.startsWith('review.') || r.action === 'workspace.require_approval')
      .reverse()
      .map((r) => ({ action: r.action, actorId: r.actorId }));
  }

  it('lets a reviewer comment on a change, members reply, resolve and re-open, live and in the timeline; an outsider cannot', async () => {
    const { workspaceId, taskId, hunkId } = await proposed();
    const watcher = await watchReview(server.url, editor, workspaceId);
    const target = { kind: 'hunk' as const, taskId, path: 'src/math.ts', hunkId, line: 1 };

    const { commentId } = await reviewer.trpc.review.comment.create.mutate({
      workspaceId,
      target,
      body: 'Subtracting breaks the name of the function.',
    });
    // The editor hears of it live.
    await vi.waitFor(() => expect(watcher.notices).toContainEqual({ kind: 'comment', taskId, commentId }));
    await editor.trpc.review.comment.reply.mutate({ workspaceId, commentId, body: 'Good catch.' });
    await owner.trpc.review.comment.resolve.mutate({ workspaceId, commentId });
    // Resolving twice changes nothing.
    expect(await owner.trpc.review.comment.resolve.mutate({ workspaceId, commentId })).toMatchObject({
      changed: false,
    });

    let [thread] = await editor.trpc.review.comment.list.query({ workspaceId, taskId });
    expect(thread).toMatchObject({
      id: commentId,
      authorId: reviewer.user.id,
      authorName: 'Reviewer',
      hunkId,
      line: 1,
      resolvedBy: owner.user.id,
      replies: [{ authorId: editor.user.id, body: 'Good catch.' }],
    });
    expect(thread?.resolvedAt).not.toBeNull();
    const { threadId } = await reviewer.trpc.review.comment.reopen.mutate({ workspaceId, commentId });
    expect(threadId).toBe(commentId);
    [thread] = await reviewer.trpc.review.comment.list.query({ workspaceId, taskId });
    expect(thread?.resolvedAt).toBeNull();

    // Not a member: the workspace does not exist for them, whatever they ask.
    await expectError(
      outsider.trpc.review.comment.create.mutate({ workspaceId, target, body: 'let me in' }),
      'NOT_FOUND',
    );
    await expectError(outsider.trpc.review.comment.list.query({ workspaceId, taskId }), 'NOT_FOUND');
    await expectError(
      outsider.trpc.review.comment.reply.mutate({ workspaceId, commentId, body: 'hi' }),
      'NOT_FOUND',
    );
    // A comment id from another workspace of the caller's is not found through this one.
    const mine = await outsider.trpc.workspace.create.mutate({ name: 'Mine' });
    await expectError(
      outsider.trpc.review.comment.resolve.mutate({ workspaceId: mine.id, commentId }),
      'NOT_FOUND',
    );
    await expectError(
      outsider.trpc.review.comment.create.mutate({ workspaceId: mine.id, target, body: 'sneaky' }),
      'NOT_FOUND',
    );
    // A change that is not the task's.
    await expectError(
      reviewer.trpc.review.comment.create.mutate({
        workspaceId,
        target: { ...target, hunkId: 'nope' },
        body: 'where?',
      }),
      'NOT_FOUND',
    );

    // The task's timeline tells the story in order.
    const socket = wsTrpc(server.url, reviewer.jar.header());
    const events: { type: string; action?: string; by?: string }[] = [];
    const sub = socket.trpc.task.events.subscribe(
      { taskId, lastEventId: null },
      { onData: (tracked) => events.push(tracked.data) },
    );
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'comment')).toHaveLength(4));
    sub.unsubscribe();
    socket.close();
    expect(events.filter((e) => e.type === 'comment').map((e) => [e.action, e.by])).toEqual([
      ['created', reviewer.user.id],
      ['replied', editor.user.id],
      ['resolved', owner.user.id],
      ['reopened', reviewer.user.id],
    ]);
    expect(await auditOf(workspaceId)).toEqual([
      { action: 'review.comment', actorId: reviewer.user.id },
      { action: 'review.reply', actorId: editor.user.id },
      { action: 'review.resolve', actorId: owner.user.id },
      { action: 'review.reopen', actorId: reviewer.user.id },
    ]);
    watcher.close();
  });

  it('anchors a live file comment to its line while people type above it, and reports the line deleted', async () => {
    const { workspaceId } = await proposed();
    const { commentId } = await reviewer.trpc.review.comment.create.mutate({
      workspaceId,
      target: { kind: 'file', path: 'src/math.ts', line: 2 },
      body: 'Overflow?',
    });
    await expectError(
      reviewer.trpc.review.comment.create.mutate({
        workspaceId,
        target: { kind: 'file', path: 'src/math.ts', line: 99 },
        body: 'Beyond the end',
      }),
      'NOT_FOUND',
    );
    const y = yClient(server.url, workspaceId, editor.jar.header());
    try {
      await synced(y);
      const text = y.doc.getMap('files').get('src/math.ts') as Y.Text;
      text.insert(0, '// header\n// more\n');
      await vi.waitFor(async () => {
        const [thread] = await reviewer.trpc.review.comment.list.query({ workspaceId, path: 'src/math.ts' });
        expect(thread).toMatchObject({
          id: commentId,
          line: 2,
          position: { status: 'live', line: 4, text: '  return a + b;' },
        });
      });
      const at = text.toString().indexOf('  return a + b;\n');
      text.delete(at, '  return a + b;\n'.length);
      await vi.waitFor(async () => {
        const [thread] = await reviewer.trpc.review.comment.list.query({ workspaceId });
        expect(thread?.position).toEqual({ status: 'deleted', line: 4 });
      });
    } finally {
      y.destroy();
    }
  });

  it('names who changed the lines of a conflict, and tells them when a resolution replaces their text', async () => {
    const { workspaceId, taskId, hunkId } = await proposed();
    const eveWatch = await watchReview(server.url, editor, workspaceId);
    const y = yClient(server.url, workspaceId, editor.jar.header());
    try {
      await synced(y);
      // Nobody changed the lines yet: nothing to name.
      expect(await reviewer.trpc.task.conflictAuthors.query({ taskId })).toEqual([]);
      const text = y.doc.getMap('files').get('src/math.ts') as Y.Text;
      text.insert(text.toString().indexOf('b;'), 'a * ');
      const named = [{ hunkId, writers: [{ kind: 'user', id: editor.user.id, name: 'Editor' }] }];
      await vi.waitFor(
        async () => expect(await reviewer.trpc.task.conflictAuthors.query({ taskId })).toEqual(named),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      await expectError(outsider.trpc.task.conflictAuthors.query({ taskId }), 'NOT_FOUND');

      // The owner takes the task's side over the editor's text: the editor is told, live.
      await owner.trpc.task.resolveConflict.mutate({ taskId, hunkId, choice: 'theirs' });
      await vi.waitFor(() =>
        expect(eveWatch.notices).toContainEqual({
          kind: 'overwritten',
          taskId,
          path: 'src/math.ts',
          by: owner.user.id,
          userIds: [editor.user.id],
        }),
      );
      const [entry] = await owner.trpc.admin.audit.list.query({
        workspaceId,
        action: 'task.resolve_conflict',
      });
      expect(entry?.meta).toMatchObject({ hunkId, choice: 'theirs', overwrote: [editor.user.id] });
      expect(await reviewer.trpc.task.conflictAuthors.query({ taskId })).toEqual([]);
    } finally {
      y.destroy();
      eveWatch.close();
    }
  });

  it('tells nobody when a merge by hand keeps what they typed', async () => {
    const { workspaceId, taskId, hunkId } = await proposed();
    const y = yClient(server.url, workspaceId, editor.jar.header());
    try {
      await synced(y);
      const text = y.doc.getMap('files').get('src/math.ts') as Y.Text;
      text.insert(text.toString().indexOf('b;'), 'a * ');
      await vi.waitFor(
        async () => expect(await owner.trpc.task.conflictAuthors.query({ taskId })).toHaveLength(1),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      await owner.trpc.task.resolveConflict.mutate({
        taskId,
        hunkId,
        choice: { text: '  return a - a * b;\n' },
        expectedOurs: '  return a + a * b;\n',
      });
      const [entry] = await owner.trpc.admin.audit.list.query({
        workspaceId,
        action: 'task.resolve_conflict',
      });
      expect(entry?.meta).toEqual({ hunkId, choice: { text: '  return a - a * b;\n' } });
    } finally {
      y.destroy();
    }
  });

  it("records each member's own verdict from the session, keeps the history, and cannot be forged for another user", async () => {
    const { workspaceId, taskId } = await proposed();
    const watcher = await watchReview(server.url, owner, workspaceId);
    await reviewer.trpc.review.verdict.set.mutate({
      taskId,
      verdict: 'request-changes',
      note: 'Name it subtract',
    });
    // An extra `userId` in the input is no part of the schema: the verdict is still the caller's.
    await editor.trpc.review.verdict.set.mutate({
      taskId,
      verdict: 'approve',
      userId: reviewer.user.id,
    } as never);
    await reviewer.trpc.review.verdict.set.mutate({ taskId, verdict: 'approve' });
    await vi.waitFor(() => expect(watcher.notices.filter((n) => n.kind === 'verdict')).toHaveLength(3));
    watcher.close();

    const verdicts = await reviewer.trpc.review.verdict.list.query({ taskId });
    expect(verdicts.history.map((v) => [v.userId, v.verdict])).toEqual([
      [reviewer.user.id, 'request-changes'],
      [editor.user.id, 'approve'],
      [reviewer.user.id, 'approve'],
    ]);
    expect(verdicts.current.map((v) => [v.userName, v.verdict])).toEqual([
      ['Editor', 'approve'],
      ['Reviewer', 'approve'],
    ]);
    expect(verdicts.approval).toMatchObject({ required: false, approved: true });
    await expectError(outsider.trpc.review.verdict.set.mutate({ taskId, verdict: 'approve' }), 'NOT_FOUND');
    await expectError(
      reviewer.trpc.review.verdict.set.mutate({ taskId, verdict: 'lgtm' as never }),
      'BAD_INPUT',
    );
    expect(await auditOf(workspaceId)).toEqual([
      { action: 'review.verdict', actorId: reviewer.user.id },
      { action: 'review.verdict', actorId: editor.user.id },
      { action: 'review.verdict', actorId: reviewer.user.id },
    ]);
  });

  it('enforces a required approval on the server: no accept before an approval by someone other than the author', async () => {
    const { workspaceId, taskId } = await proposed();
    // Owners set the policy; an editor or a reviewer cannot.
    await expectError(
      editor.trpc.review.setRequireApproval.mutate({ workspaceId, requireApproval: true }),
      'FORBIDDEN',
    );
    await owner.trpc.review.setRequireApproval.mutate({ workspaceId, requireApproval: true });
    expect((await editor.trpc.workspace.get.query({ workspaceId })).requireApproval).toBe(true);

    const refused = await expectError(editor.trpc.task.accept.mutate({ taskId }), 'APPROVAL_REQUIRED');
    expect(refused.httpStatus).toBe(412);
    // The author approving their own task does not count.
    await owner.trpc.review.verdict.set.mutate({ taskId, verdict: 'approve' });
    await expectError(editor.trpc.task.accept.mutate({ taskId }), 'APPROVAL_REQUIRED');
    // A request for changes blocks even next to an approval.
    await reviewer.trpc.review.verdict.set.mutate({ taskId, verdict: 'request-changes' });
    await editor.trpc.review.verdict.set.mutate({ taskId, verdict: 'approve' });
    const blocked = await expectError(editor.trpc.task.accept.mutate({ taskId }), 'APPROVAL_REQUIRED');
    expect(blocked.details).toMatchObject({ changesRequestedBy: [reviewer.user.id] });
    expect((await reviewer.trpc.task.get.query({ taskId })).state).toBe('proposed');

    await reviewer.trpc.review.verdict.set.mutate({ taskId, verdict: 'approve' });
    expect((await owner.trpc.review.verdict.list.query({ taskId })).approval).toMatchObject({
      required: true,
      approved: true,
    });
    const accepted = await editor.trpc.task.accept.mutate({ taskId });
    expect(accepted.applied).toHaveLength(1);
    const file = await reviewer.trpc.file.read.query({ workspaceId, path: 'src/math.ts' });
    expect(file.binary ? null : file.content).toContain('return a - b;');
  });

  it('asks for a new approval when a follow-up makes a new revision', async () => {
    const { workspaceId, taskId } = await proposed();
    await owner.trpc.review.setRequireApproval.mutate({ workspaceId, requireApproval: true });
    await reviewer.trpc.review.verdict.set.mutate({ taskId, verdict: 'approve' });
    await editor.trpc.review.verdict.set.mutate({ taskId, verdict: 'request-changes' });

    llm.enqueue([replay.text(block('src/math.ts', '  return a - b;', '  return b - a;'))]);
    await editor.trpc.task.followUp.mutate({ taskId, prompt: 'Other way round' });
    await vi.waitFor(
      async () => {
        const task = await owner.trpc.task.get.query({ taskId });
        expect([task.revision, task.state]).toEqual([2, 'proposed']);
      },
      { timeout: 20_000, interval: 50 },
    );
    // Revision 1's approval does not count for revision 2, and its request for changes no longer blocks.
    await expectError(editor.trpc.task.accept.mutate({ taskId }), 'APPROVAL_REQUIRED');
    const listed = await owner.trpc.review.verdict.list.query({ taskId });
    expect(listed.current).toEqual([]);
    expect(listed.approval.reason).toMatch(/^Revision 2 needs an approval of its own/);
    expect(listed.history.map((v) => [v.userId, v.verdict, v.revision])).toEqual([
      [reviewer.user.id, 'approve', 1],
      [editor.user.id, 'request-changes', 1],
    ]);

    await reviewer.trpc.review.verdict.set.mutate({ taskId, verdict: 'approve' });
    expect((await editor.trpc.task.accept.mutate({ taskId })).applied).toHaveLength(1);
  });

  it('keeps auto-apply from applying a task the workspace requires an approval for', async () => {
    const { workspaceId } = await proposed();
    await owner.trpc.task.setAutoApply.mutate({ workspaceId, autoApply: true });
    await owner.trpc.review.setRequireApproval.mutate({ workspaceId, requireApproval: true });
    llm.enqueue([replay.text(block('src/math.ts', '}', '} // end'))]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId, prompt: 'mark the end' });
    await vi.waitFor(
      async () => expect((await owner.trpc.task.get.query({ taskId })).finishedAt).not.toBeNull(),
      { timeout: 20_000, interval: 50 },
    );
    // The run, including its auto-apply step, is over: the task still waits for a person.
    await server.app.deps.runner.idle();
    expect((await owner.trpc.task.get.query({ taskId })).state).toBe('proposed');
    const file = await owner.trpc.file.read.query({ workspaceId, path: 'src/math.ts' });
    expect(file.binary ? null : file.content).not.toContain('// end');
  });
});

describe.runIf(testEnv.databaseUrl && testEnv.redisUrl)('review across two instances', () => {
  it('delivers a comment made on one instance to a member subscribed on the other', async () => {
    const cluster = await startCluster();
    try {
      const [one, two] = [(await cluster.start()).url, (await cluster.start()).url];
      const owner = await signedUpClient(one, 'Owner');
      const reviewer = await signedUpClient(one, 'Reviewer');
      const ws = await owner.trpc.workspace.create.mutate({ name: 'Scale' });
      const invite = await owner.trpc.workspace.invite.create.mutate({
        workspaceId: ws.id,
        role: 'reviewer',
      });
      await reviewer.trpc.workspace.invite.accept.mutate({ token: invite.token });
      await owner.trpc.file.create.mutate({ workspaceId: ws.id, path: 'a.ts', content: 'one\ntwo\n' });
      const watcher = await watchReview(two, owner, ws.id);
      const { commentId } = await reviewer.trpc.review.comment.create.mutate({
        workspaceId: ws.id,
        target: { kind: 'file', path: 'a.ts', line: 2 },
        body: 'Why two?',
      });
      await vi.waitFor(() =>
        expect(watcher.notices).toContainEqual({ kind: 'comment', taskId: null, commentId }),
      );
      watcher.close();
    } finally {
      await cluster.close();
    }
  });
});
