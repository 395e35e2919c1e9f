// Access follows the user everywhere: a live tRPC socket, a subscription or a Yjs connection obeys every sign-out,
// disabled account, revoked admin flag, role change, removal and archive at once, through the real server.
import { startReplayServer, replay, type ReplayServer } from '@tandem/core/testing';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { subscriptionLimits } from '../src/access/subscription.ts';
import type { AppRouter } from '../src/trpc/root.ts';
import { testEnv } from './env.ts';
import {
  backends,
  expectError,
  makeClient,
  signedUpClient,
  startCluster,
  startTestServer,
  type Client,
  type TestServer,
  replayModelEnv,
} from './harness.ts';
import { wsTrpc } from './trpc-ws.ts';
import { synced, textOf, yClient, type YClient } from './yjs-client.ts';

type Signed = Awaited<ReturnType<typeof signedUpClient>>;

/** Waits for a condition with room for a loaded CI machine (vi.waitFor's own default is one second). */
const eventually = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 20_000, interval: 20 });

/** The domain code a subscription ended with. */
function codeOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>).data?.code : undefined;
}

/** A live `task.onChange` subscription that records what it receives and how it ended. */
function watchTaskList(socket: ReturnType<typeof wsTrpc>, workspaceId: string) {
  const seen: unknown[] = [];
  const ended: { code?: string | undefined } = {};
  let started = false;
  const sub = socket.trpc.task.onChange.subscribe(
    { workspaceId },
    {
      onStarted: () => (started = true),
      onData: (change) => seen.push(change),
      onError: (error) => (ended.code = codeOf(error) ?? 'unknown'),
    },
  );
  return { seen, ended, sub, started: () => started };
}

