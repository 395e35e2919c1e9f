// Merges accepted hunks into the live doc without overwriting anything a human changed since the snapshot:
// each hunk lands where its anchored lines are now, or comes back as a conflict.
import type * as Y from 'yjs';
import { AppError } from '../errors.ts';
import type {
  Changeset,
  FileChange,
  Hunk,
  HunkConflict,
  HunkDecision,
  HunkStatus,
  UndoRecord,
} from './changeset.ts';
import { sha256Hex } from './hash.ts';
import { findHunks, setHunkStatuses, type FoundHunk } from './hunk-decisions.ts';
import {
  anchorRange,
  ContentCache,
  locateRegion,
  replaceRegions,
  theirsText,
  type LocatedRegion,
} from './region.ts';
import { taskOrigin } from './task-origin.ts';
import { createTextFile, fileText, pathTaken, removeFile } from './workspace-files.ts';

export interface MergeOptions extends HunkDecision {
  taskId: string;
}

export interface ApplyResult {
  /** The changeset with the attempted hunks marked `applied` or `conflict`. */
  changeset: Changeset;
  /** Ids of the hunks that are now in the document (including ones whose result was already there). */
  applied: string[];
  conflicts: HunkConflict[];
  /** One record per hunk this call changed the document for; keep them to roll the task back. */
  undo: UndoRecord[];
}

type LandOutcome = { ok: true; undo: UndoRecord | null } | { ok: false; conflict: HunkConflict };

/**
 * Applies the listed hunks in one transaction whose origin names the task (`taskOrigin(taskId, userId, 'apply')`).
 * Hunks already applied are skipped, so repeating an accept is harmless; a rejected or conflicted hunk is tried
 * again when listed. Unknown ids fail the whole call before anything changes.
 *
 * Each hunk lands where its anchored lines are now. A hunk whose lines someone changed since the snapshot (or whose
 * file is gone, or whose created file's path is taken) is not applied: it comes back in `conflicts` with the current
 * text (`ours`) and what the lines would become (`theirs`), and nothing a person typed is overwritten.
 *
 * @param doc - the live workspace document
 * @param changeset - an anchored changeset (`anchorChangeset`)
 * @param hunkIds - the hunks to accept
 * @param options - the task's id (must match the changeset's) and the accepting user
 * @returns the changeset with the attempted hunks marked `applied` or `conflict`, the applied ids, the conflicts,
 *   and undo records to keep for `rollbackTask`
 * @throws AppError `BAD_INPUT` for another task's changeset; `NOT_FOUND` for an unknown hunk id
 * @example
 * ```ts
 * const { applied, conflicts, undo } = applyHunks(doc, anchored, ['0-0', '0-1'], { taskId: 't1', userId: 'u1' });
 * ```
 */
export function applyHunks(
  doc: Y.Doc,
  changeset: Changeset,
  hunkIds: Iterable<string>,
  options: MergeOptions,
): ApplyResult {
  if (options.taskId !== changeset.taskId) {
    throw new AppError('BAD_INPUT', `Changeset belongs to task ${changeset.taskId}, not ${options.taskId}`);
  }
  const targets = findHunks(changeset, hunkIds).filter((t) => t.hunk.status !== 'applied');
  const outcomes = doc.transact(
    () => landHunks(doc, changeset.taskId, targets),
    taskOrigin(options.taskId, options.userId, 'apply'),
  );

  const statuses = new Map<string, HunkStatus>();
  const applied: string[] = [];
  const conflicts: HunkConflict[] = [];
  const undo: UndoRecord[] = [];
  for (const [i, { hunk }] of targets.entries()) {
    const outcome = outcomes[i];
    if (outcome === undefined) continue;
    if (outcome.ok) {
      statuses.set(hunk.id, 'applied');
      applied.push(hunk.id);
      if (outcome.undo) undo.push(outcome.undo);
    } else {
      statuses.set(hunk.id, 'conflict');
      conflicts.push(outcome.conflict);
    }
  }
  return { changeset: setHunkStatuses(changeset, statuses, options), applied, conflicts, undo };
}

/**
 * Lands hunks inside the caller's transaction; outcomes line up with `targets`. Every region is located before
 * the first write and then all are written back to front (see `replaceRegions`): re-reading a large file after
 * each hunk would make a big changeset quadratic.
 */
