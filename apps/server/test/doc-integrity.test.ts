// The live document's integrity against its own editors' Yjs clients (issue #16, items 8, 9 and 11): every update is
// held to the file API's path rules and the workspace size limit, and a refused update is never merged later.
import { syncCloseCodes } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { backends, signedUpClient, startTestServer, type TestServer } from './harness.ts';
import { synced, textOf, yClient, type YClient } from './yjs-client.ts';

const maxWorkspaceBytes = 512 * 1024;

describe.each(backends)('document integrity on %s', (backend) => {
  let server: TestServer;
  const clients: YClient[] = [];
  beforeAll(async () => {
    server = await startTestServer(backend, {
      sync: { limits: { messagesPerSecond: 1000, messageBurst: 5000, maxWorkspaceBytes } },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });
  const connect = (workspaceId: string, cookie: string) => {
    const c = yClient(server.url, workspaceId, cookie);
    clients.push(c);
    return c;
  };

  const team = async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const editor = await signedUpClient(server.url, 'Editor');
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Integrity' });
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'editor' });
    await editor.trpc.workspace.invite.accept.mutate({ token: invite.token });
    return { owner, editor, ws };
  };

  const listed = async (trpc: Awaited<ReturnType<typeof team>>['owner']['trpc'], workspaceId: string) =>
    (await trpc.file.list.query({ workspaceId })).entries.filter((e) => e.kind === 'file').map((e) => e.path);

  it('refuses paths the file API refuses, wrong value types and bad metadata, and tells the client', async () => {
    const { owner, editor, ws } = await team();
    const watcher = connect(ws.id, owner.jar.header());
    await synced(watcher);
    const attacks: [string, (doc: Y.Doc) => void][] = [
      ['traversal', (doc) => doc.getMap('files').set('../../etc/passwd', new Y.Text('root'))],
      ['NUL', (doc) => doc.getMap('files').set('a\0b', new Y.Text('x'))],
      ['empty', (doc) => doc.getMap('files').set('', new Y.Text('x'))],
      ['absolute', (doc) => doc.getMap('files').set('/abs.txt', new Y.Text('x'))],
      ['right-to-left override', (doc) => doc.getMap('files').set('invoice\u202Etxt.exe', new Y.Text('x'))],
      ['binary path', (doc) => doc.getMap('binaries').set('../x.bin', new Uint8Array([1, 2]))],
      ['metadata path', (doc) => doc.getMap('meta').set('/etc/x', { binary: false, language: 'x' })],
      ['a map for a text', (doc) => doc.getMap('files').set('map.ts', new Y.Map())],
      ['a string for a text', (doc) => doc.getMap('files').set('plain.ts', 'not a Y.Text')],
      ['bad metadata', (doc) => doc.getMap('meta').set('ok.ts', { binary: 'yes' })],
      ['an unknown root', (doc) => doc.getMap('elsewhere').set('x', 1)],
    ];
    for (const [what, attack] of attacks) {
      const mallory = connect(ws.id, editor.jar.header());
      await synced(mallory);
      attack(mallory.doc);
      await vi.waitFor(() => expect(mallory.closed, what).toHaveLength(1), { timeout: 5_000 });
      expect(mallory.closed[0]?.code, what).toBe(syncCloseCodes.invalidUpdate);
      expect(mallory.closed[0]?.reason, what).not.toBe('');
      mallory.destroy();
    }
    // Replacing an existing entry names only its neighbour: the type is still checked.
    const honest = connect(ws.id, editor.jar.header());
    await synced(honest);
    honest.text('ok.ts').insert(0, 'fine');
    await vi.waitFor(() => expect(textOf(watcher, 'ok.ts')).toBe('fine'));
    const overwrite = connect(ws.id, editor.jar.header());
    await synced(overwrite);
    overwrite.doc.getMap('files').set('ok.ts', new Y.Array());
    await vi.waitFor(() => expect(overwrite.closed[0]?.code).toBe(syncCloseCodes.invalidUpdate));

    expect(await listed(owner.trpc, ws.id)).toEqual(['ok.ts']);
    expect([...watcher.doc.getMap('files').keys()]).toEqual(['ok.ts']);
    expect(watcher.doc.getMap('files').get('ok.ts')).toBeInstanceOf(Y.Text);
    // The honest client was never disturbed, and files created over Yjs still work through the API.
    expect(honest.closed).toEqual([]);
    await owner.trpc.file.rename.mutate({ workspaceId: ws.id, from: 'ok.ts', to: 'src/ok.ts' });
    expect(await listed(owner.trpc, ws.id)).toEqual(['src/ok.ts']);
  });

  it('a client whose edits are refused while read-only learns it at once, and they never land', async () => {
    const { owner, editor, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const e = connect(ws.id, editor.jar.header());
    await Promise.all([synced(a), synced(e)]);
    e.text().insert(0, 'editor wrote');
    await vi.waitFor(() => expect(textOf(a)).toBe('editor wrote'));

    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: editor.user.id,
      role: 'reviewer',
    });
    e.text().insert(0, 'typed while read-only ');
    e.text().delete('typed while read-only '.length, 'editor'.length);
    await vi.waitFor(() => expect(e.closed[0]?.code).toBe(syncCloseCodes.editsRefused));
    expect(e.closed[0]?.reason).toMatch(/read-only/);
    // 44xx: y-websocket does not come back on its own with the refused edits.
    expect(e.provider.shouldConnect).toBe(false);

    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: editor.user.id,
      role: 'editor',
    });
    // A client that ignores the contract and reconnects with the same document sends its whole state again: the
    // server recognises the refused edits and refuses them again.
    e.provider.connect();
    await vi.waitFor(() => expect(e.closed).toHaveLength(2));
    expect(e.closed[1]?.code).toBe(syncCloseCodes.editsRefused);
    expect(textOf(a)).toBe('editor wrote');

    // Following the contract (a fresh Y.Doc), the same user syncs the server's state and edits again.
    const fresh = connect(ws.id, editor.jar.header());
    await synced(fresh);
    expect(textOf(fresh)).toBe('editor wrote');
    fresh.text().insert(fresh.text().length, '!');
    await vi.waitFor(() => expect(textOf(a)).toBe('editor wrote!'));
    // And a later reader, from storage, sees nothing typed while read-only.
    const late = connect(ws.id, owner.jar.header());
    await synced(late);
    expect(textOf(late)).toBe('editor wrote!');
    expect(fresh.closed).toEqual([]);
  });

  it('a reviewer who reconnects with deletions it learned from the server is not refused', async () => {
    const { owner, editor, ws } = await team();
    await owner.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: editor.user.id,
      role: 'reviewer',
    });
    const a = connect(ws.id, owner.jar.header());
    const r = connect(ws.id, editor.jar.header());
    await Promise.all([synced(a), synced(r)]);
    a.text().insert(0, 'hello world');
    a.text().delete(0, 6);
    await vi.waitFor(() => expect(textOf(r)).toBe('world'));
    r.provider.disconnect();
    r.provider.connect();
    await synced(r);
    a.text().insert(0, 'hi ');
    await vi.waitFor(() => expect(textOf(r)).toBe('hi world'));
    expect(r.closed.filter((c) => c.code >= 4400)).toEqual([]);
  });

  it('holds Yjs content to the workspace limit, with a typed refusal', async () => {
    const { owner, editor, ws } = await team();
    const a = connect(ws.id, owner.jar.header());
    const e = connect(ws.id, editor.jar.header());
    await Promise.all([synced(a), synced(e)]);
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 6; i++) e.text(`part-${i}.txt`).insert(0, chunk);
    await vi.waitFor(() => expect(textOf(a, 'part-5.txt')).toBe(chunk));
    // 384 KiB stored; another 192 KiB crosses the 512 KiB limit.
    e.text('big.txt').insert(0, 'y'.repeat(192 * 1024));
    await vi.waitFor(() => expect(e.closed[0]).toEqual({ code: 4413, reason: 'workspace too large' }));
    const late = connect(ws.id, owner.jar.header());
    await synced(late);
    expect(textOf(late, 'big.txt')).toBe('');
    const { stats } = await owner.trpc.file.list.query({ workspaceId: ws.id });
    expect(stats.totalBytes).toBeLessThanOrEqual(maxWorkspaceBytes);
  });
});
