// Takes one task's merged hunks back out of the live doc, restoring what they replaced, while every edit made
// elsewhere since stays. A hunk whose inserted text was edited afterwards is reported, never clobbered.
import type * as Y from 'yjs';
import { AppError } from '../errors.ts';
import type { HunkConflict, UndoRecord } from './changeset.ts';
import { ContentCache, locateRegion, replaceRegions, theirsText, type LocatedRegion } from './region.ts';
import { taskOrigin } from './task-origin.ts';
import { createTextFile, fileText, pathTaken, removeFile } from './workspace-files.ts';

export interface RollbackOptions {
  taskId: string;
  userId: string;
}

export interface RollbackResult {
  /** Hunk ids whose original text is back (or whose effect was already gone). */
  restored: string[];
  /** Records that could not be undone; `theirs` is what the lines would become if restored anyway. */
  conflicts: HunkConflict[];
}

type RevertOutcome = { ok: true } | { ok: false; conflict: HunkConflict };

/**
 * Reverts the records (reported newest first) in one transaction with origin `taskOrigin(taskId, userId, 'rollback')`.
 * Records are consumed: once restored, reverting them again reports conflicts rather than doing anything.
 *
 * Only the task's own text comes out; edits made elsewhere since stay. A record whose inserted text was edited
 * afterwards is reported in `conflicts`, never clobbered.
 *
 * @param doc - the live workspace document
 * @param records - the task's undo records, as `applyHunks` returned them
 * @param options - the task and the user rolling it back
 * @returns the hunk ids restored and the records that could not be
 * @throws AppError `BAD_INPUT` when a record belongs to another task
 * @example
 * ```ts
 * const { restored, conflicts } = rollbackTask(doc, undo, { taskId: 't1', userId: 'u1' });
 * ```
 */
export function rollbackTask(
  doc: Y.Doc,
  records: readonly UndoRecord[],
  options: RollbackOptions,
): RollbackResult {
  const foreign = records.find((r) => r.taskId !== options.taskId);
  if (foreign)
    throw new AppError(
      'BAD_INPUT',
      `Undo record of task ${foreign.taskId} in a rollback of ${options.taskId}`,
    );
  const ordered = [...records].reverse();
  const outcomes = doc.transact(
    () => revertAll(doc, ordered),
    taskOrigin(options.taskId, options.userId, 'rollback'),
  );
  const restored: string[] = [];
  const conflicts: HunkConflict[] = [];
  for (const [i, r] of ordered.entries()) {
    const outcome = outcomes[i];
    if (outcome === undefined) continue;
    if (outcome.ok) restored.push(r.hunkId);
    else conflicts.push(outcome.conflict);
  }
  return { restored, conflicts };
}

/** Outcomes line up with `records`. Like a merge, all regions are located before the first write. */
function revertAll(doc: Y.Doc, records: readonly UndoRecord[]): RevertOutcome[] {
  const outcomes: RevertOutcome[] = [];
  const contents = new ContentCache();
  const writes: { index: number; record: UndoRecord; region: LocatedRegion }[] = [];
  for (const [index, r] of records.entries()) {
    if (r.kind === 'create') outcomes[index] = revertCreate(doc, r);
    else if (r.kind === 'delete') outcomes[index] = revertDelete(doc, r);
    else {
      const located = locateInserted(doc, r, contents);
      if (located.ok) writes.push({ index, record: r, region: located });
      else outcomes[index] = located.outcome;
    }
  }
  const anchors = replaceRegions(
    writes.map((w) => ({ region: w.region, replacement: w.record.originalText })),
  );
  for (const [i, { index, record: r, region }] of writes.entries()) {
    outcomes[index] = anchors[i]
      ? { ok: true }
      : conflict(
          r,
          'region-changed',
          region.current,
          theirsText(r.insertedText, r.originalText, region.current),
        );
  }
  return outcomes;
}

/** The region of the text the task inserted, if it is still exactly that text. */
function locateInserted(
  doc: Y.Doc,
  r: UndoRecord,
  contents: ContentCache,
): LocatedRegion | { ok: false; outcome: RevertOutcome } {
  if (r.anchor === null) return { ok: false, outcome: conflict(r, 'anchor-lost', '', r.originalText) };
  const region = locateRegion(doc, r.path, r.anchor, r.insertedText, contents);
  if (!region.ok) return { ok: false, outcome: conflict(r, region.reason, '', r.originalText) };
  if (region.current !== r.insertedText) {
    const theirs = theirsText(r.insertedText, r.originalText, region.current);
    return { ok: false, outcome: conflict(r, 'region-changed', region.current, theirs) };
  }
  return region;
}

function revertCreate(doc: Y.Doc, r: UndoRecord): RevertOutcome {
  if (fileText(doc, r.path) === undefined) return { ok: true };
  if (r.anchor === null) return conflict(r, 'anchor-lost', '', '');
  const region = locateRegion(doc, r.path, r.anchor, r.insertedText);
  // The created file was deleted, and whatever holds the path now is someone else's.
  if (!region.ok && region.reason === 'file-deleted') return { ok: true };
  const current = fileText(doc, r.path)?.toJSON() ?? '';
  if (!region.ok) return conflict(r, region.reason, current, '');
  if (current !== r.insertedText) return conflict(r, 'file-changed', current, '');
  removeFile(doc, r.path);
  return { ok: true };
}

function revertDelete(doc: Y.Doc, r: UndoRecord): RevertOutcome {
  if (pathTaken(doc, r.path)) {
    const current = fileText(doc, r.path)?.toJSON();
    if (current === r.originalText) return { ok: true };
    return conflict(r, 'file-exists', current ?? '', r.originalText);
  }
  createTextFile(doc, r.path).insert(0, r.originalText);
  return { ok: true };
}

function conflict(
  r: UndoRecord,
  reason: HunkConflict['reason'],
  ours: string,
  theirs: string,
): RevertOutcome {
  return { ok: false, conflict: { path: r.path, hunkId: r.hunkId, reason, ours, theirs } };
}
