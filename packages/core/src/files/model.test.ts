import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError, type ErrorCode } from '../errors.ts';
import { createFile, deleteFile, deleteFolder, renameFile, renameFolder, writeFile } from './model.ts';
import { fileExists, readFile, readTextFile } from './queries.ts';
import { binariesMap, filesMap, metaMap } from './workspace-doc.ts';

function codeOf(run: () => unknown): ErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return undefined;
}

function docWith(files: Record<string, string | Uint8Array>): Y.Doc {
  const doc = new Y.Doc();
  for (const [path, content] of Object.entries(files)) createFile(doc, path, content);
  return doc;
}

function sync(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

describe('createFile', () => {
  it('stores text as Y.Text with meta, in the fixed layout', () => {
    const doc = new Y.Doc();
    const info = createFile(doc, './src//index.ts', 'export {};\n');
    expect(info).toEqual({ path: 'src/index.ts', size: 11, binary: false, language: 'typescript' });
    const text = filesMap(doc).get('src/index.ts');
    expect(text).toBeInstanceOf(Y.Text);
    expect((text as Y.Text).toJSON()).toBe('export {};\n');
    expect(metaMap(doc).get('src/index.ts')).toEqual({ binary: false, language: 'typescript' });
    expect(binariesMap(doc).has('src/index.ts')).toBe(false);
  });

  it('stores non-text bytes as a binary with no files entry', () => {
    const doc = new Y.Doc();
    const info = createFile(doc, 'logo.png', png);
    expect(info.binary).toBe(true);
    expect(filesMap(doc).has('logo.png')).toBe(false);
    expect(binariesMap(doc).get('logo.png')).toEqual(png);
    expect(metaMap(doc).get('logo.png')).toEqual({ binary: true, language: 'plaintext' });
  });

  it('treats valid UTF-8 bytes as text and copies caller buffers', () => {
    const doc = new Y.Doc();
    const bytes = new TextEncoder().encode('héllo');
    expect(createFile(doc, 'a.txt', bytes)).toMatchObject({ binary: false, size: 6 });
    const buffer = png.slice();
    createFile(doc, 'b.bin', buffer);
    buffer[0] = 0;
    expect((binariesMap(doc).get('b.bin') as Uint8Array)[0]).toBe(0x89);
  });

  it.each([
    ['exact duplicate', 'src/a.ts'],
    ['case-insensitive duplicate', 'Src/A.ts'],
    ['file where a folder is', 'src'],
    ['folder where a file is', 'README.md/x.ts'],
    ['folder spelled differently', 'SRC/b.ts'],
    ['case-insensitive folder where a file is', 'readme.MD/x.ts'],
  ])('refuses %s with PATH_EXISTS', (_, path) => {
    const doc = docWith({ 'src/a.ts': 'a', 'README.md': '# hi' });
    expect(codeOf(() => createFile(doc, path, 'x'))).toBe('PATH_EXISTS');
    expect(codeOf(() => createFile(doc, 'src/b.ts', 'fine'))).toBeUndefined();
  });

  it('names the colliding path in the message', () => {
    const doc = docWith({ 'src/a.ts': 'a' });
    expect(() => createFile(doc, 'Src/A.ts', 'x')).toThrow(/"Src\/A\.ts" collides with "src\/a\.ts"/);
  });

  it('refuses invalid paths and oversize content', () => {
    const doc = new Y.Doc();
    expect(codeOf(() => createFile(doc, '../x', 'x'))).toBe('INVALID_PATH');
    expect(codeOf(() => createFile(doc, 'a.txt', 'x'.repeat(11), { limits: { maxFileBytes: 10 } }))).toBe(
      'FILE_TOO_LARGE',
    );
    // Limits count UTF-8 bytes, not characters.
    expect(codeOf(() => createFile(doc, 'b.txt', 'é'.repeat(6), { limits: { maxFileBytes: 10 } }))).toBe(
      'FILE_TOO_LARGE',
    );
    expect(filesMap(doc).size).toBe(0);
  });

  it('enforces workspace byte and file-count limits', () => {
    const doc = docWith({ 'a.txt': 'x'.repeat(60), 'b.txt': 'y'.repeat(30) });
    expect(
      codeOf(() => createFile(doc, 'c.txt', 'z'.repeat(11), { limits: { maxWorkspaceBytes: 100 } })),
    ).toBe('WORKSPACE_TOO_LARGE');
    expect(
      codeOf(() => createFile(doc, 'c.txt', 'z'.repeat(10), { limits: { maxWorkspaceBytes: 100 } })),
    ).toBe(undefined);
    expect(codeOf(() => createFile(doc, 'd.txt', '', { limits: { maxFiles: 3 } }))).toBe(
      'WORKSPACE_TOO_LARGE',
    );
  });

  it('changes the doc in one transaction with the given origin', () => {
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (transaction: Y.Transaction) => origins.push(transaction.origin));
    const origin = { user: 'u1' };
    createFile(doc, 'a.ts', 'x', { origin });
    expect(origins).toEqual([origin]);
  });
});

