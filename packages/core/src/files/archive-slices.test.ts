import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { exportSlice, importSlice, planExport, planImport, trackImport } from './archive-slices.ts';
import { createFile } from './model.ts';
import { listTree, readTextFile } from './queries.ts';
import { filesMap } from './workspace-doc.ts';

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
});
