// Pure bookkeeping on a changeset: picking hunks and recording who decided what. Nothing here touches a doc.
import { AppError } from '../errors.ts';
import {
  hunkHistoryLimit,
  type Changeset,
  type FileChange,
  type Hunk,
  type HunkActionKind,
  type HunkDecision,
  type HunkHistoryEntry,
  type HunkStatus,
} from './changeset.ts';

export interface FoundHunk {
  file: FileChange;
  hunk: Hunk;
}

export function findHunk(changeset: Changeset, hunkId: string): FoundHunk {
  for (const file of changeset.files) {
    const hunk = file.hunks.find((h) => h.id === hunkId);
    if (hunk) return { file, hunk };
  }
  throw new AppError('NOT_FOUND', `No hunk ${hunkId} in the changeset of task ${changeset.taskId}`, {
    details: { hunkId },
  });
}

/** Looks up every id first, so a bad id fails the whole request before anything changes. */
export function findHunks(changeset: Changeset, hunkIds: Iterable<string>): FoundHunk[] {
  return [...new Set(hunkIds)].map((id) => findHunk(changeset, id));
}

export interface HunkSelection {
  path?: string;
  hunkIds?: readonly string[];
}

/**
 * The hunks an "accept" request means: the listed ids (which must exist, and lie in `path` when both are given),
 * or else every hunk still waiting for a decision, optionally within one file.
 */
export function selectHunkIds(changeset: Changeset, selection: HunkSelection = {}): string[] {
  const { path, hunkIds } = selection;
  if (hunkIds !== undefined) {
    const found = findHunks(changeset, hunkIds);
    const outside = found.find((f) => path !== undefined && f.file.path !== path);
    if (outside) throw new AppError('BAD_INPUT', `Hunk ${outside.hunk.id} is not in ${path ?? ''}`);
    return found.map((f) => f.hunk.id);
  }
  return changeset.files
    .filter((f) => path === undefined || f.path === path)
    .flatMap((f) => f.hunks)
    .filter((h) => h.status === 'pending' || h.status === 'accepted')
    .map((h) => h.id);
}

export interface DecisionNotes {
  /** Recorded instead of the new status (a rollback leaves hunks `rejected` but is not a rejection). */
  action?: HunkActionKind;
  /** What landed in the live text per hunk id, when it may differ from the hunk's `newText`. */
  texts?: ReadonlyMap<string, string>;
}

/**
 * Returns a copy with the given hunks set to their new status, stamped with who decided and when, and the
 * decision appended to each hunk's history so a decided review still shows who did what.
 */
export function setHunkStatuses(
  changeset: Changeset,
  statuses: ReadonlyMap<string, HunkStatus>,
  decision: HunkDecision,
  notes: DecisionNotes = {},
): Changeset {
  if (statuses.size === 0) return changeset;
  const decidedAt = (decision.now ?? (() => new Date()))().toISOString();
  return {
    ...changeset,
    files: changeset.files.map((file) => ({
      ...file,
      hunks: file.hunks.map((hunk) => {
        const status = statuses.get(hunk.id);
        if (status === undefined) return hunk;
        const action = notes.action ?? (status === 'pending' ? undefined : status);
        const text = notes.texts?.get(hunk.id);
        const entry: HunkHistoryEntry | undefined = action && {
          action,
          by: decision.userId,
          at: decidedAt,
          ...(text !== undefined && text !== hunk.newText ? { text } : {}),
        };
        const history = entry ? [...(hunk.history ?? []), entry].slice(-hunkHistoryLimit) : hunk.history;
        return {
          ...hunk,
          status,
          decidedBy: decision.userId,
          decidedAt,
          ...(history ? { history } : {}),
        };
      }),
    })),
  };
}

/** Marks hunks rejected. A hunk already merged cannot be rejected; it has to be rolled back. */
export function rejectHunks(
  changeset: Changeset,
  hunkIds: Iterable<string>,
  decision: HunkDecision,
): Changeset {
  const found = findHunks(changeset, hunkIds);
  const merged = found.find((f) => f.hunk.status === 'applied');
  if (merged)
    throw new AppError('BAD_INPUT', `Hunk ${merged.hunk.id} is already applied; roll it back instead`);
  return setHunkStatuses(changeset, new Map(found.map((f) => [f.hunk.id, 'rejected'])), decision);
}

/** Records a rollback: hunks that were taken out of the document again count as rejected. */
export function markRolledBack(
  changeset: Changeset,
  hunkIds: Iterable<string>,
  decision: HunkDecision,
): Changeset {
  const found = findHunks(changeset, hunkIds).filter((f) => f.hunk.status === 'applied');
  return setHunkStatuses(changeset, new Map(found.map((f) => [f.hunk.id, 'rejected'])), decision, {
    action: 'rolled-back',
  });
}
