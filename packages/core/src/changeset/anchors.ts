// Serializable Y.RelativePosition anchors, taken either against the live text or against the text as it was
// at a Y.Snapshot — the latter lets a task anchor its hunks minutes after the snapshot it diffed against.
import { fromBase64, toBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { filesMap } from './workspace-files.ts';

/** Which neighbour a position sticks to: 0 = the character after it, -1 = the character before it. */
export type Assoc = 0 | -1;

export function encodePosition(position: Y.RelativePosition): string {
  return toBase64(Y.encodeRelativePosition(position));
}

export function decodePosition(encoded: string): Y.RelativePosition | null {
  try {
    return Y.decodeRelativePosition(fromBase64(encoded));
  } catch {
    // A corrupt stored anchor must degrade to "position lost" (a conflict), never crash a merge.
    return null;
  }
}

export interface ResolvedPosition {
  type: Y.AbstractType<unknown>;
  index: number;
}

export function resolvePosition(doc: Y.Doc, encoded: string): ResolvedPosition | null {
  const position = decodePosition(encoded);
  if (position === null) return null;
  try {
    const absolute = Y.createAbsolutePositionFromRelativePosition(position, doc);
    return absolute === null ? null : { type: absolute.type, index: absolute.index };
  } catch {
    return null;
  }
}

/**
 * A relative position for `index` in `text`: against the current content, or against the content visible at
 * `snapshot` (which must come from the same doc). Mirrors `Y.createRelativePositionFromTypeIndex`, with
 * visibility decided by the snapshot instead of the live deleted flag.
 */
export function positionAt(
  text: Y.Text,
  index: number,
  assoc: Assoc,
  snapshot?: Y.Snapshot,
): Y.RelativePosition {
  if (snapshot === undefined) return Y.createRelativePositionFromTypeIndex(text, index, assoc);
  let remaining = index;
  if (assoc < 0) {
    if (remaining === 0) return typePosition(text, assoc);
    remaining -= 1;
  }
  for (let item = text._start; item !== null; item = item.right) {
    for (const run of visibleRuns(item, snapshot)) {
      if (remaining < run.length)
        return itemPosition(text, Y.createID(item.id.client, run.clock + remaining), assoc);
      remaining -= run.length;
    }
  }
  return typePosition(text, assoc);
}

/** A stretch of a text as it was at a snapshot; `text` is null where the content was garbage-collected since. */
export interface SnapshotSegment {
  offset: number;
  length: number;
  text: string | null;
}

export function segmentsAt(text: Y.Text, snapshot: Y.Snapshot): SnapshotSegment[] {
  const segments: SnapshotSegment[] = [];
  let offset = 0;
  for (let item = text._start; item !== null; item = item.right) {
    for (const run of visibleRuns(item, snapshot)) {
      const content = item.content;
      const from = run.clock - item.id.clock;
      const chunk = content instanceof Y.ContentString ? content.str.slice(from, from + run.length) : null;
      segments.push({ offset, length: run.length, text: chunk });
      offset += run.length;
    }
  }
  return segments;
}

/**
 * Whether `expected` could have been at `offset` at the snapshot: every readable character must match, and the
 * region must start a line. Characters deleted (and collected) since cannot be read; a region containing them has
 * changed anyway, which the merge will report.
 */
export function segmentsMatch(
  segments: readonly SnapshotSegment[],
  offset: number,
  expected: string,
): boolean {
  const total = segments.reduce((sum, s) => sum + s.length, 0);
  if (offset + expected.length > total) return false;
  const from = Math.max(0, offset - 1);
  const to = offset + expected.length;
  for (const segment of segments) {
    const segEnd = segment.offset + segment.length;
    if (segEnd <= from || segment.offset >= to || segment.text === null) continue;
    for (let i = Math.max(from, segment.offset); i < Math.min(to, segEnd); i += 1) {
      const actual = segment.text[i - segment.offset];
      const wanted = i < offset ? '\n' : expected[i - offset];
      if (actual !== wanted) return false;
    }
  }
  return true;
}

/** The workspace as a task sees it at its snapshot step: each file's text plus the Y.Snapshot to anchor against. */
export interface BaseSnapshot {
  texts: Map<string, string>;
  snapshot: Y.Snapshot;
}

/**
 * The snapshot a task works from: each text file's content, and a `Y.Snapshot` of the document at that moment, which
 * `anchorChangeset` uses to pin hunks exactly even after people have edited the files.
 *
 * @returns `texts`: every text file's content by path (binary files are left out); `snapshot`: the document's state
 *   now
 * @example
 * ```ts
 * const base = captureBase(doc);
 * // … the model works on base.texts …
 * const changeset = anchorChangeset(doc, computeChangeset(base.texts, proposed, [], { taskId }), {
 *   snapshot: base.snapshot,
 * });
 * ```
 */
export function captureBase(doc: Y.Doc): BaseSnapshot {
  const texts = new Map<string, string>();
  for (const [path, value] of filesMap(doc)) {
    if (value instanceof Y.Text) texts.set(path, value.toJSON());
  }
  return { texts, snapshot: Y.snapshot(doc) };
}

interface Run {
  clock: number;
  length: number;
}

/** The clock ranges of `item` that were inserted before `snapshot` and not yet deleted at it. */
function visibleRuns(item: Y.Item, snapshot: Y.Snapshot): Run[] {
  if (!item.countable) return [];
  const { client, clock } = item.id;
  const end = Math.min(clock + item.length, snapshot.sv.get(client) ?? 0);
  if (end <= clock) return [];
  const deletes = snapshot.ds.clients.get(client) ?? [];
  const runs: Run[] = [];
  let cursor = clock;
  for (let i = firstDeleteEndingAfter(deletes, clock); i < deletes.length; i += 1) {
    const d = deletes[i];
    if (d === undefined || d.clock >= end) break;
    if (d.clock > cursor) runs.push({ clock: cursor, length: d.clock - cursor });
    cursor = Math.max(cursor, d.clock + d.len);
  }
  if (cursor < end) runs.push({ clock: cursor, length: end - cursor });
  return runs;
}

function firstDeleteEndingAfter(deletes: readonly { clock: number; len: number }[], clock: number): number {
  let lo = 0;
  let hi = deletes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const d = deletes[mid];
    if (d !== undefined && d.clock + d.len <= clock) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function typePosition(text: Y.Text, assoc: Assoc): Y.RelativePosition {
  return itemPosition(text, null, assoc);
}

function itemPosition(text: Y.Text, item: Y.ID | null, assoc: Assoc): Y.RelativePosition {
  const owner = text._item;
  return Y.createRelativePositionFromJSON({
    type: owner === null ? null : { client: owner.id.client, clock: owner.id.clock },
    tname: owner === null ? Y.findRootTypeKey(text) : null,
    item: item === null ? null : { client: item.client, clock: item.clock },
    assoc,
  });
}
