import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { createFile } from './model.ts';
import { exportFiles, fileInfo, listTree, readFile, readTextFile, workspaceStats } from './queries.ts';
import { binariesMap, filesMap } from './workspace-doc.ts';

const bin = new Uint8Array([0, 1, 2, 255]);

function sample(): Y.Doc {
  const doc = new Y.Doc();
  createFile(doc, 'src/index.ts', 'export const x = 1;\n');
  createFile(doc, 'src/util/é.ts', 'é');
  createFile(doc, 'README.md', '# Title');
  createFile(doc, 'assets/logo.bin', bin);
  return doc;
}

describe('readFile', () => {
  it('returns text with its info', () => {
    expect(readFile(sample(), 'src/index.ts')).toEqual({
      path: 'src/index.ts',
      size: 20,
      binary: false,
      language: 'typescript',
      content: 'export const x = 1;\n',
    });
  });

  it('returns a copy of binary content', () => {
    const doc = sample();
    const first = readFile(doc, 'assets/logo.bin');
    expect(first).toMatchObject({ binary: true, size: 4, content: bin });
    (first.content as Uint8Array)[0] = 9;
    expect(readFile(doc, 'assets/logo.bin').content).toEqual(bin);
  });

  it('normalizes the path and reports missing or binary files', () => {
    const doc = sample();
    expect(readTextFile(doc, './src//index.ts')).toBe('export const x = 1;\n');
    expect(() => readFile(doc, 'nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }) as AppError);
    expect(() => readTextFile(doc, 'assets/logo.bin')).toThrow(
      expect.objectContaining({ code: 'BINARY_FILE' }) as AppError,
    );
    expect(fileInfo(doc, 'src/util/é.ts').size).toBe(2);
  });

  it('ignores values of the wrong type written by a misbehaving peer', () => {
    const doc = sample();
    filesMap(doc).set('junk.ts', 'a plain string, not a Y.Text');
    binariesMap(doc).set('junk.bin', [1, 2, 3]);
    expect(() => readFile(doc, 'junk.ts')).toThrow(AppError);
    expect(listTree(doc).some((entry) => entry.path.startsWith('junk'))).toBe(false);
  });
});

describe('listTree', () => {
  it('lists files and derived folders in tree order', () => {
    expect(listTree(sample())).toEqual([
      { kind: 'file', path: 'README.md', size: 7, binary: false, language: 'markdown' },
      { kind: 'folder', path: 'assets' },
      { kind: 'file', path: 'assets/logo.bin', size: 4, binary: true, language: 'plaintext' },
      { kind: 'folder', path: 'src' },
      { kind: 'file', path: 'src/index.ts', size: 20, binary: false, language: 'typescript' },
      { kind: 'folder', path: 'src/util' },
      { kind: 'file', path: 'src/util/é.ts', size: 2, binary: false, language: 'typescript' },
    ]);
  });

  it('is empty for a new workspace', () => {
    expect(listTree(new Y.Doc())).toEqual([]);
  });
});

describe('workspaceStats and exportFiles', () => {
  it('count files, folders and bytes', () => {
    expect(workspaceStats(sample())).toEqual({
      fileCount: 4,
      binaryFileCount: 1,
      folderCount: 3,
      totalBytes: 33,
    });
  });

  it('export every file as bytes, sorted', () => {
    const files = exportFiles(sample());
    expect(files.map((file) => file.path)).toEqual([
      'README.md',
      'assets/logo.bin',
      'src/index.ts',
      'src/util/é.ts',
    ]);
    expect(new TextDecoder().decode(files[0]!.content)).toBe('# Title');
    expect(files[1]!.content).toEqual(bin);
  });
});
