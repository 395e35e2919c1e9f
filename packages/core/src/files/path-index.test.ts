import { describe, expect, it } from 'vitest';
import { describeConflict, PathIndex } from './path-index.ts';

describe('PathIndex', () => {
  const index = (): PathIndex => new PathIndex(['src/a.ts', 'src/lib/b.ts', 'README.md']);

  it.each([
    ['src/a.ts', { kind: 'exists', existing: 'src/a.ts' }],
    ['SRC/A.TS', { kind: 'case', existing: 'src/a.ts' }],
    ['src', { kind: 'folder-exists', existing: 'src' }],
    ['Src/lib', { kind: 'folder-exists', existing: 'src/lib' }],
    ['README.md/x', { kind: 'parent-is-file', existing: 'README.md' }],
    ['Src/c.ts', { kind: 'folder-case', existing: 'src' }],
    ['src/Lib/c.ts', { kind: 'folder-case', existing: 'src/lib' }],
    ['src/c.ts', undefined],
    ['docs/readme.md', undefined],
  ])('conflict(%j)', (path, expected) => {
    expect(index().conflict(path)).toEqual(expected);
  });

  it('forgets folders once their last file is removed', () => {
    const paths = index();
    paths.remove('src/lib/b.ts');
    expect(paths.isFolder('src/lib')).toBe(false);
    expect(paths.conflict('src/Lib/c.ts')).toBeUndefined();
    expect(paths.isFolder('src')).toBe(true);
    paths.remove('src/a.ts');
    expect(paths.conflict('SRC/x.ts')).toBeUndefined();
    expect(paths.size).toBe(1);
  });

  it('ignores removal of a path spelled differently', () => {
    const paths = index();
    paths.remove('SRC/A.TS');
    expect(paths.has('src/a.ts')).toBe(true);
  });

  it('lists files inside a folder exactly', () => {
    expect(index().filesInside('src').sort()).toEqual(['src/a.ts', 'src/lib/b.ts']);
    expect(index().filesInside('sr')).toEqual([]);
  });

  it('describes conflicts for people', () => {
    expect(describeConflict('A.ts', { kind: 'case', existing: 'a.ts' })).toBe(
      '"A.ts" collides with "a.ts": the names differ only in letter case.',
    );
    expect(describeConflict('f/x', { kind: 'parent-is-file', existing: 'f' })).toBe(
      '"f/x" needs a folder "f", but that is a file.',
    );
  });
});
