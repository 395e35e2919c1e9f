// Collision rules for a set of file paths, shared by the workspace model and the archive reader: a path may not
// repeat (even in another letter case), a file may not sit where a folder is (or the reverse), and a folder is
// spelled one way only. Those are the trees that extract cleanly on every operating system.

import { ancestorsOf, pathKey } from './path.ts';

export type PathConflict =
  | { kind: 'exists'; existing: string }
  | { kind: 'case'; existing: string }
  | { kind: 'folder-exists'; existing: string }
  | { kind: 'parent-is-file'; existing: string }
  | { kind: 'folder-case'; existing: string };

interface FolderEntry {
  path: string;
  files: number;
}

export class PathIndex {
  private readonly files = new Map<string, string>();
  private readonly folders = new Map<string, FolderEntry>();

  constructor(paths: Iterable<string> = []) {
    for (const path of paths) this.add(path);
  }

  get size(): number {
    return this.files.size;
  }

  has(path: string): boolean {
    return this.files.get(pathKey(path)) === path;
  }

  /** Adds a path without checking; call `conflict` first when the rules matter. */
  add(path: string): void {
    this.files.set(pathKey(path), path);
    for (const folder of ancestorsOf(path)) {
      const key = pathKey(folder);
      const entry = this.folders.get(key);
      if (entry) entry.files += 1;
      else this.folders.set(key, { path: folder, files: 1 });
    }
  }

  remove(path: string): void {
    const key = pathKey(path);
    if (this.files.get(key) !== path) return;
    this.files.delete(key);
    for (const folder of ancestorsOf(path)) {
      const folderKey = pathKey(folder);
      const entry = this.folders.get(folderKey);
      if (!entry) continue;
      entry.files -= 1;
      if (entry.files === 0) this.folders.delete(folderKey);
    }
  }

  /** Why `path` cannot be added next to the paths already indexed, or `undefined` when it can. */
  conflict(path: string): PathConflict | undefined {
    const key = pathKey(path);
    const existing = this.files.get(key);
    if (existing !== undefined) return { kind: existing === path ? 'exists' : 'case', existing };
    const folder = this.folders.get(key);
    if (folder) return { kind: 'folder-exists', existing: folder.path };
    for (const ancestor of ancestorsOf(path)) {
      const ancestorKey = pathKey(ancestor);
      const file = this.files.get(ancestorKey);
      if (file !== undefined) return { kind: 'parent-is-file', existing: file };
      const entry = this.folders.get(ancestorKey);
      if (entry && entry.path !== ancestor) return { kind: 'folder-case', existing: entry.path };
    }
    return undefined;
  }

  /** Paths of files inside `folder` (matched exactly, not case-insensitively). */
  filesInside(folder: string): string[] {
    const prefix = `${folder}/`;
    return [...this.files.values()].filter((path) => path.startsWith(prefix));
  }

  isFolder(path: string): boolean {
    return this.folders.get(pathKey(path))?.path === path;
  }
}

export function describeConflict(path: string, conflict: PathConflict): string {
  const shown = JSON.stringify(path);
  const other = JSON.stringify(conflict.existing);
  switch (conflict.kind) {
    case 'exists':
      return `${shown} already exists.`;
    case 'case':
      return `${shown} collides with ${other}: the names differ only in letter case.`;
    case 'folder-exists':
      return `${shown} collides with the folder ${other}.`;
    case 'parent-is-file':
      return `${shown} needs a folder ${other}, but that is a file.`;
    case 'folder-case':
      return `${shown} uses a folder spelled ${other} elsewhere: the names differ only in letter case.`;
  }
}
