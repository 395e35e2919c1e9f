// Human-started check runs ("Run checks") end to end: the real server, the real bwrap sandbox, real WebSocket
// subscriptions for every member and reviewer.
import { createFile } from '@tandem/core';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../src/trpc/root.ts';
import {
  backends,
  expectError,
  signedUpClient,
  startTestServer,
  type Client,
  type TestServer,
} from './harness.ts';
import { eventsUntilDone, wsTrpc, type LoggedEvent as Event } from './trpc-ws.ts';

type User = Awaited<ReturnType<typeof signedUpClient>>;

const MANIFEST = JSON.stringify({ name: 'demo', type: 'module', scripts: { test: 'node --test' } }, null, 2);
const PASSING = [
  "import { test } from 'node:test';",
  "import assert from 'node:assert/strict';",
  "test('adds', () => assert.equal(1 + 1, 2));",
  '',
].join('\n');
const FAILING = [
  "import { test } from 'node:test';",
  "import assert from 'node:assert/strict';",
  "test('subtracts', () => { console.log('about to compare'); assert.equal(3 - 1, 5); });",
  '',
].join('\n');

function codeOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>).data?.code : undefined;
}

describe.each(backends)('check runs on %s', (backend) => {
  let server: TestServer;
  let owner: User;
  let editor: User;
  let reviewer: User;

  beforeAll(async () => {
    server = await startTestServer(backend);
    // The first account is the instance admin, who reads the audit log.
    owner = await signedUpClient(server.url, 'Owner');
    editor = await signedUpClient(server.url, 'Editor');
    reviewer = await signedUpClient(server.url, 'Reviewer');
  });
  afterAll(async () => {
    await server.close();
  });

  async function workspace(files: Record<string, string>) {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Checks' });
    for (const [c, role] of [
      [editor, 'editor'],
      [reviewer, 'reviewer'],
    ] as const) {
      const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await c.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    await server.app.deps.rooms.transact(ws.id, (doc) => {
      for (const [path, text] of Object.entries(files)) createFile(doc, path, text);
    });
    return ws;
  }

  const follow = (c: Client, runId: string, lastEventId?: string) =>
    eventsUntilDone(server.url, c.jar.header(), { runId }, lastEventId);

  it('streams a run to two subscribers and a reviewer alike, replays from lastEventId, and reports a failing test as failed', async () => {
    const ws = await workspace({
      'package.json': MANIFEST,
      'test/a.test.js': PASSING,
      'test/b.test.js': FAILING,
    });
    // The reviewer watches but may not start a run.
    await expectError(reviewer.trpc.check.run.mutate({ workspaceId: ws.id }), 'FORBIDDEN');

    const { runId } = await editor.trpc.check.run.mutate({ workspaceId: ws.id });
    // One run at a time: pressing again while it runs names the running one.
    const busy = await expectError(owner.trpc.check.run.mutate({ workspaceId: ws.id }), 'CONFLICT');
    expect(busy.details).toEqual({ runId });

    const [a, b, r] = await Promise.all([
      follow(owner, runId),
      follow(editor, runId),
      follow(reviewer, runId),
    ]);
    expect(a.map((e) => e.seq)).toEqual(Array.from({ length: a.length }, (_, i) => i + 1));
    expect(b).toEqual(a);
    expect(r).toEqual(a);

    const checks = a.filter((e) => e.type === 'check').map((e) => `${String(e.check)}:${String(e.status)}`);
    // On failure, say why a check did not run (e.g. the sandbox refused runs, and its reason).
    const why = JSON.stringify(a.filter((e) => e.type === 'check'));
    expect(checks, why).toContain('test:running');
    expect(checks, why).toContain('test:failed');
    // What the test printed streamed live, before the check's verdict.
    const printed = a
      .filter((e) => e.type === 'output' && e.check === 'test')
      .map((e) => String(e.text))
      .join('');
    expect(printed).toContain('about to compare');
    expect(printed).toContain('subtracts');
    const lastOutput = a.findLastIndex((e) => e.type === 'output' && e.check === 'test');
    const verdict = a.findIndex((e) => e.type === 'check' && e.check === 'test' && e.status === 'failed');
    expect(lastOutput).toBeLessThan(verdict);
    expect(a.at(-1)).toMatchObject({ type: 'done', status: 'failed' });
    expect(String(a.at(-1)?.message)).toMatch(/^test failed/);

    // A late joiner and a reconnect after the third event see the same story.
    expect(await follow(reviewer, runId)).toEqual(a);
    expect(await follow(reviewer, runId, '3')).toEqual(a.slice(3));

    const runs = await reviewer.trpc.check.list.query({ workspaceId: ws.id });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: runId,
      state: 'failed',
      createdBy: editor.user.id,
      createdByName: 'Editor',
    });
    expect(await reviewer.trpc.check.get.query({ runId })).toMatchObject({ id: runId, state: 'failed' });
    const audit = await owner.trpc.admin.audit.list.query({ workspaceId: ws.id, limit: 20 });
    expect(
      audit.filter((row) => row.action === 'check.run').map((row) => [row.actorId, row.targetId]),
    ).toEqual([[editor.user.id, runId]]);
  });

  it('passes a workspace whose tests pass, and the list follows runs as they start and end', async () => {
    const ws = await workspace({ 'package.json': MANIFEST, 'test/a.test.js': PASSING });
    const socket = wsTrpc(server.url, reviewer.jar.header());
    const changes: unknown[] = [];
    const sub = socket.trpc.check.onChange.subscribe(
      { workspaceId: ws.id },
      { onData: (c) => changes.push(c) },
    );
    try {
      const { runId } = await owner.trpc.check.run.mutate({ workspaceId: ws.id });
      const events = await follow(editor, runId);
      expect(events.filter((e) => e.type === 'check' && e.check === 'test').map((e) => e.status)).toEqual([
        'running',
        'passed',
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'done', status: 'passed' });
      // The run takes seconds, long after the list subscription is in place: its end reaches the list.
      await vi.waitFor(() => expect(changes).toContainEqual({ runId, state: 'passed' }));
    } finally {
      sub.unsubscribe();
      socket.close();
    }
  });

  it('ends a subscription with NOT_FOUND the moment its reviewer is removed, and refuses strangers', async () => {
    const ws = await workspace({ 'package.json': MANIFEST, 'test/a.test.js': PASSING });
    const { runId } = await owner.trpc.check.run.mutate({ workspaceId: ws.id });
    await follow(owner, runId);
    const stranger = await signedUpClient(server.url, 'Stranger');
    await expectError(stranger.trpc.check.list.query({ workspaceId: ws.id }), 'NOT_FOUND');
    await expectError(stranger.trpc.check.get.query({ runId }), 'NOT_FOUND');

    // A subscription stays open after `done` (it follows the log); removal ends it.
    const socket = wsTrpc(server.url, reviewer.jar.header());
    const seen: Event[] = [];
    const ended: { code?: string } = {};
    socket.trpc.check.events.subscribe(
      { runId, lastEventId: null },
      {
        onData: (tracked) => seen.push(tracked.data),
        onError: (error) => (ended.code = codeOf(error) ?? 'unknown'),
      },
    );
    try {
      await vi.waitFor(() => expect(seen.at(-1)?.type).toBe('done'));
      await owner.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: reviewer.user.id });
      await vi.waitFor(() => expect(ended.code).toBe('NOT_FOUND'));
    } finally {
      socket.close();
    }
  });
});

