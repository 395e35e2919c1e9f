import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import {
  exportSlice,
  exportStoredDoc,
  importArrivingIntoStoredDoc,
  importIntoStoredDoc,
  storedEditUpdates,
  storedDocHasFiles,
  importSlice,
  placeUnder,
  planExport,
  planImport,
  trackImport,
} from './archive-slices.ts';
import type { ImportEntry } from './import-files.ts';
import { createFile, deleteFile } from './model.ts';
import { PathIndex } from './path-index.ts';
import { listTree, readTextFile } from './queries.ts';
import { filesMap } from './workspace-doc.ts';
import { livePathIndex } from './write-guards.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const errorCode = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return 'no error';
};

describe('sliced imports', () => {
  it('checks the whole import up front, then writes it slice by slice', () => {
    const doc = new Y.Doc();
    const entries = Array.from({ length: 10 }, (_, i) => ({
      path: `src/f${i}.ts`,
      content: bytes('x'.repeat(100)),
    }));
    const plan = planImport(doc, entries, { sliceBytes: 250 });
    expect(plan.slices.map((slice) => slice.length)).toEqual([2, 2, 2, 2, 2]);
    expect(plan.totalBytes).toBe(1000);
    expect(listTree(doc)).toEqual([]);
    for (const slice of plan.slices) importSlice(doc, slice);
    expect(readTextFile(doc, 'src/f9.ts')).toBe('x'.repeat(100));
  });

  it('refuses before writing anything: duplicates across slices, conflicts, and the workspace limits', () => {
    const doc = new Y.Doc();
    createFile(doc, 'a.ts', 'a');
    const twice = [
      { path: 'b.ts', content: 'b' },
      { path: 'B.ts', content: 'b' },
    ];
    expect(errorCode(() => planImport(doc, twice, { sliceFiles: 1 }))).toBe('PATH_EXISTS');
    expect(errorCode(() => planImport(doc, [{ path: 'a.ts', content: 'new' }]))).toBe('PATH_EXISTS');
    const big = [{ path: 'big.ts', content: 'x'.repeat(50) }];
    expect(errorCode(() => planImport(doc, big, { limits: { maxWorkspaceBytes: 40 } }))).toBe(
      'WORKSPACE_TOO_LARGE',
    );
    expect(errorCode(() => planImport(doc, big, { limits: { maxFileBytes: 40 } }))).toBe('FILE_TOO_LARGE');
    expect(errorCode(() => planImport(doc, [{ path: '../x', content: '' }]))).toBe('INVALID_PATH');
    expect(listTree(doc).map((entry) => entry.path)).toEqual(['a.ts']);
  });

  it('overwrites in place when asked', () => {
    const doc = new Y.Doc();
    createFile(doc, 'a.ts', 'old');
    const plan = planImport(doc, [{ path: 'a.ts', content: 'new' }], { overwrite: true });
    const [slice = []] = plan.slices;
    expect(importSlice(doc, slice, { overwrite: true })).toEqual({ created: [], updated: ['a.ts'] });
    expect(readTextFile(doc, 'a.ts')).toBe('new');
  });

  it('undoes the slices already written when a later one fails', () => {
    const doc = new Y.Doc();
    createFile(doc, 'keep.ts', 'keep');
    const origin = Symbol('upload');
    const plan = planImport(
      doc,
      [
        { path: 'one.ts', content: '1' },
        { path: 'two.ts', content: '2' },
      ],
      { sliceFiles: 1 },
    );
    const undo = trackImport(doc, origin);
    const [first = [], second = []] = plan.slices;
    doc.transact(() => importSlice(doc, first), origin);
    // A peer creates the second path between the slices.
    filesMap(doc).set('two.ts', new Y.Text('peer'));
    expect(errorCode(() => doc.transact(() => importSlice(doc, second), origin))).toBe('PATH_EXISTS');
    undo.undo();
    undo.destroy();
    expect(listTree(doc).map((entry) => entry.path)).toEqual(['keep.ts', 'two.ts']);
    expect(readTextFile(doc, 'two.ts')).toBe('peer');
  });
});