describe.each(backends)('access on %s', (backend) => {
  let server: TestServer;
  let llm: ReplayServer;
  let admin: Signed;
  const yClients: YClient[] = [];
  const sockets: ReturnType<typeof wsTrpc>[] = [];

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: {
        ...replayModelEnv(llm),
      },
    });
    // The first account of a fresh instance is its admin.
    admin = await signedUpClient(server.url, 'Admin');
  });
  afterAll(async () => {
    for (const y of yClients) y.destroy();
    for (const s of sockets) s.close();
    await server.close();
    await llm.close();
  });

  const socket = (c: Client) => {
    const s = wsTrpc(server.url, c.jar.header());
    sockets.push(s);
    return s;
  };
  const live = (workspaceId: string, c: Client) => {
    const y = yClient(server.url, workspaceId, c.jar.header());
    yClients.push(y);
    return y;
  };

  /** A workspace of `owner` with `member` in it at `role`. */
  async function shared(owner: Signed, member: Signed, role: 'editor' | 'reviewer' = 'editor') {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Shared' });
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
    await member.trpc.workspace.invite.accept.mutate({ token: invite.token });
    return ws;
  }

  it('a tRPC socket stops acting for a session that signed out over HTTP, and is closed with a reason', async () => {
    const user = await signedUpClient(server.url, 'Leaver');
    const ws = await user.trpc.workspace.create.mutate({ name: 'Mine' });
    const s = socket(user);
    expect((await s.trpc.auth.me.query())?.id).toBe(user.user.id);
    await s.trpc.file.create.mutate({ workspaceId: ws.id, path: 'a.ts', content: 'a' });

    await user.trpc.auth.signOut.mutate();
    await eventually(() => expect(s.closed).toContainEqual({ code: 4401, reason: 'signed out' }));
    // The client reconnects with the dead cookie (a call racing the reconnect fails and is tried again): nobody now.
    await eventually(async () => expect(await s.trpc.auth.me.query()).toBeNull());
    await expectError(
      s.trpc.file.create.mutate({ workspaceId: ws.id, path: 'b.ts', content: 'b' }),
      'UNAUTHENTICATED',
    );
  });

  it('a disabled account loses its open sockets, and a revoked admin loses admin calls on the same socket', async () => {
    const victim = await signedUpClient(server.url, 'Disabled');
    const s = socket(victim);
    expect((await s.trpc.auth.me.query())?.id).toBe(victim.user.id);
    await admin.trpc.admin.users.setDisabled.mutate({ userId: victim.user.id, disabled: true });
    await eventually(() => expect(s.closed).toContainEqual({ code: 4401, reason: 'signed out' }));
    await eventually(async () => expect(await s.trpc.auth.me.query()).toBeNull());

    const deputy = await signedUpClient(server.url, 'Deputy');
    await admin.trpc.admin.users.setAdmin.mutate({ userId: deputy.user.id, isAdmin: true });
    const d = socket(deputy);
    await d.trpc.admin.users.list.query();
    await admin.trpc.admin.users.setAdmin.mutate({ userId: deputy.user.id, isAdmin: false });
    // Same socket, same connection context: the flag is read again at this call.
    await expectError(d.trpc.admin.users.list.query(), 'FORBIDDEN');
    await expectError(
      d.trpc.admin.users.setAdmin.mutate({ userId: deputy.user.id, isAdmin: true }),
      'FORBIDDEN',
    );
    expect((await d.trpc.auth.me.query())?.isAdmin).toBe(false);
  });

  it('a demoted editor cannot write over the socket it opened as an editor', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const editor = await signedUpClient(server.url, 'Editor');
    const ws = await shared(owner, editor);
    const s = socket(editor);
    await s.trpc.file.create.mutate({ workspaceId: ws.id, path: 'x.ts', content: 'x' });
    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: editor.user.id,
      role: 'reviewer',
    });
    await expectError(
      s.trpc.file.create.mutate({ workspaceId: ws.id, path: 'y.ts', content: 'y' }),
      'FORBIDDEN',
    );
  });

  it('subscriptions end with a typed error the moment their user is removed from the workspace', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const member = await signedUpClient(server.url, 'Member');
    const ws = await shared(owner, member);
    // A task that keeps streaming while the member is removed.
    llm.enqueue([replay.text('thinking ', { chunks: 4 }), replay.delay(3_000), replay.text('done')]);
    const { taskId } = await owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'Think slowly' });

    const s = socket(member);
    const list = watchTaskList(s, ws.id);
    const events: { type: string }[] = [];
    const taskEnded: { code?: string | undefined } = {};
    s.trpc.task.events.subscribe(
      { taskId, lastEventId: null },
      {
        onData: (tracked) => events.push(tracked.data),
        onError: (error) => (taskEnded.code = codeOf(error) ?? 'unknown'),
      },
    );
    await eventually(() => expect(events.length).toBeGreaterThan(0));
    await eventually(() => expect(list.started()).toBe(true));

    await owner.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: member.user.id });
    await eventually(() => {
      expect(taskEnded.code).toBe('NOT_FOUND');
      expect(list.ended.code).toBe('NOT_FOUND');
    });
    const heard = events.length;
    const changes = list.seen.length;
    await owner.trpc.task.cancel.mutate({ taskId });
    await eventually(async () =>
      expect((await owner.trpc.task.get.query({ taskId })).state).toBe('cancelled'),
    );
    expect(events.length).toBe(heard);
    expect(list.seen.length).toBe(changes);
    // Subscribing again is refused outright.
    const again = watchTaskList(s, ws.id);
    await eventually(() => expect(again.ended.code).toBe('NOT_FOUND'));
  });

  it('a subscription over server-sent events ends the same way when access is lost', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const member = await signedUpClient(server.url, 'Member');
    const ws = await shared(owner, member);
    const input = encodeURIComponent(JSON.stringify({ json: { workspaceId: ws.id } }));
    const response = await fetch(`${server.url}/trpc/task.onChange?input=${input}`, {
      headers: { cookie: member.jar.header(), accept: 'text/event-stream' },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let stream = '';
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        stream += decoder.decode(value, { stream: true });
      }
    })();
    await eventually(() => expect(stream).toContain('connected'));
    await owner.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: member.user.id });
    await eventually(() => expect(stream).toMatch(/event: serialized-error\ndata: .*"code":"NOT_FOUND"/));
    await reader.cancel();
    await read.catch(() => undefined);
  });

  it('signing out closes every Yjs connection of that session at once, and only of that session', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Two browsers' });
    const other = makeClient(server.url);
    await other.trpc.auth.signIn.mutate({ email: owner.email, password: owner.password });
    const here = live(ws.id, owner);
    const there = live(ws.id, other);
    await Promise.all([synced(here), synced(there)]);

    await owner.trpc.auth.signOut.mutate();
    await eventually(() => expect(here.closed).toContainEqual({ code: 4401, reason: 'signed out' }));
    here.provider.disconnect();
    there.text().insert(0, 'still here');
    const watcher = live(ws.id, other);
    await synced(watcher);
    await eventually(() => expect(textOf(watcher)).toBe('still here'));
    expect(there.closed).toEqual([]);
  });

  it('caps subscriptions per socket with a typed error', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Many' });
    const s = socket(owner);
    const subs = Array.from({ length: subscriptionLimits.perSocket }, () => watchTaskList(s, ws.id));
    await eventually(() => expect(subs.every((w) => w.started())).toBe(true));
    const extra = watchTaskList(s, ws.id);
    await eventually(() => expect(extra.ended.code).toBe('TOO_MANY_SUBSCRIPTIONS'));
    // Closing one makes room again.
    subs[0]?.sub.unsubscribe();
    const next = watchTaskList(s, ws.id);
    await eventually(() => expect(next.started()).toBe(true));
    expect(next.ended.code).toBeUndefined();
    for (const w of [...subs, next]) w.sub.unsubscribe();
  });

  it('caps subscriptions per user across sockets', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Many sockets' });
    const perSocket = subscriptionLimits.perSocket;
    const count = Math.ceil(subscriptionLimits.perUser / perSocket);
    const subs = Array.from({ length: count }, () => socket(owner)).flatMap((s, i) =>
      Array.from({ length: Math.min(perSocket, subscriptionLimits.perUser - i * perSocket) }, () =>
        watchTaskList(s, ws.id),
      ),
    );
    await eventually(() => expect(subs.every((w) => w.started())).toBe(true));
    const extra = watchTaskList(socket(owner), ws.id);
    await eventually(() => expect(extra.ended.code).toBe('TOO_MANY_SUBSCRIPTIONS'));
    for (const w of subs) w.sub.unsubscribe();
  });

  it('an archived workspace is read-only for files, tasks and the live document until it is unarchived', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const editor = await signedUpClient(server.url, 'Editor');
    const ws = await shared(owner, editor);
    await editor.trpc.file.create.mutate({ workspaceId: ws.id, path: 'main.ts', content: '' });
    const typist = live(ws.id, editor);
    const reader = live(ws.id, owner);
    await Promise.all([synced(typist), synced(reader)]);

    await owner.trpc.workspace.archive.mutate({ workspaceId: ws.id, archived: true });
    await expectError(
      editor.trpc.file.create.mutate({ workspaceId: ws.id, path: 'new.ts', content: '' }),
      'WORKSPACE_ARCHIVED',
    );
    await expectError(
      owner.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'Change it' }),
      'WORKSPACE_ARCHIVED',
    );
    // Reading still works; the owner still manages the workspace.
    expect((await editor.trpc.file.list.query({ workspaceId: ws.id })).entries.length).toBeGreaterThan(0);
    await owner.trpc.workspace.rename.mutate({ workspaceId: ws.id, name: 'Archived' });

    typist.text().insert(0, 'typed while archived');
    const fresh = live(ws.id, owner);
    await synced(fresh);
    expect(textOf(fresh)).toBe('');

    await owner.trpc.workspace.archive.mutate({ workspaceId: ws.id, archived: false });
    await editor.trpc.file.create.mutate({ workspaceId: ws.id, path: 'new.ts', content: 'ok' });
  });

  it('shows e-mail addresses of members only to owners and admins', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const reviewer = await signedUpClient(server.url, 'Reviewer');
    const ws = await shared(owner, reviewer, 'reviewer');
    const asReviewer = await reviewer.trpc.workspace.members.list.query({ workspaceId: ws.id });
    expect(asReviewer.map((m) => m.email)).toEqual([null, null]);
    const asOwner = await owner.trpc.workspace.members.list.query({ workspaceId: ws.id });
    expect(asOwner.map((m) => m.email).sort()).toEqual([owner.email, reviewer.email].sort());
  });
});