describe('check runs without a sandbox', () => {
  it('end in error with SANDBOX_UNAVAILABLE and the reason, running nothing', async () => {
    const server = await startTestServer('pglite', { env: { TANDEM_SANDBOX_BWRAP: '/nonexistent/bwrap' } });
    try {
      const user = await signedUpClient(server.url, 'Alone');
      const ws = await user.trpc.workspace.create.mutate({ name: 'x' });
      await server.app.deps.rooms.transact(ws.id, (doc) => {
        createFile(doc, 'package.json', MANIFEST);
        createFile(doc, 'test/a.test.js', PASSING);
      });
      const { runId } = await user.trpc.check.run.mutate({ workspaceId: ws.id });
      await server.app.deps.checkRunQueue.idle();
      const [run] = await user.trpc.check.list.query({ workspaceId: ws.id });
      expect(run).toMatchObject({ id: runId, state: 'error', errorCode: 'SANDBOX_UNAVAILABLE' });
      expect(run?.summary).toMatch(/bwrap/);
      const socket = wsTrpc(server.url, user.jar.header());
      const events = await new Promise<Event[]>((resolve) => {
        const seen: Event[] = [];
        const sub = socket.trpc.check.events.subscribe(
          { runId },
          {
            onData: (tracked) => {
              seen.push(tracked.data);
              if (seen.at(-1)?.type === 'done') {
                sub.unsubscribe();
                resolve(seen);
              }
            },
          },
        );
      });
      socket.close();
      expect(events.some((e) => e.type === 'check' && e.status === 'running')).toBe(false);
      expect(events.filter((e) => e.type === 'check' && e.check === 'test')).toEqual([
        expect.objectContaining({
          status: 'error',
          summary: expect.stringMatching(/^SANDBOX_UNAVAILABLE/) as unknown,
        }),
      ]);
      expect(events.at(-1)).toMatchObject({ type: 'done', status: 'error', code: 'SANDBOX_UNAVAILABLE' });
    } finally {
      await server.close();
    }
  });
});
