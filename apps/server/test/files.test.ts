import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readArchive, writeArchive } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import * as Y from 'yjs';
import { docSnapshotParts, docSnapshots, docUpdates } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  makeClient,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';
import { synced, textOf, until, yClient, type YClient } from './yjs-client.ts';

type Member = Awaited<ReturnType<typeof signedUpClient>>;

interface HttpResult {
  status: number;
  headers: Headers;
  body: { files?: number; bytes?: number; error?: { code: string; message: string } };
}

// ---- archives built by hand, for entries no honest writer produces ----

function tarHeader(name: string, size: number, type = '0', linkname = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.fill(0x20, 148, 156);
  header.write(type, 156);
  header.write(linkname, 157, 100);
  header.write('ustar\u000000', 257);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

function tarGz(entries: { name: string; content?: string; type?: string; linkname?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    parts.push(tarHeader(entry.name, content.length, entry.type, entry.linkname));
    parts.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** A zip whose entry name is `evil`, made by renaming a same-length entry of an honest zip in place. */
function zipNamed(evil: string): Buffer {
  const honest = 'z'.repeat(evil.length);
  const zip = Buffer.from(writeArchive([{ path: honest, content: 'payload' }], 'zip'));
  const from = Buffer.from(honest);
  for (let at = zip.indexOf(from); at !== -1; at = zip.indexOf(from, at + 1)) zip.write(evil, at);
  return zip;
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe.each(backends)('file operations on %s', (backend) => {
  let server: TestServer;
  let owner: Member;
  let editor: Member;
  let reviewer: Member;
  let outsider: Member;
  const clients: YClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend);
    [owner, editor, reviewer, outsider] = await Promise.all([
      signedUpClient(server.url, 'Owner'),
      signedUpClient(server.url, 'Editor'),
      signedUpClient(server.url, 'Reviewer'),
      signedUpClient(server.url, 'Outsider'),
    ]);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });

  /** A fresh workspace with the shared team as owner, editor and reviewer. */
  const workspace = async (name = 'Files') => {
    const ws = await owner.trpc.workspace.create.mutate({ name });
    for (const [member, role] of [
      [editor, 'editor'],
      [reviewer, 'reviewer'],
    ] as const) {
      const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role });
      await member.trpc.workspace.invite.accept.mutate({ token: invite.token });
    }
    return ws.id;
  };

  const live = async (workspaceId: string, member: Member = owner) => {
    const c = yClient(server.url, workspaceId, member.jar.header());
    clients.push(c);
    await synced(c);
    return c;
  };

  const pathsIn = (c: YClient) =>
    [...c.doc.getMap('files').keys(), ...c.doc.getMap('binaries').keys()].sort();

  const listed = async (workspaceId: string) =>
    (await owner.trpc.file.list.query({ workspaceId })).entries
      .filter((entry) => entry.kind === 'file')
      .map((entry) => entry.path);

  const http = async (
    member: Member | undefined,
    method: 'GET' | 'POST',
    path: string,
    body?: Uint8Array,
    headers: Record<string, string> = {},
  ): Promise<HttpResult & { bytes: Uint8Array }> => {
    const response = await fetch(`${server.url}/api${path}`, {
      method,
      headers: {
        ...(member ? { cookie: member.jar.header() } : {}),
        ...(body ? { 'content-type': 'application/octet-stream' } : {}),
        ...headers,
      },
      ...(body ? { body } : {}),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const json = response.headers.get('content-type')?.startsWith('application/json')
      ? (JSON.parse(new TextDecoder().decode(bytes)) as HttpResult['body'])
      : {};
    return { status: response.status, headers: response.headers, body: json, bytes };
  };

  const upload = (
    member: Member,
    workspaceId: string,
    body: Uint8Array,
    query = '',
    headers?: Record<string, string>,
  ) => http(member, 'POST', `/workspaces/${workspaceId}/upload${query}`, body, headers);

  const download = (member: Member | undefined, workspaceId: string, query = '') =>
    http(member, 'GET', `/workspaces/${workspaceId}/archive${query}`);

  it('makes every operation live for a connected client', async () => {
    const workspaceId = await workspace();
    const peer = await live(workspaceId);
    const { file } = editor.trpc;

    await file.create.mutate({ workspaceId, path: 'src/main.ts', content: 'const greeting = "hello";\n' });
    await until(() => textOf(peer, 'src/main.ts') === 'const greeting = "hello";\n');

    await file.create.mutate({ workspaceId, path: 'assets/logo.bin', base64: 'AAECAw==' });
    await until(() => peer.doc.getMap('binaries').get('assets/logo.bin') instanceof Uint8Array);
    expect([...(peer.doc.getMap('binaries').get('assets/logo.bin') as Uint8Array)]).toEqual([0, 1, 2, 3]);

    // The write is a minimal diff: a peer's anchor after the changed region keeps its place in the text.
    const text = peer.doc.getMap<Y.Text>('files').get('src/main.ts');
    if (!text) throw new Error('src/main.ts is missing on the peer');
    const anchor = Y.createRelativePositionFromTypeIndex(text, 'const greeting = "'.length);
    await file.write.mutate({
      workspaceId,
      path: 'src/main.ts',
      content: '// hi\nconst greeting = "hello";\n',
    });
    await until(() => textOf(peer, 'src/main.ts') === '// hi\nconst greeting = "hello";\n');
    expect(Y.createAbsolutePositionFromRelativePosition(anchor, peer.doc)?.index).toBe(
      '// hi\nconst greeting = "'.length,
    );

    const renamed = await file.rename.mutate({ workspaceId, from: 'src/main.ts', to: 'src/index.ts' });
    expect(renamed).toEqual({ kind: 'file', moves: [{ from: 'src/main.ts', to: 'src/index.ts' }] });
    await until(
      () => textOf(peer, 'src/index.ts').startsWith('// hi') && !pathsIn(peer).includes('src/main.ts'),
    );

    await file.rename.mutate({ workspaceId, from: 'src', to: 'lib' });
    await until(() => pathsIn(peer).join() === 'assets/logo.bin,lib/index.ts');

    const uploaded = await file.upload.mutate({
      workspaceId,
      folder: 'docs',
      files: [
        { path: 'a.md', text: '# A' },
        { path: 'deep/b.bin', base64: Buffer.from([0xff, 0, 0xfe]).toString('base64') },
      ],
    });
    expect(uploaded).toMatchObject({ files: 2, bytes: 6, created: ['docs/a.md', 'docs/deep/b.bin'] });
    await until(() => textOf(peer, 'docs/a.md') === '# A' && pathsIn(peer).includes('docs/deep/b.bin'));

    expect(await file.delete.mutate({ workspaceId, path: 'lib/index.ts' })).toEqual({
      kind: 'file',
      deleted: ['lib/index.ts'],
    });
    await until(() => !pathsIn(peer).includes('lib/index.ts'));
    expect(await file.delete.mutate({ workspaceId, path: 'docs' })).toEqual({
      kind: 'folder',
      deleted: ['docs/a.md', 'docs/deep/b.bin'],
    });
    await until(() => pathsIn(peer).join() === 'assets/logo.bin');

    const archive = writeArchive([{ path: 'up/x.ts', content: 'export const x = 1;\n' }], 'zip');
    const result = await upload(editor, workspaceId, archive);
    expect(result).toMatchObject({ status: 200, body: { files: 1, bytes: 20 } });
    await until(() => textOf(peer, 'up/x.ts') === 'export const x = 1;\n');
  });

  it('renames, moves and deletes a binary file, bytes intact and live for a peer', async () => {
    const workspaceId = await workspace();
    const peer = await live(workspaceId);
    const { file } = editor.trpc;
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff]);
    await file.create.mutate({ workspaceId, path: 'media/logo.png', base64: bytes.toString('base64') });
    await until(() => pathsIn(peer).join() === 'media/logo.png');

    expect(await file.rename.mutate({ workspaceId, from: 'media/logo.png', to: 'media/icon.png' })).toEqual({
      kind: 'file',
      moves: [{ from: 'media/logo.png', to: 'media/icon.png' }],
    });
    await file.rename.mutate({ workspaceId, from: 'media/icon.png', to: 'icon.png' });
    await until(() => pathsIn(peer).join() === 'icon.png');
    expect(await file.read.query({ workspaceId, path: 'icon.png' })).toMatchObject({
      binary: true,
      size: 8,
      base64: bytes.toString('base64'),
    });
    expect(peer.doc.getMap('meta').get('icon.png')).toMatchObject({ binary: true });

    expect(await file.delete.mutate({ workspaceId, path: 'icon.png' })).toEqual({
      kind: 'file',
      deleted: ['icon.png'],
    });
    await until(() => pathsIn(peer).length === 0 && peer.doc.getMap('meta').size === 0);
    await expectError(file.read.query({ workspaceId, path: 'icon.png' }), 'NOT_FOUND');
  });

  it('lists the tree with sizes and languages and reads text and binary files', async () => {
    const workspaceId = await workspace();
    await editor.trpc.file.upload.mutate({
      workspaceId,
      files: [
        { path: 'src/app.ts', text: 'export {};\n' },
        { path: 'README.md', text: 'héllo' },
        { path: 'img/dot.png', base64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1]).toString('base64') },
      ],
    });
    const { entries, stats } = await reviewer.trpc.file.list.query({ workspaceId });
    expect(entries).toEqual([
      { kind: 'file', path: 'README.md', size: 6, binary: false, language: 'markdown' },
      { kind: 'folder', path: 'img' },
      { kind: 'file', path: 'img/dot.png', size: 6, binary: true, language: expect.any(String) as string },
      { kind: 'folder', path: 'src' },
      { kind: 'file', path: 'src/app.ts', size: 11, binary: false, language: 'typescript' },
    ]);
    expect(stats).toEqual({ fileCount: 3, binaryFileCount: 1, folderCount: 2, totalBytes: 23 });

    expect(await reviewer.trpc.file.read.query({ workspaceId, path: './src//app.ts' })).toMatchObject({
      path: 'src/app.ts',
      binary: false,
      content: 'export {};\n',
    });
    const binary = await reviewer.trpc.file.read.query({ workspaceId, path: 'img/dot.png' });
    expect(binary).toMatchObject({ binary: true, base64: 'iVBORwAB', size: 6 });
    expect(binary).not.toHaveProperty('content');
    await expectError(reviewer.trpc.file.read.query({ workspaceId, path: 'nope.ts' }), 'NOT_FOUND');
    await expectError(
      editor.trpc.file.write.mutate({ workspaceId, path: 'img/dot.png', content: 'text' }),
      'BINARY_FILE',
    );
  });

  it('lets a reviewer read and download but refuses every write', async () => {
    const workspaceId = await workspace();
    await editor.trpc.file.create.mutate({ workspaceId, path: 'a.ts', content: 'a' });
    const { file } = reviewer.trpc;
    await expectError(file.create.mutate({ workspaceId, path: 'b.ts' }), 'FORBIDDEN');
    await expectError(file.write.mutate({ workspaceId, path: 'a.ts', content: 'x' }), 'FORBIDDEN');
    await expectError(file.rename.mutate({ workspaceId, from: 'a.ts', to: 'b.ts' }), 'FORBIDDEN');
    await expectError(file.delete.mutate({ workspaceId, path: 'a.ts' }), 'FORBIDDEN');
    await expectError(file.upload.mutate({ workspaceId, files: [{ path: 'c.ts', text: 'c' }] }), 'FORBIDDEN');
    const refused = await upload(
      reviewer,
      workspaceId,
      writeArchive([{ path: 'd.ts', content: 'd' }], 'zip'),
    );
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });

    expect(await file.read.query({ workspaceId, path: 'a.ts' })).toMatchObject({ content: 'a' });
    expect((await download(reviewer, workspaceId)).status).toBe(200);
    expect(await listed(workspaceId)).toEqual(['a.ts']);
  });

  it('hides workspaces from non-members and needs a signed-in user', async () => {
    const workspaceId = await workspace();
    await editor.trpc.file.create.mutate({ workspaceId, path: 'secret.ts', content: 'shh' });
    const { file } = outsider.trpc;
    await expectError(file.list.query({ workspaceId }), 'NOT_FOUND');
    await expectError(file.read.query({ workspaceId, path: 'secret.ts' }), 'NOT_FOUND');
    await expectError(file.write.mutate({ workspaceId, path: 'secret.ts', content: 'x' }), 'NOT_FOUND');
    await expectError(file.delete.mutate({ workspaceId, path: 'secret.ts' }), 'NOT_FOUND');
    expect(await download(outsider, workspaceId)).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect((await download(outsider, 'not-a-workspace-id')).status).toBe(404);
    const zip = writeArchive([{ path: 'x.ts', content: 'x' }], 'zip');
    expect(await upload(outsider, workspaceId, zip)).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });

    await expectError(makeClient(server.url).trpc.file.list.query({ workspaceId }), 'UNAUTHENTICATED');
    expect(await download(undefined, workspaceId)).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(await listed(workspaceId)).toEqual(['secret.ts']);
  });

  it('refuses invalid paths with INVALID_PATH and changes nothing', async () => {
    const workspaceId = await workspace();
    await editor.trpc.file.create.mutate({ workspaceId, path: 'keep.ts', content: 'k' });
    const { file } = editor.trpc;
    for (const path of ['../x', 'a/../../x', '/abs', 'C:\\win', 'a\0b', 'a/./..', '']) {
      await expectError(file.create.mutate({ workspaceId, path, content: 'x' }), 'INVALID_PATH');
    }
    await expectError(file.read.query({ workspaceId, path: '../keep.ts' }), 'INVALID_PATH');
    await expectError(file.write.mutate({ workspaceId, path: '/keep.ts', content: 'x' }), 'INVALID_PATH');
    await expectError(file.rename.mutate({ workspaceId, from: 'keep.ts', to: '../keep.ts' }), 'INVALID_PATH');
    await expectError(file.delete.mutate({ workspaceId, path: '..' }), 'INVALID_PATH');
    // An absolute entry is refused, not quietly re-rooted inside the folder.
    await expectError(
      file.upload.mutate({
        workspaceId,
        folder: 'sub',
        files: [
          { path: 'ok.ts', text: 'fine' },
          { path: '/etc/passwd', text: 'root' },
        ],
      }),
      'INVALID_PATH',
    );
    await expectError(
      file.upload.mutate({ workspaceId, folder: '../up', files: [{ path: 'ok.ts', text: 'fine' }] }),
      'INVALID_PATH',
    );
    const zip = writeArchive([{ path: 'ok.ts', content: 'fine' }], 'zip');
    expect(await upload(editor, workspaceId, zip, '?folder=..%2Fup')).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_PATH' } },
    });
    expect(await listed(workspaceId)).toEqual(['keep.ts']);
  });

  it('refuses duplicate and case-colliding paths with PATH_EXISTS, all or nothing', async () => {
    const workspaceId = await workspace();
    const { file } = editor.trpc;
    await file.create.mutate({ workspaceId, path: 'src/App.ts', content: 'app' });
    await file.create.mutate({ workspaceId, path: 'README.md', content: 'readme' });
    await expectError(file.create.mutate({ workspaceId, path: 'src/App.ts' }), 'PATH_EXISTS');
    await expectError(file.create.mutate({ workspaceId, path: 'src/app.ts' }), 'PATH_EXISTS');
    await expectError(file.create.mutate({ workspaceId, path: 'SRC/new.ts' }), 'PATH_EXISTS');
    await expectError(file.create.mutate({ workspaceId, path: 'README.md/x' }), 'PATH_EXISTS');
    await expectError(
      file.rename.mutate({ workspaceId, from: 'src/App.ts', to: 'readme.MD' }),
      'PATH_EXISTS',
    );
    await expectError(file.rename.mutate({ workspaceId, from: 'src', to: 'README.md' }), 'PATH_EXISTS');
    await expectError(
      file.upload.mutate({
        workspaceId,
        files: [
          { path: 'new/one.ts', text: '1' },
          { path: 'new/One.ts', text: '2' },
        ],
      }),
      'PATH_EXISTS',
    );
    await expectError(
      file.upload.mutate({
        workspaceId,
        files: [
          { path: 'fresh.ts', text: 'fresh' },
          { path: 'README.md', text: 'replaced' },
        ],
      }),
      'PATH_EXISTS',
    );
    const clash = writeArchive([{ path: 'readme.md', content: 'x' }], 'zip');
    expect(await upload(editor, workspaceId, clash)).toMatchObject({
      status: 409,
      body: { error: { code: 'PATH_EXISTS' } },
    });
    expect(await listed(workspaceId)).toEqual(['README.md', 'src/App.ts']);

    // With overwrite, the same path (exact spelling) is replaced; everything lands together.
    const replaced = await file.upload.mutate({
      workspaceId,
      overwrite: true,
      files: [
        { path: 'fresh.ts', text: 'fresh' },
        { path: 'README.md', text: 'replaced' },
      ],
    });
    expect(replaced).toMatchObject({ created: ['fresh.ts'], updated: ['README.md'] });
    expect(await file.read.query({ workspaceId, path: 'README.md' })).toMatchObject({ content: 'replaced' });
  });

  it('uploads zip and tar.gz archives into a folder, optionally without their root folder', async () => {
    const workspaceId = await workspace();
    const peer = await live(workspaceId, editor);
    const files = [
      { path: 'project-main/src/index.ts', content: 'export const answer = 42;\n' },
      { path: 'project-main/package.json', content: '{"name":"p"}' },
      { path: 'project-main/bin/blob', content: new Uint8Array([0, 159, 146, 150]) },
    ];
    const zip = await upload(editor, workspaceId, writeArchive(files, 'zip'), '?folder=vendor', {
      'content-type': 'application/zip',
    });
    expect(zip).toMatchObject({ status: 200, body: { files: 3, bytes: 42 } });
    const tar = await upload(editor, workspaceId, writeArchive(files, 'tar.gz'), '?stripRoot=true', {
      'content-type': 'application/gzip',
    });
    expect(tar).toMatchObject({ status: 200, body: { files: 3, bytes: 42 } });
    expect(await listed(workspaceId)).toEqual([
      'bin/blob',
      'package.json',
      'src/index.ts',
      'vendor/project-main/bin/blob',
      'vendor/project-main/package.json',
      'vendor/project-main/src/index.ts',
    ]);
    await until(() => pathsIn(peer).length === 6 && textOf(peer, 'src/index.ts').includes('42'));

    // Uploading the same archive again needs overwrite; with it the files are updated in place.
    const again = writeArchive(files, 'tar.gz');
    expect((await upload(editor, workspaceId, again, '?stripRoot')).status).toBe(409);
    expect(await upload(editor, workspaceId, again, '?stripRoot&overwrite=true')).toMatchObject({
      status: 200,
      body: { files: 3 },
    });

    const notArchive = await upload(editor, workspaceId, bytesOf('just some text, not an archive'));
    expect(notArchive).toMatchObject({ status: 400, body: { error: { code: 'ARCHIVE_REJECTED' } } });
    const wrongType = await upload(editor, workspaceId, bytesOf('{}'), '', { 'content-type': 'text/plain' });
    expect(wrongType).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    const badFlag = await upload(editor, workspaceId, writeArchive(files, 'zip'), '?overwrite=maybe');
    expect(badFlag).toMatchObject({ status: 400, body: { error: { code: 'BAD_INPUT' } } });
    expect(await listed(workspaceId)).toHaveLength(6);
  });

  it('imports an upload into a workspace nobody has open without loading it here, by the same rules', async () => {
    const workspaceId = await workspace();
    await owner.trpc.file.create.mutate({ workspaceId, path: 'vendor/src/index.ts', content: 'old' });
    // With other instances sharing the storage the upload goes through the live document, as before.
    const onWorker = !server.config.redisUrl;
    const transact = vi.spyOn(server.app.deps.rooms, 'transact');
    try {
      const files = [
        { path: 'project-main/src/index.ts', content: 'export const answer = 42;\n' },
        { path: 'project-main/bin/blob', content: new Uint8Array([0, 159, 146, 150]) },
      ];
      const archive = writeArchive(files, 'tar.gz');
      const refused = await upload(editor, workspaceId, archive, '?stripRoot&folder=vendor');
      expect(refused).toMatchObject({ status: 409, body: { error: { code: 'PATH_EXISTS' } } });
      expect(
        await upload(editor, workspaceId, archive, '?stripRoot&folder=vendor&overwrite=true'),
      ).toMatchObject({ status: 200, body: { files: 2, bytes: 30 } });
      const intoWorkspace = transact.mock.calls.filter(([docName]) => docName === workspaceId);
      expect(intoWorkspace.length > 0).toBe(!onWorker);
    } finally {
      transact.mockRestore();
    }
    expect(await listed(workspaceId)).toEqual(['vendor/bin/blob', 'vendor/src/index.ts']);
    const peer = await live(workspaceId, reviewer);
    expect(textOf(peer, 'vendor/src/index.ts')).toBe('export const answer = 42;\n');
    const downloaded = readArchive((await download(reviewer, workspaceId)).bytes);
    expect(downloaded.find((entry) => entry.path === 'vendor/bin/blob')?.content).toEqual(
      new Uint8Array([0, 159, 146, 150]),
    );
  });

  it('stores an upload into an empty workspace nobody has open as its snapshot, leaving nothing to compact', async () => {
    const workspaceId = await workspace();
    // With other instances sharing the storage the upload goes through the live document, as updates.
    const onWorker = !server.config.redisUrl;
    const files = Array.from({ length: 3 }, (_, i) => ({
      path: `src/f${i}.ts`,
      content: `export const f${i} = ${i};\n`,
    }));
    expect(await upload(editor, workspaceId, writeArchive(files, 'zip'))).toMatchObject({
      status: 200,
      body: { files: 3 },
    });
    await server.app.deps.rooms.whenIdle();
    const { db } = server.app.deps;
    const updates = await db.$count(docUpdates, eq(docUpdates.workspaceId, workspaceId));
    const snapshots = await db.$count(docSnapshots, eq(docSnapshots.workspaceId, workspaceId));
    expect({ updates: updates > 0, snapshots }).toEqual(
      onWorker ? { updates: false, snapshots: 1 } : { updates: true, snapshots: 0 },
    );
    expect(await listed(workspaceId)).toEqual(['src/f0.ts', 'src/f1.ts', 'src/f2.ts']);
    const peer = await live(workspaceId, reviewer);
    expect(textOf(peer, 'src/f2.ts')).toBe('export const f2 = 2;\n');
  });

  it('puts an upload into the live document when the workspace is opened while the worker imports it', async () => {
    const workspaceId = await workspace();
    const { archives, db } = server.app.deps;
    const importStored = archives.importStored.bind(archives);
    let peer: Awaited<ReturnType<typeof live>> | undefined;
    // The workspace opens once the worker has built (and on PGlite staged) the import, before it is stored.
    const spy = vi.spyOn(archives, 'importStored').mockImplementation(async (...args) => {
      const imported = await importStored(...args);
      peer = await live(workspaceId, reviewer);
      return imported;
    });
    try {
      const files = [{ path: 'src/late.ts', content: 'export const late = true;\n' }];
      expect(await upload(editor, workspaceId, writeArchive(files, 'zip'))).toMatchObject({
        status: 200,
        body: { files: 1 },
      });
      // Redis-shared storage takes the live path from the start.
      if (!server.config.redisUrl) expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    const opened = peer ?? (await live(workspaceId, reviewer));
    await until(() => textOf(opened, 'src/late.ts') === 'export const late = true;\n');
    // Nothing the worker staged is left behind, and nothing was stored as a snapshot.
    expect(await db.$count(docSnapshotParts, eq(docSnapshotParts.workspaceId, workspaceId))).toBe(0);
    expect(await db.$count(docSnapshots, eq(docSnapshots.workspaceId, workspaceId))).toBe(0);
  });

  it("packs an open workspace's download into a file of its own, removed once it is sent", async () => {
    const workspaceId = await workspace();
    const peer = await live(workspaceId, editor);
    await editor.trpc.file.create.mutate({ workspaceId, path: 'open.ts', content: 'open' });
    await until(() => textOf(peer, 'open.ts') === 'open');
    const pack = vi.spyOn(server.app.deps.archives, 'pack');
    try {
      const { bytes } = await download(reviewer, workspaceId);
      expect(readArchive(bytes).map((entry) => entry.path)).toEqual(['open.ts']);
      expect(pack).toHaveBeenCalledTimes(1);
      const packedTo = String(pack.mock.calls[0]?.[2]);
      await vi.waitFor(() => expect(existsSync(path.dirname(packedTo))).toBe(false));
    } finally {
      pack.mockRestore();
    }
  });

  it('shares one export among overlapping downloads of a workspace nobody has open, until it changes', async () => {
    const workspaceId = await workspace();
    await owner.trpc.file.create.mutate({ workspaceId, path: 'a.ts', content: 'a' });
    const { archives, limits } = server.app.deps;
    const pack = archives.exportStored.bind(archives);
    // The first export waits until all three requests are past their checks, so they certainly overlap.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const exportStored = vi
      .spyOn(archives, 'exportStored')
      .mockImplementation(async (...args) => gate.then(() => pack(...args)));
    const consume = vi.spyOn(limits, 'consume');
    try {
      const downloads = Promise.all([
        download(reviewer, workspaceId),
        download(reviewer, workspaceId),
        download(owner, workspaceId),
      ]);
      await vi.waitFor(() =>
        expect(consume.mock.calls.filter(([name]) => name === 'downloadsPerUser')).toHaveLength(3),
      );
      // Each request asks for its archive as soon as its rate limit answers.
      await Promise.all(consume.mock.results.map((result) => result.value as Promise<void>));
      await new Promise((resolve) => setImmediate(resolve));
      await vi.waitFor(() => expect(exportStored).toHaveBeenCalled());
      open();
      const [first, second, third] = await downloads;
      expect(exportStored).toHaveBeenCalledTimes(1);
      expect(second.bytes).toEqual(first.bytes);
      expect(third.bytes).toEqual(first.bytes);
      // The archive was packed into a file for the three, which goes once the last of them is sent.
      const packedTo = String(exportStored.mock.calls[0]?.[2]);
      expect(readArchive(first.bytes).map((entry) => entry.path)).toEqual(['a.ts']);
      await vi.waitFor(() => expect(existsSync(path.dirname(packedTo))).toBe(false));
      // A download after a change is a new export that has it.
      await owner.trpc.file.create.mutate({ workspaceId, path: 'b.ts', content: 'b' });
      const later = readArchive((await download(reviewer, workspaceId)).bytes);
      expect(later.map((entry) => entry.path)).toEqual(['a.ts', 'b.ts']);
      expect(exportStored).toHaveBeenCalledTimes(2);
    } finally {
      open();
      exportStored.mockRestore();
      consume.mockRestore();
    }
  });

  it('rejects hostile archives with ARCHIVE_REJECTED and writes nothing', async () => {
    const workspaceId = await workspace();
    const peer = await live(workspaceId, editor);
    await editor.trpc.file.create.mutate({ workspaceId, path: 'keep.ts', content: 'keep' });
    await until(() => textOf(peer, 'keep.ts') === 'keep');

    const zeros = new Uint8Array(2 * 1024 * 1024);
    const bombFiles = Array.from({ length: 9 }, (_, i) => ({ path: `zeros/${i}.bin`, content: zeros }));
    const hostile: [string, Uint8Array, RegExp][] = [
      ['zip with ../', zipNamed('../evil.txt'), /unsafe path/],
      ['zip with an absolute path', zipNamed('/etc/passwd'), /unsafe path/],
      [
        'tar with ../ after a good entry',
        tarGz([
          { name: 'good.txt', content: 'good' },
          { name: '../evil.txt', content: 'evil' },
        ]),
        /unsafe path/,
      ],
      ['tar with an absolute path', tarGz([{ name: '/etc/cron.d/x', content: 'x' }]), /unsafe path/],
      [
        'tar with a symlink',
        tarGz([
          { name: 'ok.txt', content: 'ok' },
          { name: 'link', type: '2', linkname: '/etc/passwd' },
        ]),
        /symbolic link/,
      ],
      [
        'tar with a duplicate name',
        tarGz([
          { name: 'a.txt', content: '1' },
          { name: 'a.txt', content: '2' },
        ]),
        /more than once/,
      ],
      [
        'tar with names differing in case',
        tarGz([
          { name: 'Read.me', content: '1' },
          { name: 'read.ME', content: '2' },
        ]),
        /letter case/,
      ],
      ['tar.gz bomb of zeros', writeArchive(bombFiles, 'tar.gz'), /decompression bomb/],
      ['zip bomb of zeros', writeArchive(bombFiles, 'zip'), /decompression bomb/],
    ];
    for (const [what, archive, reason] of hostile) {
      const result = await upload(editor, workspaceId, archive);
      expect(result.status, what).toBe(400);
      expect(result.body.error?.code, what).toBe('ARCHIVE_REJECTED');
      expect(result.body.error?.message, what).toMatch(reason);
    }
    expect(await listed(workspaceId)).toEqual(['keep.ts']);
    expect(pathsIn(peer)).toEqual(['keep.ts']);
  });

  it('downloads the workspace as zip or tar.gz that round-trips', async () => {
    const workspaceId = await workspace('Ünïcode "quoted"/name');
    const files = [
      { path: 'src/index.ts', content: 'export const a = 1;\n' },
      { path: 'docs/naïve café.md', content: '# ☕\n' },
      { path: 'bin/data.bin', content: new Uint8Array([0, 1, 2, 250, 251, 252]) },
    ];
    await upload(editor, workspaceId, writeArchive(files, 'zip'));
    const expected = new Map(
      files.map((f) => [f.path, typeof f.content === 'string' ? [...bytesOf(f.content)] : [...f.content]]),
    );

    // Nobody has the workspace open: it is read from storage on a worker thread, never loaded on the event loop.
    const rooms = server.app.deps.rooms;
    await until(() => rooms.getDoc(workspaceId) === undefined);
    const loads = async () => (await server.app.deps.metrics.yjsRoomLoadSeconds.get()).values;
    const loadsBefore = await loads();
    for (const [query, format, type] of [
      ['', 'zip', 'application/zip'],
      ['?format=tar.gz', 'tar.gz', 'application/gzip'],
    ] as const) {
      const result = await download(reviewer, workspaceId, query);
      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toBe(type);
      expect(result.headers.get('content-disposition')).toBe(
        `attachment; filename="Unicode-quoted-name.${format}"; ` +
          `filename*=UTF-8''${encodeURIComponent(`Ünïcode -quoted-name.${format}`)}`,
      );
      const entries = readArchive(result.bytes);
      expect(new Map(entries.map((e) => [e.path, [...e.content]]))).toEqual(expected);
    }
    expect((await download(reviewer, workspaceId, '?format=rar')).body.error?.code).toBe('BAD_INPUT');
    expect(await loads()).toEqual(loadsBefore);

    // A path the rules refuse never gets into the document (the sync room closes the peer with 4422); paths that
    // collide, which concurrent peers can produce between them, are left out of the archive, not fatal.
    const peer = await live(workspaceId, editor);
    peer.doc.getMap<Y.Text>('files').set('../escape.ts', new Y.Text('evil'));
    await until(() => peer.closed.some((c) => c.code === 4422));
    const other = await live(workspaceId, editor);
    other.doc.getMap<Y.Text>('files').set('src/index.ts/shadow.ts', new Y.Text('a file inside a file'));
    await until(
      () => server.app.deps.rooms.getDoc(workspaceId)?.getMap('files').has('src/index.ts/shadow.ts') === true,
    );
    expect(server.app.deps.rooms.getDoc(workspaceId)?.getMap('files').has('../escape.ts')).toBe(false);
    const partial = await download(reviewer, workspaceId);
    expect(partial.status).toBe(200);
    expect(partial.headers.get('x-tandem-skipped-files')).toBe('1');
    expect(new Map(readArchive(partial.bytes).map((e) => [e.path, [...e.content]]))).toEqual(expected);

    // Read from storage once nobody has it open, the same names are left out.
    peer.destroy();
    other.destroy();
    await until(() => rooms.getDoc(workspaceId) === undefined);
    const stored = await download(reviewer, workspaceId);
    expect(stored.headers.get('x-tandem-skipped-files')).toBe('1');
    expect(new Map(readArchive(stored.bytes).map((e) => [e.path, [...e.content]]))).toEqual(expected);
  });

  it('refuses cross-origin uploads and oversized bodies', async () => {
    const workspaceId = await workspace();
    const zip = writeArchive([{ path: 'x.ts', content: 'x' }], 'zip');
    expect(await upload(editor, workspaceId, zip, '', { origin: 'https://evil.example' })).toMatchObject({
      status: 403,
      body: { error: { code: 'CSRF_REJECTED' } },
    });
    expect(await upload(editor, workspaceId, zip, '', { 'sec-fetch-site': 'cross-site' })).toMatchObject({
      status: 403,
      body: { error: { code: 'CSRF_REJECTED' } },
    });
    const sameOrigin = await upload(editor, workspaceId, zip, '', { origin: server.url });
    expect(sameOrigin.status).toBe(200);

    const tooBig = await upload(editor, workspaceId, new Uint8Array(50 * 1024 * 1024 + 1));
    expect(tooBig).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    await expectError(
      editor.trpc.file.upload.mutate({
        workspaceId,
        files: [{ path: 'big.txt', text: 'x'.repeat(1024 * 1024) }],
      }),
      'PAYLOAD_TOO_LARGE',
    );
    expect(await listed(workspaceId)).toEqual(['x.ts']);
  });
});