describe('a live path index', () => {
  it('follows every change to the files, by anyone, so slices check against the document as it is now', () => {
    const doc = new Y.Doc();
    createFile(doc, 'src/keep.ts', 'keep');
    createFile(doc, 'logo.png', new Uint8Array([0x89, 0xff, 0x00]));
    const live = livePathIndex(doc);
    try {
      const plan = planImport(
        doc,
        [
          { path: 'src/one.ts', content: '1' },
          { path: 'docs/two.md', content: '2' },
          { path: 'three.ts', content: '3' },
        ],
        { sliceFiles: 1 },
      );
      const [first = [], second = [], third = []] = plan.slices;
      importSlice(doc, first, {}, live.index);
      // A peer makes a file where the second slice wants a folder; another peer removes it again before the third.
      filesMap(doc).set('docs', new Y.Text('a file'));
      expect(errorCode(() => importSlice(doc, second, {}, live.index))).toBe('PATH_EXISTS');
      filesMap(doc).delete('docs');
      importSlice(doc, second, {}, live.index);
      filesMap(doc).set('Three.ts', new Y.Text('peer'));
      expect(errorCode(() => importSlice(doc, third, {}, live.index))).toBe('PATH_EXISTS');
      // Always the index a fresh look at the document would build.
      const fresh = new PathIndex(listTree(doc).flatMap((e) => (e.kind === 'file' ? [e.path] : [])));
      for (const path of [
        'src/keep.ts',
        'src/one.ts',
        'docs/two.md',
        'three.ts',
        'logo.png',
        'docs',
        'LOGO.png',
      ]) {
        expect(live.index.conflict(path), path).toEqual(fresh.conflict(path));
      }
    } finally {
      live.stop();
    }
    // Stopped: no longer follows.
    createFile(doc, 'later.ts', 'x');
    expect(live.index.has('later.ts')).toBe(false);
  });
});

