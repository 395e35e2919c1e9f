// The rules every archive format shares: entry names become safe workspace paths, limits are charged before
// anything is decompressed where the format allows it, and each refusal names the entry that caused it.

import { AppError, isAppError } from '../errors.ts';
import { formatBytes } from './limits.ts';
import { PathIndex } from './path-index.ts';
import { normalizePath } from './path.ts';

export interface ArchiveLimits {
  /** Entries of any kind (files, folders, links); metadata records such as pax headers are bounded separately. */
  maxEntries: number;
  maxFileBytes: number;
  /** Sum of all extracted file sizes. */
  maxTotalBytes: number;
  /**
   * Largest accepted ratio of extracted bytes to archive bytes, checked once extraction passes
   * `EXPANSION_RATIO_FLOOR`; ordinary source trees compress 3-20x, bombs 1000x and more.
   */
  maxExpansionRatio: number;
}

export const defaultArchiveLimits: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 20_000,
  maxFileBytes: 2 * 1024 * 1024,
  maxTotalBytes: 100 * 1024 * 1024,
  maxExpansionRatio: 200,
});

/** Below this many extracted bytes the ratio is not checked: a small archive of a blank file is no threat. */
export const EXPANSION_RATIO_FLOOR = 16 * 1024 * 1024;

export function resolveArchiveLimits(overrides: Partial<ArchiveLimits> = {}): ArchiveLimits {
  return {
    maxEntries: overrides.maxEntries ?? defaultArchiveLimits.maxEntries,
    maxFileBytes: overrides.maxFileBytes ?? defaultArchiveLimits.maxFileBytes,
    maxTotalBytes: overrides.maxTotalBytes ?? defaultArchiveLimits.maxTotalBytes,
    maxExpansionRatio: overrides.maxExpansionRatio ?? defaultArchiveLimits.maxExpansionRatio,
  };
}

export interface ArchiveEntry {
  path: string;
  content: Uint8Array;
}

export function archiveRejected(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('ARCHIVE_REJECTED', message, details ? { details } : {});
}

export function entryRejected(name: string, reason: string): AppError {
  return archiveRejected(`Archive entry ${JSON.stringify(name)} ${reason}.`, { entry: name });
}

/** The most bytes extraction may produce for an archive of `archiveBytes`, before it counts as a bomb. */
export function expansionBudget(limits: ArchiveLimits, archiveBytes: number): number {
  return Math.max(EXPANSION_RATIO_FLOOR, archiveBytes * limits.maxExpansionRatio);
}

export function expansionRejected(limits: ArchiveLimits, archiveBytes: number): AppError {
  return archiveRejected(
    `The archive (${formatBytes(archiveBytes)}) expands more than ${limits.maxExpansionRatio}x; ` +
      'refusing it as a likely decompression bomb.',
    { archiveBytes, maxExpansionRatio: limits.maxExpansionRatio },
  );
}

/** Folder-entry names like `./`, `.` or `src/` reduced to a path, or '' for the archive root. */
function folderName(name: string): string {
  let path = name.replace(/\\/g, '/').replace(/\/+$/, '');
  while (path.startsWith('./')) path = path.slice(2);
  return path === '.' ? '' : path;
}

export class ArchiveCollector {
  readonly limits: ArchiveLimits;
  private entryCount = 0;
  private reservedBytes = 0;
  private readonly index = new PathIndex();
  private readonly files: ArchiveEntry[] = [];

  constructor(limits: ArchiveLimits) {
    this.limits = limits;
  }

  countEntry(name: string): void {
    this.entryCount += 1;
    if (this.entryCount > this.limits.maxEntries) {
      throw archiveRejected(
        `The archive has more than ${this.limits.maxEntries} entries (stopped at ${JSON.stringify(name)}).`,
        { limit: this.limits.maxEntries },
      );
    }
  }

  private safePath(name: string, path: string): string {
    try {
      return normalizePath(path);
    } catch (error) {
      if (isAppError(error) && error.code === 'INVALID_PATH') {
        const reason = typeof error.details?.reason === 'string' ? error.details.reason : 'invalid';
        throw entryRejected(name, `has an unsafe path (${reason})`);
      }
      throw error;
    }
  }

  /** Validates a folder entry's name; folders themselves are implied by the files inside them. */
  checkFolder(name: string): void {
    const path = folderName(name);
    if (path !== '') this.safePath(name, path);
  }

  /**
   * Validates a file entry before its data is read and reserves its size against the limits. Returns the
   * workspace path the entry will have.
   */
  admitFile(name: string, size: number): string {
    const path = this.safePath(name, name);
    const conflict = this.index.conflict(path);
    if (conflict) {
      const other = JSON.stringify(conflict.existing);
      switch (conflict.kind) {
        case 'exists':
          throw entryRejected(name, 'appears more than once');
        case 'case':
          throw entryRejected(name, `duplicates ${other} (the names differ only in letter case)`);
        case 'folder-case':
          throw entryRejected(name, `uses a folder spelled ${other} elsewhere (differs only in letter case)`);
        case 'folder-exists':
        case 'parent-is-file':
          throw entryRejected(name, `clashes with ${other}: one path is both a file and a folder`);
      }
    }
    if (size > this.limits.maxFileBytes) {
      throw entryRejected(
        name,
        `is ${formatBytes(size)}; the limit per file is ${formatBytes(this.limits.maxFileBytes)}`,
      );
    }
    if (this.reservedBytes + size > this.limits.maxTotalBytes) {
      throw archiveRejected(
        `The archive expands to more than ${formatBytes(this.limits.maxTotalBytes)} (stopped at ${JSON.stringify(name)}).`,
        { entry: name, limit: this.limits.maxTotalBytes },
      );
    }
    this.reservedBytes += size;
    this.index.add(path);
    return path;
  }

  addFile(path: string, content: Uint8Array): void {
    this.files.push({ path, content });
  }

  /** The collected files in archive order; with `stripRoot`, a single folder holding everything is removed. */
  result(stripRoot: boolean): ArchiveEntry[] {
    if (!stripRoot || this.files.length === 0) return this.files;
    const first = this.files[0]?.path ?? '';
    const slash = first.indexOf('/');
    if (slash === -1) return this.files;
    const root = first.slice(0, slash + 1);
    if (!this.files.every((file) => file.path.startsWith(root))) return this.files;
    return this.files.map((file) => ({ path: file.path.slice(root.length), content: file.content }));
  }
}
