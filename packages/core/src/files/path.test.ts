import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import {
  ancestorsOf,
  basename,
  comparePaths,
  extname,
  isInside,
  isValidPath,
  joinPath,
  normalizePath,
  parentOf,
  pathKey,
  rebasePath,
  tryNormalizePath,
} from './path.ts';

describe('normalizePath accepts and canonicalizes', () => {
  it.each([
    ['a.ts', 'a.ts'],
    ['src/index.ts', 'src/index.ts'],
    ['./src/index.ts', 'src/index.ts'],
    ['././src/a.ts', 'src/a.ts'],
    ['.//src/a.ts', 'src/a.ts'],
    ['src//lib///a.ts', 'src/lib/a.ts'],
    ['src\\lib\\a.ts', 'src/lib/a.ts'],
    ['src\\\\lib/a.ts', 'src/lib/a.ts'],
    ['.gitignore', '.gitignore'],
    ['.github/workflows/ci.yml', '.github/workflows/ci.yml'],
    ['a..b', 'a..b'],
    ['..a', '..a'],
    ['a/.hidden/b', 'a/.hidden/b'],
    ['file with spaces.md', 'file with spaces.md'],
    ['docs/ünïcödé.md', 'docs/ünïcödé.md'],
    ['emoji/😀.txt', 'emoji/😀.txt'],
    ['weird:name?.txt', 'weird:name?.txt'],
    ['cafe\u0301.txt', 'caf\u00e9.txt'],
    ['a'.repeat(255), 'a'.repeat(255)],
    [Array.from({ length: 32 }, () => 'd').join('/'), Array.from({ length: 32 }, () => 'd').join('/')],
  ])('%j -> %j', (input, expected) => {
    expect(normalizePath(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const input of ['./a//b\\c.ts', 'cafe\u0301/x', 'src/index.ts']) {
      const once = normalizePath(input);
      expect(normalizePath(once)).toBe(once);
    }
  });
});

describe('normalizePath refuses', () => {
  it.each([
    ['', 'empty'],
    ['.', 'dot only'],
    ['./', 'only ./'],
    ['..', 'parent'],
    ['../a', 'leading parent'],
    ['a/../b', 'inner parent'],
    ['a/..', 'trailing parent'],
    ['a\\..\\..\\b', 'backslash parent'],
    ['a/./b', 'inner dot segment'],
    ['a/...', 'dots-only segment'],
    ['/etc/passwd', 'absolute'],
    ['\\etc\\passwd', 'absolute with backslash'],
    ['\\\\server\\share\\x', 'UNC path'],
    ['//server/share', 'double-slash absolute'],
    ['C:\\Windows\\x', 'drive letter with backslash'],
    ['c:/x', 'drive letter with slash'],
    ['C:x', 'drive-relative'],
    ['a/', 'trailing slash'],
    ['a/b/', 'trailing slash nested'],
    ['a\u0000b', 'NUL'],
    ['a\nb', 'newline'],
    ['a\rb', 'carriage return'],
    ['a\tb', 'tab'],
    ['a\u001bb', 'escape'],
    ['a\u007fb', 'DEL'],
    ['a\u0085b', 'C1 control'],
    ['evil\u202egnp.js', 'bidi override'],
    ['a\u200bb', 'zero-width space'],
    ['\ufeffa', 'byte-order mark'],
    ['a\ud800b', 'lone surrogate'],
    [' ', 'blank'],
    ['a/ /b', 'blank segment'],
    ['a'.repeat(256), 'segment over 255 bytes'],
    ['é'.repeat(128), 'segment over 255 bytes in UTF-8'],
    [Array.from({ length: 33 }, () => 'd').join('/'), 'deeper than 32'],
    [Array.from({ length: 30 }, () => 'x'.repeat(40)).join('/'), 'over 1024 bytes'],
    ['x'.repeat(1_000_000), 'huge input'],
  ])('%j (%s)', (input) => {
    expect(() => normalizePath(input)).toThrow(AppError);
    try {
      normalizePath(input);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('INVALID_PATH');
      expect((error as AppError).message).toMatch(/^Invalid path /);
    }
  });

  it('gives a human reason', () => {
    expect(() => normalizePath('../x')).toThrow("'..' is not allowed");
    expect(() => normalizePath('/x')).toThrow('absolute paths are not allowed');
    expect(() => normalizePath('a\u0000')).toThrow('control');
  });
});

describe('tryNormalizePath and isValidPath', () => {
  it('report instead of throwing', () => {
    expect(tryNormalizePath('./a')).toBe('a');
    expect(tryNormalizePath('../a')).toBeUndefined();
    expect(isValidPath('a/b')).toBe(true);
    expect(isValidPath('/a')).toBe(false);
  });
});

describe('path helpers', () => {
  it.each([
    ['a/b/c.ts', 'a/b', 'c.ts', '.ts'],
    ['c.ts', '', 'c.ts', '.ts'],
    ['a/.gitignore', 'a', '.gitignore', ''],
    ['a/archive.tar.gz', 'a', 'archive.tar.gz', '.gz'],
    ['Makefile', '', 'Makefile', ''],
    ['a/b.', 'a', 'b.', '.'],
  ])('%j: parent %j, basename %j, extname %j', (path, parent, base, ext) => {
    expect(parentOf(path)).toBe(parent);
    expect(basename(path)).toBe(base);
    expect(extname(path)).toBe(ext);
  });

  it.each([
    ['a', 'a/b', true],
    ['a', 'a/b/c', true],
    ['a', 'a', false],
    ['a', 'ab/c', false],
    ['a/b', 'a/bc', false],
    ['a/b', 'a', false],
    ['', 'a', true],
    ['', '', false],
    ['A', 'a/b', false],
  ])('isInside(%j, %j) === %s', (folder, path, expected) => {
    expect(isInside(folder, path)).toBe(expected);
  });

  it('lists ancestors outermost first', () => {
    expect(ancestorsOf('a/b/c.ts')).toEqual(['a', 'a/b']);
    expect(ancestorsOf('c.ts')).toEqual([]);
  });

  it('rebases paths between folders', () => {
    expect(rebasePath('a/b/c.ts', 'a', 'x/y')).toBe('x/y/b/c.ts');
    expect(rebasePath('a/b/c.ts', 'a/b', '')).toBe('c.ts');
    expect(rebasePath('c.ts', '', 'lib')).toBe('lib/c.ts');
  });

  it('joins and normalizes', () => {
    expect(joinPath('src', 'lib/', 'a.ts')).toBe('src/lib/a.ts');
    expect(joinPath('', 'a.ts')).toBe('a.ts');
    expect(() => joinPath('src', '..', 'a.ts')).toThrow(AppError);
  });

  it('folds case for collision keys', () => {
    expect(pathKey('Src/A.ts')).toBe(pathKey('src/a.ts'));
    expect(pathKey('src/a.ts')).not.toBe(pathKey('src/b.ts'));
  });

  it('sorts in tree order, deterministically', () => {
    const paths = ['a-b', 'a/b', 'B', 'a', 'a/a/z', 'a/b/c', 'A'];
    expect([...paths].sort(comparePaths)).toEqual(['A', 'B', 'a', 'a/a/z', 'a/b', 'a/b/c', 'a-b']);
  });
});
