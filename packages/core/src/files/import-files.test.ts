import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError, type ErrorCode } from '../errors.ts';
import { importFiles } from './import-files.ts';
import { createFile } from './model.ts';
import { listTree, readFile, readTextFile, workspaceStats } from './queries.ts';
import { filesMap } from './workspace-doc.ts';

function codeOf(run: () => unknown): ErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return undefined;
}

describe('importFiles', () => {
  it('writes every entry in one transaction', () => {
    const doc = new Y.Doc();
    let transactions = 0;
    doc.on('afterTransaction', () => (transactions += 1));
    const result = importFiles(doc, [
      { path: 'src/a.ts', content: 'a' },
      { path: './src/b.ts', content: new TextEncoder().encode('b') },
      { path: 'img/x.bin', content: new Uint8Array([0, 1]) },
    ]);
    expect(transactions).toBe(1);
    expect(result).toEqual({ created: ['src/a.ts', 'src/b.ts', 'img/x.bin'], updated: [], totalBytes: 4 });
    expect(readFile(doc, 'img/x.bin').binary).toBe(true);
  });

  it.each([
    [
      'an invalid path',
      [
        { path: 'ok.ts', content: 'x' },
        { path: '../evil', content: 'x' },
      ],
      'INVALID_PATH',
    ],
    [
      'a duplicate',
      [
        { path: 'a.ts', content: 'x' },
        { path: './a.ts', content: 'y' },
      ],
      'PATH_EXISTS',
    ],
    [
      'a case duplicate',
      [
        { path: 'a.ts', content: 'x' },
        { path: 'A.ts', content: 'y' },
      ],
      'PATH_EXISTS',
    ],
    [
      'a file/folder clash',
      [
        { path: 'a', content: 'x' },
        { path: 'a/b.ts', content: 'y' },
      ],
      'PATH_EXISTS',
    ],
    ['an existing path', [{ path: 'existing.ts', content: 'x' }], 'PATH_EXISTS'],
    ['an oversize file', [{ path: 'big.ts', content: 'x'.repeat(101) }], 'FILE_TOO_LARGE'],
    [
      'too many bytes',
      Array.from({ length: 5 }, (_, i) => ({ path: `f${i}`, content: 'x'.repeat(60) })),
      'WORKSPACE_TOO_LARGE',
    ],
    [
      'too many files',
      Array.from({ length: 10 }, (_, i) => ({ path: `f${i}`, content: '' })),
      'WORKSPACE_TOO_LARGE',
    ],
  ])('writes nothing when one entry has %s', (_, entries, code) => {
    const doc = new Y.Doc();
    createFile(doc, 'existing.ts', 'keep');
    const before = Y.encodeStateAsUpdate(doc);
    const limits = { maxFileBytes: 100, maxWorkspaceBytes: 250, maxFiles: 8 };
    expect(codeOf(() => importFiles(doc, entries, { limits }))).toBe(code);
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    expect(workspaceStats(doc).fileCount).toBe(1);
  });

  it('overwrites existing files in place when asked', () => {
    const doc = new Y.Doc();
    createFile(doc, 'a.ts', 'const a = 1;\n');
    createFile(doc, 'b.bin', new Uint8Array([0, 1]));
    const text = filesMap(doc).get('a.ts');
    const result = importFiles(
      doc,
      [
        { path: 'a.ts', content: 'const a = 2;\n' },
        { path: 'b.bin', content: 'now text' },
        { path: 'c.ts', content: 'new' },
      ],
      { overwrite: true },
    );
    expect(result.created).toEqual(['c.ts']);
    expect(result.updated).toEqual(['a.ts', 'b.bin']);
    // Same Y.Text instance: the update went through the diff, not a replacement.
    expect(filesMap(doc).get('a.ts')).toBe(text);
    expect(readTextFile(doc, 'a.ts')).toBe('const a = 2;\n');
    expect(readFile(doc, 'b.bin')).toMatchObject({ binary: false, content: 'now text' });
    expect(listTree(doc).filter((entry) => entry.kind === 'file')).toHaveLength(3);
  });

  it('still refuses case collisions and repeats when overwriting', () => {
    const doc = new Y.Doc();
    createFile(doc, 'a.ts', 'x');
    expect(codeOf(() => importFiles(doc, [{ path: 'A.ts', content: 'y' }], { overwrite: true }))).toBe(
      'PATH_EXISTS',
    );
    expect(
      codeOf(() =>
        importFiles(
          doc,
          [
            { path: 'a.ts', content: 'y' },
            { path: 'a.ts', content: 'z' },
          ],
          { overwrite: true },
        ),
      ),
    ).toBe('PATH_EXISTS');
    expect(readTextFile(doc, 'a.ts')).toBe('x');
  });

  it('passes the origin to the transaction', () => {
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (transaction: Y.Transaction) => origins.push(transaction.origin));
    importFiles(doc, [{ path: 'a', content: 'a' }], { origin: 'upload' });
    expect(origins).toEqual(['upload']);
  });
});