function landHunks(doc: Y.Doc, taskId: string, targets: readonly FoundHunk[]): LandOutcome[] {
  const outcomes: LandOutcome[] = [];
  const contents = new ContentCache();
  const writes: { index: number; target: FoundHunk; region: LocatedRegion }[] = [];
  for (const [index, target] of targets.entries()) {
    const { file, hunk } = target;
    if (file.kind === 'create') outcomes[index] = landCreate(doc, taskId, file, hunk);
    else if (file.kind === 'delete') outcomes[index] = landDelete(doc, taskId, file, hunk);
    else {
      const located = locateHunk(doc, file, hunk, contents);
      if (located.ok) writes.push({ index, target, region: located });
      else outcomes[index] = located.outcome;
    }
  }

  const anchors = replaceRegions(
    writes.map((w) => ({ region: w.region, replacement: w.target.hunk.newText })),
  );
  for (const [i, { index, target, region }] of writes.entries()) {
    const { file, hunk } = target;
    const anchor = anchors[i];
    outcomes[index] = anchor
      ? { ok: true, undo: record(taskId, file, hunk, anchor, hunk.newText, hunk.oldText) }
      : conflict(
          file,
          hunk,
          'region-changed',
          region.current,
          theirsText(hunk.oldText, hunk.newText, region.current),
        );
  }
  return outcomes;
}

function landCreate(doc: Y.Doc, taskId: string, file: FileChange, hunk: Hunk): LandOutcome {
  if (pathTaken(doc, file.path)) {
    const existing = fileText(doc, file.path);
    const current = existing?.toJSON() ?? '';
    // Someone created the very same file meanwhile: the goal is reached and there is nothing of ours to undo.
    if (existing && current === hunk.newText) return { ok: true, undo: null };
    return conflict(file, hunk, 'file-exists', current, hunk.newText);
  }
  const text = createTextFile(doc, file.path);
  text.insert(0, hunk.newText);
  return {
    ok: true,
    undo: record(taskId, file, hunk, anchorRange(text, 0, hunk.newText.length), hunk.newText, ''),
  };
}

function landDelete(doc: Y.Doc, taskId: string, file: FileChange, hunk: Hunk): LandOutcome {
  const text = fileText(doc, file.path);
  if (text === undefined) return { ok: true, undo: null };
  const current = text.toJSON();
  if (sha256Hex(current) !== file.baseHash) return conflict(file, hunk, 'file-changed', current, '');
  removeFile(doc, file.path);
  return { ok: true, undo: record(taskId, file, hunk, null, '', current) };
}

/** The hunk's region if it still holds exactly the text the task saw, else the conflict to report. */
function locateHunk(
  doc: Y.Doc,
  file: FileChange,
  hunk: Hunk,
  contents: ContentCache,
): LocatedRegion | { ok: false; outcome: LandOutcome } {
  if (hunk.anchor === undefined) {
    const reason = fileText(doc, file.path) ? 'anchor-lost' : 'file-deleted';
    return { ok: false, outcome: conflict(file, hunk, reason, '', hunk.newText) };
  }
  const region = locateRegion(doc, file.path, hunk.anchor, hunk.oldText, contents);
  if (!region.ok) return { ok: false, outcome: conflict(file, hunk, region.reason, '', hunk.newText) };
  if (region.current !== hunk.oldText) {
    const theirs = theirsText(hunk.oldText, hunk.newText, region.current);
    return { ok: false, outcome: conflict(file, hunk, 'region-changed', region.current, theirs) };
  }
  return region;
}

function conflict(
  file: FileChange,
  hunk: Hunk,
  reason: HunkConflict['reason'],
  ours: string,
  theirs: string,
): LandOutcome {
  return { ok: false, conflict: { path: file.path, hunkId: hunk.id, reason, ours, theirs } };
}

export function record(
  taskId: string,
  file: Pick<FileChange, 'path' | 'kind'>,
  hunk: Pick<Hunk, 'id'>,
  anchor: UndoRecord['anchor'],
  insertedText: string,
  originalText: string,
): UndoRecord {
  return { taskId, hunkId: hunk.id, path: file.path, kind: file.kind, anchor, insertedText, originalText };
}
