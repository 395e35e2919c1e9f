// Two tasks on one file: which files a task touches (its proposal, the files it pinned and those its context
// selection showed the model), and which other unfinished or undecided tasks touch the same ones. Whatever is
// accepted first moves the other's lines; the other's review is computed against the live text, so it shows its
// changes where they now land, or as conflicts.
import type { Changeset } from '../changeset/changeset.ts';

/** What is known of a task's files at some moment. */
export interface TaskFiles {
  changeset?: Changeset | null | undefined;
  /** `paths` given at creation. */
  pinned?: readonly string[] | undefined;
  /** Files its context selection chose; those shown only in the repository map do not count. */
  context?: readonly { path: string; reason: string }[] | undefined;
}

export function taskPaths(files: TaskFiles): string[] {
  const paths = new Set<string>(files.pinned ?? []);
  for (const file of files.context ?? []) if (file.reason !== 'map') paths.add(file.path);
  for (const file of files.changeset?.files ?? []) paths.add(file.path);
  return [...paths].sort();
}

const running: ReadonlySet<string> = new Set(['queued', 'running']);

/**
 * Whether a task may still change files: it runs, or its proposal has changes nobody decided on yet (proposed, or
 * partly applied with some still pending).
 */
export function isUndecided(state: string, changeset: Changeset | null | undefined): boolean {
  if (running.has(state)) return true;
  if (state !== 'proposed' && state !== 'applied') return false;
  return (changeset?.files ?? []).some((f) =>
    f.hunks.some((h) => h.status === 'pending' || h.status === 'accepted' || h.status === 'conflict'),
  );
}

export interface OtherTask {
  taskId: string;
  prompt: string;
  state: string;
  paths: readonly string[];
}

export interface TaskOverlap {
  taskId: string;
  prompt: string;
  state: string;
  /** The files both touch, sorted. */
  paths: string[];
}

/** The other tasks that touch any of `paths`, in the order given, each with the shared files. */
export function findOverlaps(
  taskId: string,
  paths: readonly string[],
  others: readonly OtherTask[],
): TaskOverlap[] {
  const mine = new Set(paths);
  const overlaps: TaskOverlap[] = [];
  for (const other of others) {
    if (other.taskId === taskId) continue;
    const shared = [...new Set(other.paths)].filter((p) => mine.has(p)).sort();
    if (shared.length > 0) {
      overlaps.push({ taskId: other.taskId, prompt: other.prompt, state: other.state, paths: shared });
    }
  }
  return overlaps;
}
