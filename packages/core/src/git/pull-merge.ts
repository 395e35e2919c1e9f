// A pull merges the remote's new commits into the live files the way an accepted AI change is merged: the remote's
// changes (from the merge base to the fetched commit) are replayed on what the team has now, line by line. Lines only
// the remote changed land at once; lines both sides changed become conflicts for the review, where "accept" takes the
// remote's text and "reject" keeps the team's. Nothing anyone typed is overwritten without a person deciding.
//
// The merge is planned on a copy of the live texts taken with a `Y.Snapshot` (`pullChangeset`, off the event loop),
// then anchored against that snapshot and applied like an accepted AI change: peers keep typing meanwhile, and a
// hunk whose lines one of them changed since the copy comes back as a conflict instead of overwriting them.
import { diffArrays } from 'diff';
import type { Changeset } from '../changeset/changeset.ts';
import { computeChangeset } from '../changeset/compute-changeset.ts';

/** Above this many differing lines the diff gives up and the whole file counts as one change (bounded work). */
const MAX_EDIT_LENGTH = 10_000;

/** A text file the remote changed: its text at the merge base and at the fetched commit (null: absent there). */
export interface PulledFile {
  path: string;
  base: string | null;
  theirs: string | null;
}

/** Lines `[start, end)` of the live text (0-based) that the merge replaces. */
export interface LiveRegion {
  start: number;
  end: number;
}

export interface PullPlan {
  /** Each changed file's text with every remote change in it (on conflicting lines, the remote's text). */
  proposed: Map<string, string>;
  /** Files the remote deleted. */
  deleted: string[];
  /** Where both sides changed the same lines, by path; `'file'` when the whole file is in question. */
  conflicts: Map<string, LiveRegion[] | 'file'>;
}

/** Lines with their line breaks, so joining them gives the text back. */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** `base[start, end)` replaced by `lines`. */
interface LineChange {
  start: number;
  end: number;
  lines: string[];
}

function changesFrom(base: readonly string[], other: readonly string[]): LineChange[] {
  const parts = diffArrays(base as string[], other as string[], { maxEditLength: MAX_EDIT_LENGTH });
  if (parts === undefined) return [{ start: 0, end: base.length, lines: [...other] }];
  const changes: LineChange[] = [];
  let at = 0;
  let open: LineChange | undefined;
  for (const part of parts) {
    if (!part.added && !part.removed) {
      if (open) changes.push(open);
      open = undefined;
      at += part.value.length;
      continue;
    }
    open ??= { start: at, end: at, lines: [] };
    if (part.removed) {
      open.end += part.value.length;
      at += part.value.length;
    } else open.lines.push(...part.value);
  }
  if (open) changes.push(open);
  return changes;
}

/** `base[start, end)` with one side's changes inside it applied. */
function sideOf(
  base: readonly string[],
  start: number,
  end: number,
  changes: readonly LineChange[],
): string[] {
  const out: string[] = [];
  let at = start;
  for (const change of changes) {
    out.push(...base.slice(at, change.start), ...change.lines);
    at = change.end;
  }
  out.push(...base.slice(at, end));
  return out;
}

export interface TextMerge {
  /** The live text with the remote's changes in it, the remote's text on conflicting lines. */
  merged: string;
  /** Live lines both sides changed (differently). */
  conflicts: LiveRegion[];
}

/**
 * Three-way merge of one text, diff3 style: the two sides' changes against the base are grouped where they overlap
 * or touch; a group with changes from the remote only is taken, one with changes from both (that do not agree) is a
 * conflict.
 */
