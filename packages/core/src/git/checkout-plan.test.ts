import { describe, expect, it } from 'vitest';
import {
  checkBlobSize,
  describeSymlink,
  isLfsPointer,
  planCheckout,
  symlinkStaysInside,
  unsafeTreePath,
  type GitTreeEntry,
} from './checkout-plan.ts';
import { resolveWorkspaceLimits } from '../files/limits.ts';

const blob = (path: string, mode = '100644'): GitTreeEntry => ({
  path,
  mode,
  oid: 'a'.repeat(40),
  type: 'blob',
});

describe('planCheckout', () => {
  it('imports regular files and reports unsafe names, symlinks and submodules', () => {
    const plan = planCheckout(
      [
        { path: 'src', mode: '040000', oid: 'b'.repeat(40), type: 'tree' },
        blob('src/a.ts'),
        blob('run.sh', '100755'),
        blob('../escape'),
        blob('x/.git/config'),
        blob('x/.GIT'),
        blob('/abs'),
        blob('link', '120000'),
        { path: 'vendor/lib', mode: '160000', oid: 'c'.repeat(40), type: 'commit' },
      ],
      resolveWorkspaceLimits(),
    );
    expect(plan.files.map((f) => f.path)).toEqual(['src/a.ts', 'run.sh']);
    expect(plan.skipped).toEqual([
      { path: '../escape', reason: "'..' in the path" },
      { path: 'x/.git/config', reason: "'.git' in the path" },
      { path: 'x/.GIT', reason: "'.git' in the path" },
      { path: '/abs', reason: 'absolute path' },
      { path: 'link', reason: 'symlink' },
    ]);
    expect(plan.submodules).toEqual([{ path: 'vendor/lib', commit: 'c'.repeat(40) }]);
  });

  it('refuses more files than a workspace holds', () => {
    expect(() =>
      planCheckout([blob('a'), blob('b'), blob('c')], resolveWorkspaceLimits({ maxFiles: 2 })),
    ).toThrow(expect.objectContaining({ code: 'GIT_REPO_TOO_LARGE', details: { files: 3, maxFiles: 2 } }));
  });

  it('names the file that is too large, and the total over the limit', () => {
    const limits = resolveWorkspaceLimits({ maxFileBytes: 10, maxWorkspaceBytes: 15 });
    expect(() => checkBlobSize('big.bin', 11, 11, limits)).toThrow(
      expect.objectContaining({
        code: 'FILE_TOO_LARGE',
        details: { path: 'big.bin', size: 11, maxFileBytes: 10 },
      }),
    );
    expect(() => checkBlobSize('b', 8, 16, limits)).toThrow(
      expect.objectContaining({ code: 'GIT_REPO_TOO_LARGE' }),
    );
    expect(() => checkBlobSize('b', 8, 15, limits)).not.toThrow();
  });
});

describe('paths and links', () => {
  it('tells unsafe tree paths', () => {
    expect(unsafeTreePath('a/b.ts')).toBeNull();
    expect(unsafeTreePath('a//b')).toBe('not a canonical path');
    expect(unsafeTreePath('a/\u202eb')).toMatch(/control or invisible/);
  });

  it('tells symlinks that leave the repository', () => {
    expect(symlinkStaysInside('a/link', '../b/c')).toBe(true);
    expect(symlinkStaysInside('a/link', '../../etc/passwd')).toBe(false);
    expect(symlinkStaysInside('link', '/etc/passwd')).toBe(false);
    expect(describeSymlink('link', '/etc/passwd').reason).toMatch(/outside the repository/);
    expect(describeSymlink('link', 'src/a.ts').reason).toMatch(/kept in git/);
  });

  it('recognises LFS pointer files', () => {
    const pointer = new TextEncoder().encode(
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12345\n',
    );
    expect(isLfsPointer(pointer)).toBe(true);
    expect(isLfsPointer(new TextEncoder().encode('hello'))).toBe(false);
  });
});