describe('writeFile', () => {
  it('applies a minimal diff instead of replacing the text', () => {
    const original = 'function add(a, b) {\n  return a + b;\n}\n';
    const doc = docWith({ 'math.js': original });
    const text = filesMap(doc).get('math.js') as Y.Text;
    const deltas: unknown[] = [];
    text.observe((event) => deltas.push(event.delta));
    writeFile(doc, 'math.js', original.replace('a + b', 'a + b + 0'));
    expect(deltas).toEqual([[{ retain: original.indexOf('a + b;') + 5 }, { insert: ' + 0' }]]);
    expect(text.toJSON()).toBe('function add(a, b) {\n  return a + b + 0;\n}\n');
  });

  it('keeps relative positions in unchanged text where they were', () => {
    const doc = docWith({ 'a.txt': 'one\ntwo\nthree\n' });
    const text = filesMap(doc).get('a.txt') as Y.Text;
    const anchor = Y.createRelativePositionFromTypeIndex(text, 'one\ntwo\nth'.length);
    writeFile(doc, 'a.txt', 'zero\none\ntwo!\nthree\n');
    const resolved = Y.createAbsolutePositionFromRelativePosition(anchor, doc);
    expect(resolved?.index).toBe('zero\none\ntwo!\nth'.length);
  });

  it('merges with a concurrent edit from a peer', () => {
    const server = docWith({ 'a.txt': 'alpha\nbeta\ngamma\n' });
    const peer = new Y.Doc();
    sync(server, peer);
    (peer.getMap('files').get('a.txt') as Y.Text).insert(0, '// header\n');
    writeFile(server, 'a.txt', 'alpha\nbeta\nGAMMA\n');
    sync(peer, server);
    sync(server, peer);
    expect(readTextFile(server, 'a.txt')).toBe('// header\nalpha\nbeta\nGAMMA\n');
    expect(readTextFile(peer, 'a.txt')).toBe('// header\nalpha\nbeta\nGAMMA\n');
  });

  it('emits nothing when the content is unchanged', () => {
    const doc = docWith({ 'a.txt': 'same' });
    let updates = 0;
    doc.on('update', () => (updates += 1));
    writeFile(doc, 'a.txt', 'same');
    expect(updates).toBe(0);
  });

  it('heals a binary that concurrent peers left beside the text', () => {
    const doc = docWith({ 'a.txt': 'text' });
    binariesMap(doc).set('a.txt', png);
    expect(readFile(doc, 'a.txt').binary).toBe(false);
    writeFile(doc, 'a.txt', 'text, edited');
    expect(binariesMap(doc).has('a.txt')).toBe(false);
  });

  it('refuses to mix text and binary', () => {
    const doc = docWith({ 'a.txt': 'text', 'logo.png': png });
    expect(codeOf(() => writeFile(doc, 'logo.png', 'text'))).toBe('BINARY_FILE');
    expect(codeOf(() => writeFile(doc, 'a.txt', png))).toBe('BINARY_FILE');
    expect(codeOf(() => writeFile(doc, 'a.txt', new TextEncoder().encode('bytes are fine')))).toBeUndefined();
    expect(readTextFile(doc, 'a.txt')).toBe('bytes are fine');
  });

  it('replaces binary content with bytes', () => {
    const doc = docWith({ 'logo.png': png });
    const next = new Uint8Array([1, 2, 0, 3]);
    expect(writeFile(doc, 'logo.png', next)).toMatchObject({ binary: true, size: 4 });
    expect(readFile(doc, 'logo.png').content).toEqual(next);
  });

  it('refuses a missing file and oversize content', () => {
    const doc = docWith({ 'a.txt': 'a' });
    expect(codeOf(() => writeFile(doc, 'missing.txt', 'x'))).toBe('NOT_FOUND');
    expect(codeOf(() => writeFile(doc, 'a.txt', 'x'.repeat(20), { limits: { maxFileBytes: 10 } }))).toBe(
      'FILE_TOO_LARGE',
    );
  });

  it('allows shrinking a file even when the workspace is over a lowered limit', () => {
    const doc = docWith({ 'a.txt': 'x'.repeat(100) });
    const limits = { maxWorkspaceBytes: 50 };
    expect(codeOf(() => writeFile(doc, 'a.txt', 'x'.repeat(90), { limits }))).toBeUndefined();
    expect(codeOf(() => writeFile(doc, 'a.txt', 'x'.repeat(95), { limits }))).toBe('WORKSPACE_TOO_LARGE');
  });
});

