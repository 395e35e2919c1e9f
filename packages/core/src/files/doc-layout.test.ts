import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryDocStorage } from '../sync/memory-storage.ts';
import { RoomManager } from '../sync/room-manager.ts';
import { defaultSyncLimits } from '../sync/types.ts';
import { PendingStructs, deletesSomethingNew, inspectClientUpdate } from '../sync/update-check.ts';
import { workspaceDocLayout } from './doc-layout.ts';
import { createFile } from './model.ts';
import { listTree, workspaceStats } from './queries.ts';
import { defaultWorkspaceLimits } from './limits.ts';

/** The update a client makes on top of a copy of `server`. */
function clientUpdate(server: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  const before = Y.encodeStateVector(client);
  edit(client);
  return Y.encodeStateAsUpdate(client, before);
}

function inspect(server: Y.Doc, update: Uint8Array, pending = new PendingStructs()) {
  return inspectClientUpdate(server, Y.decodeUpdate(update), pending, workspaceDocLayout);
}

function workspace(): Y.Doc {
  const doc = new Y.Doc();
  createFile(doc, 'src/main.ts', 'export const a = 1;\n');
  createFile(doc, 'logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]));
  return doc;
}

describe('workspace document layout', () => {
  it('accepts what the file model itself writes, and typing', () => {
    const server = workspace();
    const created = clientUpdate(server, (doc) => {
      createFile(doc, 'docs/read me.md', '# Hello');
      createFile(doc, 'data.bin', new Uint8Array([0, 1, 2]));
    });
    expect(inspect(server, created).finding).toBeNull();
    const typed = clientUpdate(server, (doc) => {
      const text = doc.getMap('files').get('src/main.ts') as Y.Text;
      text.insert(3, 'x');
      text.insert(text.length, '// ünïcode\n');
      text.delete(0, 2);
    });
    const inspection = inspect(server, typed);
    expect(inspection.finding).toBeNull();
    expect(inspection.addsItems).toBe(true);
    expect(inspection.contentBytes).toBe(1 + new TextEncoder().encode('// ünïcode\n').byteLength);
  });

  it.each([
    ['../../etc/passwd'],
    ['a\0b'],
    [''],
    ['/abs.txt'],
    ['C:/x.txt'],
    ['invoice\u202Etxt.exe'],
    ['a//b.ts'],
    ['./a.ts'],
    ['x/'],
    ['zero\u200Bwidth.ts'],
  ])('refuses the path %j in every file map', (path) => {
    const server = workspace();
    for (const set of [
      (doc: Y.Doc) => doc.getMap('files').set(path, new Y.Text('x')),
      (doc: Y.Doc) => doc.getMap('binaries').set(path, new Uint8Array([1])),
      (doc: Y.Doc) => doc.getMap('meta').set(path, { binary: false, language: 'plaintext' }),
    ]) {
      expect(inspect(server, clientUpdate(server, set)).finding?.kind).toBe('invalid');
    }
  });

  it.each([
    ['a map as a text file', (doc: Y.Doc) => doc.getMap('files').set('a.ts', new Y.Map())],
    ['a string as a text file', (doc: Y.Doc) => doc.getMap('files').set('a.ts', 'text')],
    ['an XML text as a text file', (doc: Y.Doc) => doc.getMap('files').set('a.ts', new Y.XmlText('x'))],
    ['text as a binary file', (doc: Y.Doc) => doc.getMap('binaries').set('a.bin', new Y.Text('x'))],
    ['metadata of the wrong shape', (doc: Y.Doc) => doc.getMap('meta').set('a.ts', { binary: 1 })],
    ['metadata as a list', (doc: Y.Doc) => doc.getMap('meta').set('a.ts', [1, 2])],
    [
      'an overlong language',
      (doc: Y.Doc) => doc.getMap('meta').set('a.ts', { binary: false, language: 'x'.repeat(1000) }),
    ],
    ['an unknown root', (doc: Y.Doc) => doc.getMap('other').set('a.ts', 1)],
    ['a list in a file map', (doc: Y.Doc) => doc.getArray('files').insert(0, [1])],
    [
      'formatting in a text file',
      (doc: Y.Doc) => (doc.getMap('files').get('src/main.ts') as Y.Text).format(0, 3, { bold: true }),
    ],
    [
      'an embed in a text file',
      (doc: Y.Doc) => (doc.getMap('files').get('src/main.ts') as Y.Text).insertEmbed(0, { image: 'x' }),
    ],
    [
      'a nested type in a text file',
      (doc: Y.Doc) => (doc.getMap('files').get('src/main.ts') as Y.Text).insertEmbed(0, new Y.Map()),
    ],
    [
      'overwriting a text file with a map (the update names only the old entry)',
      (doc: Y.Doc) => doc.getMap('files').set('src/main.ts', new Y.Map()),
    ],
  ])('refuses %s', (_what, edit) => {
    const server = workspace();
    expect(inspect(server, clientUpdate(server, edit)).finding?.kind).toBe('invalid');
  });

  it('resolves items that build on an accepted update that is not applied yet', () => {
    const server = workspace();
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
    const updates: Uint8Array[] = [];
    client.on('update', (update: Uint8Array) => updates.push(update));
    const text = client.getMap('files').get('src/main.ts') as Y.Text;
    text.insert(0, 'a');
    text.insert(1, 'b');
    client.getMap('files').set('src/main.ts', new Y.Map());
    const pending = new PendingStructs();
    const [first, second, third] = updates.map((update) => Y.decodeUpdate(update));
    if (!first || !second || !third) throw new Error('expected three updates');
    const accepted = inspectClientUpdate(server, first, pending, workspaceDocLayout);
    expect(accepted.finding).toBeNull();
    for (const { client: id, entry } of accepted.entries) pending.add(id, entry);
    expect(inspectClientUpdate(server, second, pending, workspaceDocLayout).finding).toBeNull();
    // Without the first update, the second builds on nothing the server has.
    expect(inspectClientUpdate(server, second, new PendingStructs(), workspaceDocLayout).finding?.kind).toBe(
      'missing',
    );
    expect(inspectClientUpdate(server, third, pending, workspaceDocLayout).finding?.kind).toBe('invalid');
  });

  it('tells an echo of known deletions from a new deletion', () => {
    const server = workspace();
    (server.getMap('files').get('src/main.ts') as Y.Text).delete(0, 6);
    const reviewer = new Y.Doc();
    Y.applyUpdate(reviewer, Y.encodeStateAsUpdate(server));
    const echo = Y.decodeUpdate(Y.encodeStateAsUpdate(reviewer, Y.encodeStateVector(server)));
    expect(echo.ds.clients.size).toBeGreaterThan(0);
    expect(inspectClientUpdate(server, echo, new PendingStructs(), workspaceDocLayout).addsItems).toBe(false);
    expect(deletesSomethingNew(server, echo)).toBe(false);
    (reviewer.getMap('files').get('src/main.ts') as Y.Text).delete(0, 1);
    const deletion = Y.decodeUpdate(Y.encodeStateAsUpdate(reviewer, Y.encodeStateVector(server)));
    expect(deletesSomethingNew(server, deletion)).toBe(true);
  });

  it('measures content as the file API does, against the same limit', () => {
    const doc = workspace();
    expect(workspaceDocLayout.contentBytes(doc)).toBe(workspaceStats(doc).totalBytes);
    expect(workspaceDocLayout.contentBytes(doc)).toBe('export const a = 1;\n'.length + 6);
    expect(defaultSyncLimits.maxWorkspaceBytes).toBe(defaultWorkspaceLimits.maxWorkspaceBytes);
  });

  it('removes what a stored document took in before updates were checked, when it loads', async () => {
    const storage = new MemoryDocStorage();
    const old = workspace();
    old.getMap('files').set('../../etc/passwd', new Y.Text('root'));
    old.getMap('files').set('a\u202Eb.ts', new Y.Text('x'));
    old.getMap('files').set('map.ts', new Y.Map());
    old.getMap('binaries').set('/abs.bin', new Uint8Array([1]));
    old.getMap('meta').set('src/main.ts', { binary: false, language: 'x'.repeat(500) });
    await storage.append('ws1', [Y.encodeStateAsUpdate(old)]);

    const manager = new RoomManager({ storage, layout: workspaceDocLayout });
    const paths = await manager.transact('ws1', (doc) => listTree(doc).map((entry) => entry.path));
    expect(paths).toEqual(['logo.png', 'src', 'src/main.ts']);
    await manager.close();
    const stored = await storage.load('ws1');
    const reloaded = new Y.Doc();
    for (const part of stored.updates) Y.applyUpdate(reloaded, part);
    expect([...reloaded.getMap('files').keys()]).toEqual(['src/main.ts']);
    expect([...reloaded.getMap('binaries').keys()]).toEqual(['logo.png']);
    expect([...reloaded.getMap('meta').keys()].sort()).toEqual(['logo.png']);
  });
});