describe('sliced exports', () => {
  it('plans sorted slices, leaves out unsafe names, and reads each file as it is when its slice is read', () => {
    const doc = new Y.Doc();
    createFile(doc, 'b.ts', 'b');
    createFile(doc, 'a.ts', 'a');
    filesMap(doc).set('../evil', new Y.Text('no'));
    const plan = planExport(doc, { sliceFiles: 1 });
    expect(plan).toEqual({ slices: [['a.ts'], ['b.ts']], skipped: ['../evil'] });
    filesMap(doc).delete('b.ts');
    expect(exportSlice(doc, ['a.ts', 'b.ts'])).toEqual([{ path: 'a.ts', content: bytes('a') }]);
  });

  it('reads a stored document (snapshot and later updates) as the live one would, without a live room', () => {
    const doc = new Y.Doc();
    createFile(doc, 'src/a.ts', 'export const a = 1;\n');
    createFile(doc, 'logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]));
    const snapshot = Y.encodeStateAsUpdate(doc);
    const before = Y.encodeStateVector(doc);
    createFile(doc, 'b.ts', 'b');
    filesMap(doc).set('../evil', new Y.Text('no'));
    const later = Y.encodeStateAsUpdate(doc, before);
    const errors: unknown[] = [];
    const stored = exportStoredDoc(
      { snapshot, updates: [later, new Uint8Array([1, 2, 3])], seq: 2 },
      (error) => errors.push(error),
    );
    const live = planExport(doc);
    expect(stored.skipped).toEqual(['../evil']);
    expect(stored.files).toEqual(live.slices.flatMap((paths) => exportSlice(doc, paths)));
    expect(stored.files.map((file) => file.path)).toEqual(['b.ts', 'logo.png', 'src/a.ts']);
    // A damaged part is reported and skipped, as when a room loads.
    expect(errors).toHaveLength(1);
  });
});

describe('imports into a stored document', () => {
  const storedOf = (doc: Y.Doc) => ({ snapshot: Y.encodeStateAsUpdate(doc), updates: [], seq: 1 });

  it('returns the import as updates, one per slice, that give a loaded copy the same files', () => {
    const doc = new Y.Doc();
    createFile(doc, 'src/old.ts', 'old');
    createFile(doc, 'keep.md', 'keep');
    const entries = placeUnder('src', [
      { path: 'old.ts', content: bytes('new') },
      ...Array.from({ length: 4 }, (_, i) => ({ path: `f${i}.ts`, content: bytes('y'.repeat(100)) })),
    ]);
    const imported = importIntoStoredDoc(storedOf(doc), entries, { overwrite: true, sliceBytes: 250 }, () => {
      throw new Error('nothing is damaged');
    });
    if (!('updates' in imported.edit)) throw new Error('the import came as a state without statePartBytes');
    const { updates } = imported.edit;
    expect(updates).toHaveLength(2);
    expect(imported.created).toEqual(['src/f0.ts', 'src/f1.ts', 'src/f2.ts', 'src/f3.ts']);
    expect(imported.updated).toEqual(['src/old.ts']);
    expect(imported.totalBytes).toBe(403);
    // Every update owns its buffer, so it can move to another thread whole.
    for (const update of updates) expect(update.byteLength).toBe(update.buffer.byteLength);
    for (const update of updates) Y.applyUpdate(doc, update);
    expect(readTextFile(doc, 'src/old.ts')).toBe('new');
    expect(readTextFile(doc, 'src/f3.ts')).toBe('y'.repeat(100));
    expect(readTextFile(doc, 'keep.md')).toBe('keep');
    // The clock range the import's client wrote, as authorship records it.
    expect(imported.clockStart).toBe(0);
    expect(imported.clockEnd).toBe(Y.getState(doc.store, imported.client));
    expect(imported.clockEnd).toBeGreaterThan(0);
  });

  it('returns the whole state instead, in parts, when the import outweighs what was stored', () => {
    const doc = new Y.Doc();
    createFile(doc, 'keep.md', 'keep');
    const stored = storedOf(doc);
    const entries = Array.from({ length: 3 }, (_, i) => ({
      path: `f${i}.ts`,
      content: bytes('z'.repeat(400)),
    }));
    const imported = importIntoStoredDoc(stored, entries, { statePartBytes: 500 }, () => undefined);
    if (!('state' in imported.edit)) throw new Error('a heavier import came as updates');
    const { state } = imported.edit;
    expect(state.length).toBeGreaterThan(1);
    for (const part of state) {
      expect(part.byteLength).toBeLessThanOrEqual(500);
      expect(part.byteLength).toBe(part.buffer.byteLength);
    }
    // The state alone, without what was stored, is the whole document.
    const loaded = new Y.Doc();
    for (const update of storedEditUpdates(imported.edit)) Y.applyUpdate(loaded, update);
    expect(listTree(loaded).map((entry) => entry.path)).toEqual(['f0.ts', 'f1.ts', 'f2.ts', 'keep.md']);
    expect(readTextFile(loaded, 'f2.ts')).toBe('z'.repeat(400));
    expect(imported.clockEnd).toBe(Y.getState(loaded.store, imported.client));
    // Lighter than what was stored: updates, so the stored document is not written again.
    const light = importIntoStoredDoc(
      { snapshot: Y.encodeStateAsUpdate(loaded), updates: [], seq: 2 },
      [{ path: 'tiny.ts', content: bytes('t') }],
      { statePartBytes: 500 },
      () => undefined,
    );
    expect('updates' in light.edit).toBe(true);
  });

  it('imports files as they arrive into the whole state, after a history or none; refuses as a live import would', async () => {
    const doc = new Y.Doc();
    createFile(doc, 'old.md', 'old');
    deleteFile(doc, 'old.md');
    const arriving =
      (paths: string[], size = 10) =>
      async (add: (entry: ImportEntry) => void) => {
        for (const path of paths) {
          await Promise.resolve();
          add({ path, content: bytes('a'.repeat(size)) });
        }
      };
    // With a history the files go into a document slice by slice; into nothing, the state is written directly.
    for (const stored of [storedOf(doc), { snapshot: null, updates: [], seq: 0 }]) {
      const imported = await importArrivingIntoStoredDoc(
        stored,
        arriving(['src/a.ts', 'src/b.ts', 'docs/c.md']),
        { statePartBytes: 64, sliceFiles: 2 },
        () => undefined,
      );
      expect(imported.created).toEqual(['src/a.ts', 'src/b.ts', 'docs/c.md']);
      expect(imported.totalBytes).toBe(30);
      if (!('state' in imported.edit)) throw new Error('an arriving import came as updates');
      for (const part of imported.edit.state) expect(part.byteLength).toBeLessThanOrEqual(64);
      const loaded = new Y.Doc();
      for (const update of storedEditUpdates(imported.edit)) Y.applyUpdate(loaded, update);
      expect(listTree(loaded).map((entry) => entry.path)).toEqual([
        'docs',
        'docs/c.md',
        'src',
        'src/a.ts',
        'src/b.ts',
      ]);
      expect(readTextFile(loaded, 'src/b.ts')).toBe('a'.repeat(10));
      expect(imported.clockEnd).toBe(Y.getState(loaded.store, imported.client));

      const refused = (paths: string[], limits = {}) =>
        importArrivingIntoStoredDoc(stored, arriving(paths), { statePartBytes: 64, limits }, () => {
          throw new Error('nothing is damaged');
        });
      // Two spellings of one path arriving in one slice are caught as they arrive.
      await expect(refused(['src/A.ts', 'src/a.ts'])).rejects.toMatchObject({ code: 'PATH_EXISTS' });
      await expect(refused(['x', 'x/y'])).rejects.toMatchObject({ code: 'PATH_EXISTS' });
      await expect(refused(['../x'])).rejects.toMatchObject({ code: 'INVALID_PATH' });
      await expect(refused(['a', 'b'], { maxFileBytes: 5 })).rejects.toMatchObject({
        code: 'FILE_TOO_LARGE',
      });
      await expect(refused(['a', 'b', 'c'], { maxWorkspaceBytes: 25 })).rejects.toMatchObject({
        code: 'WORKSPACE_TOO_LARGE',
      });
      await expect(refused(['a', 'b', 'c'], { maxFiles: 2 })).rejects.toMatchObject({
        code: 'WORKSPACE_TOO_LARGE',
      });
    }
  });

  it('refuses as a live import would, before any update exists', () => {
    const doc = new Y.Doc();
    createFile(doc, 'a.ts', 'a');
    const refused = () =>
      importIntoStoredDoc(storedOf(doc), [{ path: 'A.ts', content: bytes('x') }], {}, () => undefined);
    expect(errorCode(refused)).toBe('PATH_EXISTS');
    expect(errorCode(() => placeUnder('src', [{ path: '/abs', content: '' }]))).toBe('INVALID_PATH');
  });

  it('tells whether a stored document holds files', () => {
    const doc = new Y.Doc();
    const noErrors = () => {
      throw new Error('nothing is damaged');
    };
    expect(storedDocHasFiles(storedOf(doc), noErrors)).toBe(false);
    createFile(doc, 'docs/a.md', 'a');
    expect(storedDocHasFiles(storedOf(doc), noErrors)).toBe(true);
    deleteFile(doc, 'docs/a.md');
    expect(storedDocHasFiles(storedOf(doc), noErrors)).toBe(false);
  });
});