describe('renameFile', () => {
  it('moves content and meta and follows the new extension', () => {
    const doc = docWith({ 'src/a.js': 'const a = 1;' });
    const info = renameFile(doc, 'src/a.js', 'lib/a.ts');
    expect(info).toEqual({ path: 'lib/a.ts', size: 12, binary: false, language: 'typescript' });
    expect(fileExists(doc, 'src/a.js')).toBe(false);
    expect(metaMap(doc).has('src/a.js')).toBe(false);
    expect(readTextFile(doc, 'lib/a.ts')).toBe('const a = 1;');
  });

  it('keeps a hand-set language', () => {
    const doc = docWith({ script: '#!/bin/sh' });
    metaMap(doc).set('script', { binary: false, language: 'shell' });
    expect(renameFile(doc, 'script', 'run').language).toBe('shell');
  });

  it('moves binaries', () => {
    const doc = docWith({ 'logo.png': png });
    renameFile(doc, 'logo.png', 'img/logo.png');
    expect(readFile(doc, 'img/logo.png')).toMatchObject({ binary: true, content: png });
    expect(binariesMap(doc).has('logo.png')).toBe(false);
  });

  it('allows a case-only rename of the same file', () => {
    const doc = docWith({ 'readme.md': '# x' });
    renameFile(doc, 'readme.md', 'README.md');
    expect(fileExists(doc, 'README.md')).toBe(true);
    expect(fileExists(doc, 'readme.md')).toBe(false);
  });

  it('applies the create collision rules', () => {
    const doc = docWith({ 'a.ts': 'a', 'B.ts': 'b', 'dir/x.ts': 'x' });
    expect(codeOf(() => renameFile(doc, 'a.ts', 'b.ts'))).toBe('PATH_EXISTS');
    expect(codeOf(() => renameFile(doc, 'a.ts', 'dir'))).toBe('PATH_EXISTS');
    expect(codeOf(() => renameFile(doc, 'a.ts', 'B.ts/a.ts'))).toBe('PATH_EXISTS');
    expect(codeOf(() => renameFile(doc, 'nope.ts', 'c.ts'))).toBe('NOT_FOUND');
    expect(codeOf(() => renameFile(doc, 'a.ts', '../a.ts'))).toBe('INVALID_PATH');
    expect(readTextFile(doc, 'a.ts')).toBe('a');
  });
});

describe('renameFolder', () => {
  it('moves every file under the folder in one transaction', () => {
    const doc = docWith({ 'src/a.ts': 'a', 'src/lib/b.ts': 'b', 'src.txt': 'not inside', 'logo/x.png': png });
    let transactions = 0;
    doc.on('afterTransaction', () => (transactions += 1));
    const moves = renameFolder(doc, 'src', 'packages/core/src');
    expect(transactions).toBe(1);
    expect(moves).toEqual([
      { from: 'src/a.ts', to: 'packages/core/src/a.ts' },
      { from: 'src/lib/b.ts', to: 'packages/core/src/lib/b.ts' },
    ]);
    expect(readTextFile(doc, 'packages/core/src/lib/b.ts')).toBe('b');
    expect(fileExists(doc, 'src.txt')).toBe(true);
    expect(fileExists(doc, 'src/a.ts')).toBe(false);
  });

  it('supports a case-only folder rename', () => {
    const doc = docWith({ 'Src/a.ts': 'a' });
    renameFolder(doc, 'Src', 'src');
    expect(fileExists(doc, 'src/a.ts')).toBe(true);
  });

  it('refuses collisions, moving into itself and missing folders', () => {
    const doc = docWith({ 'a/x.ts': 'x', 'b/x.ts': 'other', c: 'file' });
    expect(codeOf(() => renameFolder(doc, 'a', 'b'))).toBe('PATH_EXISTS');
    expect(codeOf(() => renameFolder(doc, 'a', 'B'))).toBe('PATH_EXISTS');
    expect(codeOf(() => renameFolder(doc, 'a', 'c'))).toBe('PATH_EXISTS');
    expect(codeOf(() => renameFolder(doc, 'a', 'a/inner'))).toBe('INVALID_PATH');
    expect(codeOf(() => renameFolder(doc, 'missing', 'z'))).toBe('NOT_FOUND');
    expect(codeOf(() => renameFolder(doc, 'c', 'z'))).toBe('NOT_FOUND');
    expect(readTextFile(doc, 'a/x.ts')).toBe('x');
  });
});

describe('deleteFile and deleteFolder', () => {
  it('remove files from all three maps', () => {
    const doc = docWith({ 'a.txt': 'a', 'img/logo.png': png, 'img/sub/b.txt': 'b', 'imgs.txt': 'keep' });
    deleteFile(doc, 'a.txt');
    expect(filesMap(doc).has('a.txt')).toBe(false);
    expect(metaMap(doc).has('a.txt')).toBe(false);
    expect(deleteFolder(doc, 'img')).toEqual(['img/logo.png', 'img/sub/b.txt']);
    expect(binariesMap(doc).size).toBe(0);
    expect(fileExists(doc, 'imgs.txt')).toBe(true);
  });

  it('refuse missing paths', () => {
    const doc = docWith({ 'a.txt': 'a' });
    expect(codeOf(() => deleteFile(doc, 'b.txt'))).toBe('NOT_FOUND');
    expect(codeOf(() => deleteFolder(doc, 'a.txt'))).toBe('NOT_FOUND');
  });
});
