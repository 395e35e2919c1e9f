// Turns a task's virtual copy of the workspace into a changeset of zero-context line hunks, so each
// independent change can be reviewed, accepted and merged on its own.
import { diffLines } from 'diff';
import { AppError } from '../errors.ts';
import { changesetLimits, type Changeset, type FileChange, type Hunk } from './changeset.ts';
import { sha256Hex } from './hash.ts';

/**
 * Above this many differing lines jsdiff gives up and the file becomes one whole-file hunk; this bounds the
 * O(N·D) diff on pathological inputs and keeps the result deterministic (unlike a time limit).
 */
const MAX_EDIT_LENGTH = 10_000;

export interface ComputeChangesetOptions {
  taskId: string;
  /**
   * The task revision the changeset is (1 when absent). Hunk ids of later revisions carry it (`r2-0-1`), so a
   * comment or a finding on a hunk of one revision never lands on a different change of another.
   */
  revision?: number;
}

/**
 * The changeset between the snapshot and what a task proposes: per file, zero-context line hunks, each with an id
 * (`<file>-<hunk>`, prefixed `r<revision>-` after the first revision) and status `pending`.
 *
 * @param base      the files as the task saw them at the snapshot, by normalized path
 * @param proposed  the files the task wants to exist afterwards with their full new text (unchanged ones may be
 *                  included; they produce nothing)
 * @param deleted   paths of base files the task wants gone
 * @param options   the task's id and revision
 * @returns the changeset; files whose text did not change are left out
 * @throws AppError `BAD_INPUT` for a deleted path that is not in `base` or is also proposed; `PAYLOAD_TOO_LARGE`
 *   past the changeset limits
 * @example
 * ```ts
 * const changeset = computeChangeset(
 *   new Map([['a.ts', 'one\ntwo\n']]),
 *   new Map([['a.ts', 'one\n2\n']]),
 *   [],
 *   { taskId: 't1' },
 * ); // one file, one hunk replacing line 2
 * ```
 */
export function computeChangeset(
  base: ReadonlyMap<string, string>,
  proposed: ReadonlyMap<string, string>,
  deleted: Iterable<string>,
  options: ComputeChangesetOptions,
): Changeset {
  const deletedSet = new Set(deleted);
  for (const path of deletedSet) {
    if (!base.has(path)) throw new AppError('BAD_INPUT', `Cannot delete ${path}: it is not in the base`);
    if (proposed.has(path)) throw new AppError('BAD_INPUT', `${path} is both proposed and deleted`);
  }

  const paths = [...new Set([...proposed.keys(), ...deletedSet])].sort();
  const files: FileChange[] = [];
  for (const path of paths) {
    const fileIndex = files.length;
    const oldText = base.get(path);
    const newText = proposed.get(path);
    if (newText === undefined) {
      if (oldText === undefined) continue;
      files.push({
        path,
        kind: 'delete',
        baseHash: sha256Hex(oldText),
        hunks: [wholeHunk(fileIndex, oldText, '')],
      });
    } else if (oldText === undefined) {
      files.push({ path, kind: 'create', baseHash: null, hunks: [wholeHunk(fileIndex, '', newText)] });
    } else if (oldText !== newText) {
      files.push({
        path,
        kind: 'modify',
        baseHash: sha256Hex(oldText),
        hunks: diffHunks(fileIndex, oldText, newText),
      });
    }
  }
  if (files.length > changesetLimits.files) {
    throw new AppError('PAYLOAD_TOO_LARGE', `A changeset may touch at most ${changesetLimits.files} files`);
  }
  const revision = options.revision ?? 1;
  if (revision === 1) return { taskId: options.taskId, files };
  return {
    taskId: options.taskId,
    files: files.map((f) => ({ ...f, hunks: f.hunks.map((h) => ({ ...h, id: `r${revision}-${h.id}` })) })),
  };
}

export function countLines(text: string): number {
  if (text === '') return 0;
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines += 1;
  return text.endsWith('\n') ? lines : lines + 1;
}

function wholeHunk(fileIndex: number, oldText: string, newText: string): Hunk {
  return {
    id: `${fileIndex}-0`,
    oldStart: 1,
    oldLines: countLines(oldText),
    newStart: 1,
    newLines: countLines(newText),
    oldOffset: 0,
    oldText,
    newText,
    status: 'pending',
  };
}

function diffHunks(fileIndex: number, oldText: string, newText: string): Hunk[] {
  const changes = diffLines(oldText, newText, { maxEditLength: MAX_EDIT_LENGTH });
  if (changes === undefined) return [wholeHunk(fileIndex, oldText, newText)];

  const hunks: Hunk[] = [];
  let open: Hunk | undefined;
  let oldLine = 1;
  let newLine = 1;
  let oldOffset = 0;
  for (const change of changes) {
    if (!change.added && !change.removed) {
      if (open) hunks.push(open);
      open = undefined;
      oldLine += change.count;
      newLine += change.count;
      oldOffset += change.value.length;
      continue;
    }
    open ??= {
      id: `${fileIndex}-${hunks.length}`,
      oldStart: oldLine,
      oldLines: 0,
      newStart: newLine,
      newLines: 0,
      oldOffset,
      oldText: '',
      newText: '',
      status: 'pending',
    };
    if (change.removed) {
      open.oldText += change.value;
      open.oldLines += change.count;
      oldLine += change.count;
      oldOffset += change.value.length;
    } else {
      open.newText += change.value;
      open.newLines += change.count;
      newLine += change.count;
    }
  }
  if (open) hunks.push(open);
  if (hunks.length > changesetLimits.hunksPerFile) return [wholeHunk(fileIndex, oldText, newText)];
  return hunks;
}