export function mergeText(base: string, live: string, theirs: string): TextMerge {
  const baseLines = splitLines(base);
  const liveLines = splitLines(live);
  const ours = changesFrom(baseLines, liveLines).map((c) => ({ ...c, side: 'ours' as const }));
  const remote = changesFrom(baseLines, splitLines(theirs)).map((c) => ({ ...c, side: 'theirs' as const }));
  const groups: { start: number; end: number; ours: LineChange[]; theirs: LineChange[] }[] = [];
  for (const change of [...ours, ...remote].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = groups.at(-1);
    if (last && change.start <= last.end) {
      last.end = Math.max(last.end, change.end);
      last[change.side].push(change);
    } else {
      groups.push({ start: change.start, end: change.end, ours: [], theirs: [] });
      groups.at(-1)?.[change.side].push(change);
    }
  }
  const replacements: (LiveRegion & { lines: string[]; conflict: boolean })[] = [];
  let shift = 0;
  for (const group of groups) {
    const mine = sideOf(baseLines, group.start, group.end, group.ours);
    const start = group.start + shift;
    shift += mine.length - (group.end - group.start);
    if (group.theirs.length === 0) continue;
    const yours = sideOf(baseLines, group.start, group.end, group.theirs);
    if (yours.length === mine.length && yours.every((line, i) => line === mine[i])) continue;
    replacements.push({ start, end: start + mine.length, lines: yours, conflict: group.ours.length > 0 });
  }
  const out = [...liveLines];
  for (const r of [...replacements].reverse()) out.splice(r.start, r.end - r.start, ...r.lines);
  return {
    merged: out.join(''),
    conflicts: replacements.filter((r) => r.conflict).map(({ start, end }) => ({ start, end })),
  };
}

/**
 * What pulling `files` into the live texts (`live`, by path; absent: no such live file) would change. A file the
 * remote added that the team also created differently, one the remote deleted that the team changed, and one the
 * remote changed that the team deleted are whole-file conflicts.
 */
export function planPull(files: readonly PulledFile[], live: ReadonlyMap<string, string>): PullPlan {
  const plan: PullPlan = { proposed: new Map(), deleted: [], conflicts: new Map() };
  for (const { path, base, theirs } of files) {
    const current = live.get(path);
    if (theirs === null) {
      if (current === undefined) continue;
      plan.deleted.push(path);
      if (current !== base) plan.conflicts.set(path, 'file');
    } else if (current === undefined) {
      plan.proposed.set(path, theirs);
      if (base !== null) plan.conflicts.set(path, 'file');
    } else {
      const { merged, conflicts } = mergeText(base ?? '', current, theirs);
      if (merged === current) continue;
      plan.proposed.set(path, merged);
      if (conflicts.length > 0) plan.conflicts.set(path, conflicts);
    }
  }
  return plan;
}

/** The hunks of a changeset computed from the live texts to `plan.proposed` that stand on conflicting lines. */
export function conflictingHunkIds(changeset: Changeset, plan: Pick<PullPlan, 'conflicts'>): Set<string> {
  const ids = new Set<string>();
  for (const file of changeset.files) {
    const regions = plan.conflicts.get(file.path);
    if (regions === undefined) continue;
    for (const hunk of file.hunks) {
      const start = hunk.oldStart - 1;
      const end = start + hunk.oldLines;
      if (regions === 'file' || regions.some((r) => start <= r.end && r.start <= end)) ids.add(hunk.id);
    }
  }
  return ids;
}

export interface PullChangeset {
  /** From the live texts the plan was made on to the merged ones; not anchored yet. */
  changeset: Changeset;
  /** Its hunks on lines both sides changed: they wait in the review (accept takes the remote's text). */
  conflicting: string[];
}

/**
 * The whole text merge of a pull, as a changeset against `live` (the texts at a snapshot): `planPull`, the changeset
 * from the live texts to the merged ones, and which of its hunks conflict. Pure and free of the document, so it can
 * run off the event loop; anchor the result against the same snapshot (`anchorChangeset`) before applying it.
 */
export function pullChangeset(
  files: readonly PulledFile[],
  live: ReadonlyMap<string, string>,
  options: { taskId: string },
): PullChangeset {
  const plan = planPull(files, live);
  const changeset = computeChangeset(live, plan.proposed, plan.deleted, { taskId: options.taskId });
  return { changeset, conflicting: [...conflictingHunkIds(changeset, plan)] };
}
