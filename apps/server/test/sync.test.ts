import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { presencePalette } from '@tandem/core';
import * as Y from 'yjs';
import { backends, signedUpClient, startTestServer, type TestServer } from './harness.ts';
import { synced, textOf, until, yClient, type YClient } from './yjs-client.ts';

describe.each(backends)('live sync on %s', (backend) => {
  let server: TestServer;
  const clients: YClient[] = [];
  beforeAll(async () => {
    server = await startTestServer(backend, {
      sync: { limits: { messagesPerSecond: 1000, messageBurst: 5000 } },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });
  const connect = (workspaceId: string, cookie: string, headers?: Record<string, string>) => {
    const c = yClient(server.url, workspaceId, cookie, headers);
    clients.push(c);
    return c;
  };

  const team = async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const editor = await signedUpClient(server.url, 'Editor');
    const reviewer = await signedUpClient(server.url, 'Reviewer');
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Live' });
    for (const [m, role] of [
      [editor, 'editor'],
      [reviewer, 'reviewer'],
    ] as const) {
      const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await m.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    return { owner, editor, reviewer, ws };
  };

  it('two and more clients converge under concurrent edits', async () => {
    const { owner, editor, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const b = connect(ws.id, editor.jar.header());
    const c = connect(ws.id, editor.jar.header());
    await Promise.all([synced(a), synced(b), synced(c)]);
    a.text().insert(0, 'hello');
    await until(() => textOf(b) === 'hello' && textOf(c) === 'hello');
    for (let i = 0; i < 50; i++) {
      a.text().insert(0, 'a');
      b.text().insert(b.text().length, 'b');
      c.text().insert(3, 'c');
    }
    await until(() => textOf(a) === textOf(b) && textOf(b) === textOf(c) && textOf(a).length === 155);
    expect(textOf(a).split('c')).toHaveLength(51);
  });

  it('merges offline edits on reconnect and keeps the document across a server-side reload', async () => {
    const { owner, editor, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const b = connect(ws.id, editor.jar.header());
    await Promise.all([synced(a), synced(b)]);
    a.text().insert(0, 'base\n');
    await until(() => textOf(b) === 'base\n');
    b.provider.disconnect();
    b.text().insert(0, 'offline-b\n');
    a.text().insert(a.text().length, 'online-a\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(textOf(a)).not.toContain('offline-b');
    b.provider.connect();
    await until(
      () => textOf(a) === textOf(b) && textOf(a).includes('offline-b') && textOf(b).includes('online-a'),
    );

    // Everyone leaves: the document unloads; a newcomer loads it from the database.
    a.destroy();
    b.destroy();
    await until(() => server.app.deps.rooms.getDoc(ws.id) === undefined, 10_000, 'unload');
    const late = connect(ws.id, editor.jar.header());
    await synced(late);
    await until(() => textOf(late).includes('offline-b') && textOf(late).includes('online-a'));
  });

  it('refuses a reviewer’s updates on the server; a reviewer who only reads keeps reading live', async () => {
    const { owner, reviewer, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const r = connect(ws.id, reviewer.jar.header());
    const sneaky = connect(ws.id, reviewer.jar.header());
    await Promise.all([synced(a), synced(r), synced(sneaky)]);
    a.text().insert(0, 'from owner');
    await until(() => textOf(r) === 'from owner' && textOf(sneaky) === 'from owner');
    sneaky.text().insert(0, 'SNEAKY ');
    // Told at once, with a reason, rather than left to diverge.
    await until(() => sneaky.closed.length > 0);
    expect(sneaky.closed[0]?.code).toBe(4409);
    a.text().insert(a.text().length, '!');
    await until(() => textOf(r).endsWith('!'));
    expect(textOf(a)).toBe('from owner!');
    expect(r.closed).toEqual([]);
    const fresh = connect(ws.id, owner.jar.header());
    await synced(fresh);
    await until(() => textOf(fresh) === 'from owner!');
    expect(textOf(fresh)).not.toContain('SNEAKY');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/tandem_yjs_refused_total\{reason="read-only"\} [1-9]/);
  });

  it('shares awareness with the server’s identity, whatever the client claims', async () => {
    const { owner, reviewer, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const r = connect(ws.id, reviewer.jar.header());
    await Promise.all([synced(a), synced(r)]);
    r.provider.awareness.setLocalStateField('user', {
      id: owner.user.id,
      name: 'Definitely The Owner',
      color: '#000',
    });
    r.provider.awareness.setLocalStateField('cursor', { path: 'main.ts', anchor: 1 });
    await until(() => a.provider.awareness.getStates().has(r.doc.clientID));
    await until(
      () =>
        (a.provider.awareness.getStates().get(r.doc.clientID) as { cursor?: unknown }).cursor !== undefined,
    );
    const seen = a.provider.awareness.getStates().get(r.doc.clientID) as {
      user: { id: string; name: string };
    };
    expect(seen.user.id).toBe(reviewer.user.id);
    expect(seen.user.name).toBe('Reviewer');
  });

  it('colours members by join order, so the first people present never share a colour', async () => {
    const { owner, editor, reviewer, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const e = connect(ws.id, editor.jar.header());
    const r = connect(ws.id, reviewer.jar.header());
    await Promise.all([synced(a), synced(e), synced(r)]);
    for (const c of [a, e, r]) c.provider.awareness.setLocalStateField('path', 'x.ts');
    // What others see of each: the colour the server stamped.
    const colorOf = (c: YClient) => {
      const viewer = c === a ? e : a;
      const state = viewer.provider.awareness.getStates().get(c.doc.clientID) as
        { user?: { color?: string } } | undefined;
      return state?.user?.color;
    };
    await until(() => [a, e, r].every((c) => colorOf(c) !== undefined));
    expect([colorOf(a), colorOf(e), colorOf(r)]).toEqual(presencePalette.slice(0, 3));
  });

  it('applies role changes and removals to live connections at once', async () => {
    const { owner, editor, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const e = connect(ws.id, editor.jar.header());
    await Promise.all([synced(a), synced(e)]);
    e.text().insert(0, 'editor wrote');
    await until(() => textOf(a) === 'editor wrote');
    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: editor.user.id,
      role: 'reviewer',
    });
    e.text().insert(0, 'now a reviewer ');
    await until(() => e.closed.some((c) => c.code === 4409));
    expect(textOf(a)).toBe('editor wrote');
    const watching = connect(ws.id, editor.jar.header());
    await synced(watching);
    await owner.trpc.workspace.members.remove.mutate({ workspaceId: ws.id, userId: editor.user.id });
    await until(() => watching.closed.some((c) => c.code === 4403));
  });

  it('closes every live connection to a workspace that is deleted', async () => {
    const { owner, editor, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const e = connect(ws.id, editor.jar.header());
    await Promise.all([synced(a), synced(e)]);
    await owner.trpc.workspace.delete.mutate({ workspaceId: ws.id });
    await until(() => a.closed.length > 0 && e.closed.length > 0);
    expect(a.closed[0]).toEqual({ code: 4404, reason: 'workspace deleted' });
    expect(e.closed[0]).toEqual({ code: 4404, reason: 'workspace deleted' });
  });

  it('closes unauthenticated, non-member and signed-out connections with a 44xx reason', async () => {
    const { owner, ws } = await team();
    const outsider = await signedUpClient(server.url, 'Outsider');
    const anon = connect(ws.id, '');
    const stranger = connect(ws.id, outsider.jar.header());
    const bogus = connect('not-a-workspace', owner.jar.header());
    await until(() => anon.closed.length > 0 && stranger.closed.length > 0 && bogus.closed.length > 0);
    expect(anon.closed[0]).toEqual({ code: 4401, reason: 'sign in required' });
    expect(stranger.closed[0]).toEqual({ code: 4404, reason: 'workspace not found' });
    expect(bogus.closed[0]?.code).toBe(4404);
    // y-websocket does not reconnect on 44xx: no reconnect storm.
    await new Promise((res) => setTimeout(res, 800));
    expect(anon.closed).toHaveLength(1);

    const live = connect(ws.id, owner.jar.header());
    await synced(live);
    await owner.trpc.auth.signOutEverywhere.mutate();
    await until(() => live.closed.some((c) => c.code === 4401));
  });

  it('refuses a cross-origin upgrade', async () => {
    const { owner, ws } = await team();
    const status = await new Promise<number>((resolve) => {
      const sock = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/${ws.id}`, {
        headers: { cookie: owner.jar.header(), origin: 'https://evil.example' },
      });
      sock.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      sock.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
  });

  it('survives thousands of random and truncated frames; honest clients still converge', async () => {
    const { owner, editor, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    await synced(a);
    a.text().insert(0, 'before the storm');
    let closes = 0;
    for (let round = 0; round < 40; round++) {
      await new Promise<void>((resolve) => {
        const sock = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/${ws.id}`, {
          headers: { cookie: editor.jar.header() },
        });
        sock.on('open', () => {
          for (let i = 0; i < 100; i++) {
            const kind = i % 4;
            const frame =
              kind === 0
                ? randomBytes(1 + (i % 64))
                : kind === 1
                  ? Buffer.from([0, 2, 0xff, 0xff, 0xff]) // sync update with a lying length
                  : kind === 2
                    ? Buffer.concat([Buffer.from([0, 2, 20]), randomBytes(20)]) // update of random bytes
                    : Buffer.from([1, 5, 1, 2]); // truncated awareness
            sock.send(frame);
          }
        });
        sock.on('close', () => {
          closes++;
          resolve();
        });
        setTimeout(() => sock.terminate(), 2000);
      });
    }
    expect(closes).toBe(40);
    const b = connect(ws.id, editor.jar.header());
    const c = connect(ws.id, owner.jar.header());
    await Promise.all([synced(b), synced(c)]);
    b.text().insert(0, 'B');
    c.text().insert(c.text().length, 'C');
    await until(
      () => textOf(a) === textOf(b) && textOf(b) === textOf(c) && textOf(a) === 'Bbefore the stormC',
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('update format', () => {
  it('test clients speak the fixed layout: files map of Y.Text', () => {
    const doc = new Y.Doc();
    doc.getMap<Y.Text>('files').set('a.ts', new Y.Text('x'));
    expect(doc.getMap('files').get('a.ts')).toBeInstanceOf(Y.Text);
  });
});