describe.runIf(testEnv.databaseUrl && testEnv.redisUrl)(
  'access across two instances with PostgreSQL and Redis',
  () => {
    it('a removal or sign-out on one instance ends subscriptions and connections on the other', async () => {
      const cluster = await startCluster();
      const [one, two] = [(await cluster.start()).url, (await cluster.start()).url];
      const cleanup: (() => void)[] = [];
      try {
        const owner = await signedUpClient(one, 'Owner');
        const member = await signedUpClient(one, 'Member');
        const ws = await owner.trpc.workspace.create.mutate({ name: 'Scale' });
        const invite = await owner.trpc.workspace.invite.create.mutate({
          workspaceId: ws.id,
          role: 'editor',
        });
        await member.trpc.workspace.invite.accept.mutate({ token: invite.token });

        // The member is connected to instance two; the owner acts on instance one.
        const s = wsTrpc(two, member.jar.header());
        const y = yClient(two, ws.id, member.jar.header());
        cleanup.push(
          () => void s.close(),
          () => y.destroy(),
        );
        const list = watchTaskList(s, ws.id);
        await synced(y);
        await eventually(() => expect(list.started()).toBe(true));

        await owner.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: member.user.id });
        await eventually(() => {
          expect(list.ended.code).toBe('NOT_FOUND');
          expect(y.closed).toContainEqual({ code: 4403, reason: 'removed from workspace' });
        });

        const mine = await owner.trpc.workspace.create.mutate({ name: 'Own' });
        const ownerOnTwo = wsTrpc(two, owner.jar.header());
        const ownY = yClient(two, mine.id, owner.jar.header());
        cleanup.push(
          () => void ownerOnTwo.close(),
          () => ownY.destroy(),
        );
        await synced(ownY);
        expect((await ownerOnTwo.trpc.auth.me.query())?.id).toBe(owner.user.id);
        await owner.trpc.auth.signOut.mutate();
        await eventually(() => {
          expect(ownY.closed).toContainEqual({ code: 4401, reason: 'signed out' });
          expect(ownerOnTwo.closed.some((c) => c.code === 4401)).toBe(true);
        });
      } finally {
        for (const c of cleanup) c();
        await cluster.close();
      }
    }, 120_000);
  },
);
