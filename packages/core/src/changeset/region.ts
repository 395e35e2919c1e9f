// Finding an anchored line region in the live text and swapping its content: the one primitive behind merging
// a hunk, resolving a conflict and rolling a hunk back. Regions are whole lines, so a human who typed on a
// boundary line (not just inside the anchors) still counts as having changed the region.
import * as Y from 'yjs';
import { type Assoc, encodePosition, decodePosition, positionAt, resolvePosition } from './anchors.ts';
import type { ConflictReason, HunkAnchor } from './changeset.ts';
import { fileText } from './workspace-files.ts';

export interface LocatedRegion {
  ok: true;
  text: Y.Text;
  from: number;
  to: number;
  /** The text of the region's lines now. */
  current: string;
}

export interface LostRegion {
  ok: false;
  reason: Extract<ConflictReason, 'file-deleted' | 'anchor-lost'>;
}

/**
 * Resolves `anchor` in the file at `path` and widens it to whole lines. `expected` is the text the region should
 * hold: when it does not end in a newline (the last line of a file) the widening stops before the next newline,
 * so a line a human appended after it does not count as a change.
 */
export function locateRegion(
  doc: Y.Doc,
  path: string,
  anchor: HunkAnchor,
  expected: string,
  contents: ContentCache = new ContentCache(),
): LocatedRegion | LostRegion {
  const text = fileText(doc, path);
  if (text === undefined) return { ok: false, reason: 'file-deleted' };
  const start = resolvePosition(doc, anchor.start);
  const end = resolvePosition(doc, anchor.end);
  if (start === null || end === null) {
    return { ok: false, reason: anchorTypeGone(doc, anchor) ? 'file-deleted' : 'anchor-lost' };
  }
  if (start.type !== text || end.type !== text) {
    // The path now holds a different Y.Text: the file the hunk was made for was deleted (maybe recreated).
    return { ok: false, reason: start.type._item?.deleted === true ? 'file-deleted' : 'anchor-lost' };
  }
  const content = contents.read(text);
  const [from, to] = lineRegion(
    content,
    start.index,
    Math.max(start.index, end.index),
    expectsFinalNewline(expected),
  );
  return { ok: true, text, from, to, current: content.slice(from, to) };
}

/**
 * Each file's content, read once for a batch of lookups. Re-reading a large text after every write costs far more
 * than the writes themselves, so batches locate everything first and write afterwards (see `replaceRegions`).
 */
export class ContentCache {
  readonly #contents = new Map<Y.Text, string>();

  read(text: Y.Text): string {
    let content = this.#contents.get(text);
    if (content === undefined) {
      content = text.toJSON();
      this.#contents.set(text, content);
    }
    return content;
  }
}

export interface RegionReplacement {
  region: LocatedRegion;
  replacement: string;
}

/**
 * Replaces regions located in one pass (same ContentCache, no writes in between), back to front within each
 * file so offsets found before the first write stay valid. A region overlapping one already replaced (possible
 * only when a human merged the lines between two hunks) is not written; its slot in the result is null.
 */
export function replaceRegions(replacements: readonly RegionReplacement[]): (HunkAnchor | null)[] {
  const order = replacements.map((_, i) => i);
  order.sort((x, y) => (replacements[y]?.region.from ?? 0) - (replacements[x]?.region.from ?? 0));
  const lowestWritten = new Map<Y.Text, number>();
  const result: (HunkAnchor | null)[] = replacements.map(() => null);
  for (const i of order) {
    const item = replacements[i];
    if (item === undefined) continue;
    const { region, replacement } = item;
    const floor = lowestWritten.get(region.text);
    if (floor !== undefined && region.to > floor) continue;
    result[i] = replaceRegion(region, replacement);
    lowestWritten.set(region.text, region.from);
  }
  return result;
}

/**
 * Replaces the located region and returns anchors around what now stands there. Only the part between the common
 * start and end of the old and new text is rewritten, so characters that stay keep their identity (and their
 * author): a person's line kept by a merge is still theirs.
 */
export function replaceRegion(region: LocatedRegion, replacement: string): HunkAnchor {
  const { text, from, current } = region;
  if (current !== replacement) {
    const limit = Math.min(current.length, replacement.length);
    let head = 0;
    while (head < limit && current[head] === replacement[head]) head++;
    let tail = 0;
    while (
      tail < limit - head &&
      current[current.length - 1 - tail] === replacement[replacement.length - 1 - tail]
    )
      tail++;
    const removed = current.length - head - tail;
    if (removed > 0) text.delete(from + head, removed);
    const inserted = replacement.slice(head, replacement.length - tail);
    if (inserted !== '') text.insert(from + head, inserted);
  }
  return anchorRange(text, from, from + replacement.length);
}

/**
 * Anchors `[from, to)` of `text` (as of `snapshot` when given). A non-empty range sticks to its own first and
 * last characters; an empty one to its neighbours, so typing into the gap is visible as a change.
 */
export function anchorRange(text: Y.Text, from: number, to: number, snapshot?: Y.Snapshot): HunkAnchor {
  const empty = from === to;
  const startAssoc: Assoc = empty ? -1 : 0;
  const endAssoc: Assoc = empty ? 0 : -1;
  return {
    start: encodePosition(positionAt(text, from, startAssoc, snapshot)),
    end: encodePosition(positionAt(text, to, endAssoc, snapshot)),
  };
}

/**
 * What the region becomes when the task's side wins. A pure insertion overwrites nothing, so what a human typed
 * at the same spot is kept after the inserted lines.
 */
export function theirsText(expected: string, replacement: string, current: string): string {
  return expected === '' ? replacement + current : replacement;
}

export function lineRegion(
  content: string,
  start: number,
  end: number,
  finalNewline: boolean,
): [number, number] {
  const from = start === 0 ? 0 : content.lastIndexOf('\n', start - 1) + 1;
  let to = end;
  if (to > from && content[to - 1] !== '\n') {
    const newline = content.indexOf('\n', to);
    if (newline === -1) to = content.length;
    else to = finalNewline ? newline + 1 : newline;
  }
  return [from, to];
}

function expectsFinalNewline(expected: string): boolean {
  return expected === '' || expected.endsWith('\n');
}

/**
 * True when the Y.Text the anchor points into was itself deleted, i.e. the file went away. With gc on, the
 * content of a deleted type is collected into GC structs, which is what makes its positions unresolvable.
 */
function anchorTypeGone(doc: Y.Doc, anchor: HunkAnchor): boolean {
  const position = decodePosition(anchor.start);
  const id = position?.item ?? position?.type ?? null;
  if (id === null || Y.getState(doc.store, id.client) <= id.clock) return false;
  const struct: unknown = Y.getItem(doc.store, id);
  if (!(struct instanceof Y.Item)) return true;
  if (position?.item == null) return struct.deleted;
  const parent: unknown = struct.parent;
  return parent instanceof Y.AbstractType && parent._item?.deleted === true;
}
