// Which entries of a remote tree become workspace files. A tree comes from a server we do not trust: names with
// `..`, `.git` or a leading `/`, and symlinks, are left out and reported (they stay in the repository and in every
// commit Tandem makes, untouched); submodules are listed, not fetched; limits are checked before any blob is read.
import { AppError } from '../errors.ts';
import { formatBytes, resolveWorkspaceLimits, type WorkspaceLimits } from '../files/limits.ts';
import { normalizePath } from '../files/path.ts';
import { isAppError } from '../errors.ts';

/** One entry of a recursively listed git tree, as the git library reports it. */
export interface GitTreeEntry {
  path: string;
  /** Octal mode as git writes it: 100644, 100755, 120000 (symlink), 160000 (submodule), 040000 (tree). */
  mode: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface CheckoutPlan {
  /** Regular files to import, in tree order. */
  files: { path: string; oid: string; mode: string }[];
  /** Entries left out, with why. They remain in the repository. */
  skipped: SkippedEntry[];
  /** Submodule paths and the commit each points at. */
  submodules: { path: string; commit: string }[];
}

export interface RepositoryLimits extends WorkspaceLimits {
  /** Bytes a fetch may download (the pack and the ref advertisement). */
  maxDownloadBytes: number;
}

export const defaultRepositoryLimits: Readonly<RepositoryLimits> = Object.freeze({
  ...resolveWorkspaceLimits(),
  maxDownloadBytes: 256 * 1024 * 1024,
});

export function resolveRepositoryLimits(overrides: Partial<RepositoryLimits> = {}): RepositoryLimits {
  return {
    ...resolveWorkspaceLimits(overrides),
    maxDownloadBytes: overrides.maxDownloadBytes ?? defaultRepositoryLimits.maxDownloadBytes,
  };
}

/** Why a tree path cannot be a workspace path, or null when it can (the path is then canonical already). */
export function unsafeTreePath(path: string): string | null {
  if (path.startsWith('/')) return 'absolute path';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return "'..' in the path";
  if (segments.some((segment) => segment.toLowerCase() === '.git')) return "'.git' in the path";
  try {
    if (normalizePath(path) !== path) return 'not a canonical path';
  } catch (error) {
    const reason = isAppError(error) ? error.details?.reason : undefined;
    return typeof reason === 'string' ? reason : 'invalid path';
  }
  return null;
}

/** Whether a symlink at `path` pointing at `target` stays inside the repository. */
export function symlinkStaysInside(path: string, target: string): boolean {
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target)) return false;
  const parts = path.split('/').slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return false;
      parts.pop();
    } else {
      parts.push(segment);
    }
  }
  return true;
}

export function planCheckout(entries: readonly GitTreeEntry[], limits: WorkspaceLimits): CheckoutPlan {
  const plan: CheckoutPlan = { files: [], skipped: [], submodules: [] };
  for (const entry of entries) {
    if (entry.type === 'tree') continue;
    const unsafe = unsafeTreePath(entry.path);
    if (unsafe !== null) {
      plan.skipped.push({ path: entry.path, reason: unsafe });
      continue;
    }
    if (entry.type === 'commit' || entry.mode === '160000') {
      plan.submodules.push({ path: entry.path, commit: entry.oid });
      continue;
    }
    if (entry.mode === '120000') {
      // Decided once the link's target is read (see `describeSymlink`); listed here so nothing imports it.
      plan.skipped.push({ path: entry.path, reason: 'symlink' });
      continue;
    }
    plan.files.push({ path: entry.path, oid: entry.oid, mode: entry.mode });
  }
  if (plan.files.length > limits.maxFiles) {
    throw new AppError(
      'GIT_REPO_TOO_LARGE',
      `The repository has ${plan.files.length} files; a workspace holds at most ${limits.maxFiles}.`,
      { details: { files: plan.files.length, maxFiles: limits.maxFiles } },
    );
  }
  return plan;
}

/** The report line for a symlink: where it points and whether that is inside the repository. */
export function describeSymlink(path: string, target: string): SkippedEntry {
  return symlinkStaysInside(path, target)
    ? { path, reason: `symlink to ${target} (kept in git, not editable as a file)` }
    : { path, reason: `symlink to ${target}, outside the repository (refused)` };
}

/** Checks one blob's size and the running total against the limits; throws the typed error that names the file. */
export function checkBlobSize(path: string, size: number, totalBytes: number, limits: WorkspaceLimits): void {
  if (size > limits.maxFileBytes) {
    throw new AppError(
      'FILE_TOO_LARGE',
      `${path} is ${formatBytes(size)}; a workspace file may be at most ${formatBytes(limits.maxFileBytes)}.`,
      { details: { path, size, maxFileBytes: limits.maxFileBytes } },
    );
  }
  if (totalBytes > limits.maxWorkspaceBytes) {
    throw new AppError(
      'GIT_REPO_TOO_LARGE',
      `The repository's files add up to more than ${formatBytes(limits.maxWorkspaceBytes)}, the workspace limit.`,
      { details: { maxWorkspaceBytes: limits.maxWorkspaceBytes } },
    );
  }
}

const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

/** Git LFS pointer files are imported as the small text files they are; the large content is not fetched. */
export function isLfsPointer(bytes: Uint8Array): boolean {
  if (bytes.byteLength > 1024) return false;
  return new TextDecoder().decode(bytes.subarray(0, LFS_POINTER.length)) === LFS_POINTER;
}
