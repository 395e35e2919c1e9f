import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createFile, deleteFile, renameFile, writeFile } from './model.ts';
import { binariesMap, filesMap, listStoredFiles, observeStoredFiles } from './workspace-doc.ts';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff]);

describe('listStoredFiles', () => {
  it('lists text and binary files with their kind, binaries with their byte size, sorted by path', () => {
    const doc = new Y.Doc();
    createFile(doc, 'src/index.ts', 'é\n');
    createFile(doc, 'media/logo.png', png);
    createFile(doc, 'media/logo.ai', new Uint8Array([0, 1, 2]));
    expect(listStoredFiles(doc)).toEqual([
      { path: 'media/logo.ai', kind: 'binary', size: 3 },
      { path: 'media/logo.png', kind: 'binary', size: 10 },
      { path: 'src/index.ts', kind: 'text' },
    ]);
  });

  it('ignores stray values a peer left in the maps and lists a doubly stored path once, as text', () => {
    const doc = new Y.Doc();
    filesMap(doc).set('bad.ts', 42);
    binariesMap(doc).set('bad.bin', 'not bytes');
    filesMap(doc).set('both.txt', new Y.Text('hi'));
    binariesMap(doc).set('both.txt', new Uint8Array([1]));
    expect(listStoredFiles(doc)).toEqual([{ path: 'both.txt', kind: 'text' }]);
  });
});

describe('observeStoredFiles', () => {
  it('reports files appearing, moving and disappearing in either map, but not text edits', () => {
    const doc = new Y.Doc();
    createFile(doc, 'a.ts', 'x');
    let calls = 0;
    const stop = observeStoredFiles(doc, () => {
      calls += 1;
    });
    createFile(doc, 'logo.png', png);
    expect(calls).toBe(1);
    renameFile(doc, 'logo.png', 'img/logo.png');
    expect(calls).toBe(2);
    writeFile(doc, 'a.ts', 'xy');
    const afterEdit = calls;
    (filesMap(doc).get('a.ts') as Y.Text).insert(0, 'z');
    expect(calls).toBe(afterEdit);
    deleteFile(doc, 'img/logo.png');
    expect(calls).toBe(afterEdit + 1);
    stop();
    createFile(doc, 'b.bin', png);
    expect(calls).toBe(afterEdit + 1);
    expect(listStoredFiles(doc).map((f) => f.path)).toEqual(['a.ts', 'b.bin']);
  });
});
