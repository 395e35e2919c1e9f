// A reviewer settles a conflicted hunk: keep the human's text, take the task's, or write the merge by hand.
import type * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { record, type MergeOptions } from './apply-hunks.ts';
import type { Changeset, FileChange, Hunk, UndoRecord } from './changeset.ts';
import { findHunk, setHunkStatuses } from './hunk-decisions.ts';
import { locateRegion, replaceRegion, theirsText, type LocatedRegion } from './region.ts';
import { taskOrigin } from './task-origin.ts';
import { createTextFile, fileText, pathTaken, removeFile } from './workspace-files.ts';

export type ConflictChoice = 'ours' | 'theirs' | { text: string };

export interface ResolveOptions extends MergeOptions {
  /**
   * The `ours` text the reviewer was looking at. If the region has changed again since, the resolution is
   * refused (CONFLICT) instead of overwriting text the reviewer never saw.
   */
  expectedOurs?: string;
}

export interface ResolveResult {
  changeset: Changeset;
  /** Set when the document changed; keep it with the task's other undo records. */
  undo: UndoRecord | null;
}

/**
 * Settles an open hunk (in conflict, or pending and shown in conflict by the preview).
 * `ours` marks the hunk rejected and leaves the document alone. `theirs` puts the task's text where the
 * conflicting lines are now (for a pure insertion: before what the human typed there); `{ text }` puts the given
 * text there. Either marks the hunk applied, in one transaction with origin `taskOrigin(taskId, userId, 'resolve')`.
 */
export function resolveConflict(
  doc: Y.Doc,
  changeset: Changeset,
  hunkId: string,
  choice: ConflictChoice,
  options: ResolveOptions,
): ResolveResult {
  if (options.taskId !== changeset.taskId) {
    throw new AppError('BAD_INPUT', `Changeset belongs to task ${changeset.taskId}, not ${options.taskId}`);
  }
  const { file, hunk } = findHunk(changeset, hunkId);
  // An open hunk the preview shows in conflict can be settled before anyone pressed Accept; a decided one cannot.
  if (hunk.status === 'applied' || hunk.status === 'rejected')
    throw new AppError('BAD_INPUT', `Hunk ${hunkId} is already ${hunk.status}`);
  if (choice === 'ours') {
    return { changeset: setHunkStatuses(changeset, new Map([[hunkId, 'rejected']]), options), undo: null };
  }
  const undo = doc.transact(
    () => resolveInDoc(doc, changeset.taskId, file, hunk, choice, options.expectedOurs),
    taskOrigin(options.taskId, options.userId, 'resolve'),
  );
  const texts = undo ? new Map([[hunkId, undo.insertedText]]) : undefined;
  return {
    changeset: setHunkStatuses(changeset, new Map([[hunkId, 'applied']]), options, texts ? { texts } : {}),
    undo,
  };
}

function resolveInDoc(
  doc: Y.Doc,
  taskId: string,
  file: FileChange,
  hunk: Hunk,
  choice: 'theirs' | { text: string },
  expectedOurs: string | undefined,
): UndoRecord | null {
  if (file.kind === 'modify') {
    if (hunk.anchor === undefined) throw lost(file, hunk, 'anchor-lost');
    const region = locateRegion(doc, file.path, hunk.anchor, hunk.oldText);
    if (!region.ok) throw lost(file, hunk, region.reason);
    checkExpected(region.current, expectedOurs, hunk);
    const replacement =
      choice === 'theirs' ? theirsText(hunk.oldText, hunk.newText, region.current) : choice.text;
    return replaceAndRecord(taskId, file, hunk, region, replacement);
  }

  const text = fileText(doc, file.path);
  const current = text?.toJSON() ?? '';
  checkExpected(current, expectedOurs, hunk);
  if (file.kind === 'delete' && choice === 'theirs') {
    if (text === undefined) return null;
    removeFile(doc, file.path);
    return record(taskId, file, hunk, null, '', current);
  }

  const replacement = choice === 'theirs' ? hunk.newText : choice.text;
  if (text === undefined) {
    if (pathTaken(doc, file.path)) throw lost(file, hunk, 'file-exists');
    const created = createTextFile(doc, file.path);
    const region: LocatedRegion = { ok: true, text: created, from: 0, to: 0, current: '' };
    return replaceAndRecord(taskId, { path: file.path, kind: 'create' }, hunk, region, replacement);
  }
  const whole: LocatedRegion = { ok: true, text, from: 0, to: current.length, current };
  return replaceAndRecord(taskId, { path: file.path, kind: 'modify' }, hunk, whole, replacement);
}

function replaceAndRecord(
  taskId: string,
  file: Pick<FileChange, 'path' | 'kind'>,
  hunk: Hunk,
  region: LocatedRegion,
  replacement: string,
): UndoRecord | null {
  if (region.current === replacement && file.kind !== 'create') return null;
  const anchor = replaceRegion(region, replacement);
  return record(taskId, file, hunk, anchor, replacement, region.current);
}

function checkExpected(current: string, expected: string | undefined, hunk: Hunk): void {
  if (expected !== undefined && current !== expected) {
    throw new AppError('CONFLICT', `The lines of hunk ${hunk.id} changed again; review the conflict anew`, {
      details: { hunkId: hunk.id, ours: current },
    });
  }
}

function lost(file: FileChange, hunk: Hunk, reason: string): AppError {
  return new AppError(
    'CONFLICT',
    `Hunk ${hunk.id} has no place in ${file.path} any more; edit the file by hand`,
    {
      details: { hunkId: hunk.id, path: file.path, reason },
    },
  );
}
