// What changed between a commit's tree and the live workspace: compared by git blob id, so unchanged files cost a
// hash and nothing else, and a deleted file whose content reappears under another path is a rename.
import { createTwoFilesPatch } from 'diff';

export type GitChangeKind = 'added' | 'modified' | 'deleted' | 'renamed';

export interface GitChange {
  kind: GitChangeKind;
  path: string;
  /** The path before a rename. */
  from?: string;
}

export interface GitChangeWithDiff extends GitChange {
  /** A unified diff (git's format without the `diff --git` header); binary files say so instead. */
  diff: string;
  binary: boolean;
}

/**
 * `base`: path -> blob id of the committed files that are workspace files (skipped entries left out, so they are
 * never reported as deleted). `live`: path -> blob id of the workspace's files now. Sorted by path.
 */
export function compareTrees(
  base: ReadonlyMap<string, string>,
  live: ReadonlyMap<string, string>,
): GitChange[] {
  const added: string[] = [];
  const deleted: string[] = [];
  const changes: GitChange[] = [];
  for (const [path, oid] of live) {
    const before = base.get(path);
    if (before === undefined) added.push(path);
    else if (before !== oid) changes.push({ kind: 'modified', path });
  }
  for (const path of base.keys()) if (!live.has(path)) deleted.push(path);
  // A rename is an exact content match; the first deleted path with that content pairs with the first added one.
  const deletedByOid = new Map<string, string[]>();
  for (const path of deleted) {
    const oid = base.get(path) ?? '';
    deletedByOid.set(oid, [...(deletedByOid.get(oid) ?? []), path]);
  }
  const renamedFrom = new Set<string>();
  for (const path of added) {
    const candidates = deletedByOid.get(live.get(path) ?? '');
    const from = candidates?.shift();
    if (from !== undefined) {
      renamedFrom.add(from);
      changes.push({ kind: 'renamed', path, from });
    } else {
      changes.push({ kind: 'added', path });
    }
  }
  for (const path of deleted) if (!renamedFrom.has(path)) changes.push({ kind: 'deleted', path });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Git's diff of one file: `null` content means the file does not exist on that side. */
export function unifiedDiff(change: GitChange, before: string | null, after: string | null): string {
  const oldName = before === null ? '/dev/null' : `a/${change.from ?? change.path}`;
  const newName = after === null ? '/dev/null' : `b/${change.path}`;
  const patch = createTwoFilesPatch(oldName, newName, before ?? '', after ?? '', undefined, undefined, {
    context: 3,
  });
  // jsdiff starts with an `Index:`-less "===" line; git's format starts at the --- line.
  return patch.replace(/^=+\n/, '');
}
