// A comment on a line of a live file stays on that line while people type: the line is anchored with Yjs relative
// positions (its first character and the newline that ends it), stored encoded, and resolved against the live text
// whenever the comment is shown. A line whose characters were all deleted reports the anchor as deleted, with the
// line where its text used to be; a line whose text changed says so, so a reader knows the comment may be stale.
import * as Y from 'yjs';
import { decodePosition, encodePosition } from '../changeset/anchors.ts';
import { fileText } from '../changeset/workspace-files.ts';

export interface LineAnchor {
  /** Encoded relative position of the line's first character (its newline when the line is empty). */
  start: string;
  /** Encoded relative position of the newline that ends the line (the end of the text for the last line). */
  end: string;
  /** The line's text when the comment was written, to tell a changed line from an unchanged one. */
  text: string;
}

export type ResolvedLineAnchor =
  /** The line is there as it was, at `line` (1-based). */
  | { status: 'live'; line: number; text: string }
  /** The line is there, at `line`, but its text changed since the comment was written. */
  | { status: 'changed'; line: number; text: string }
  /** Every character of the line was deleted; `line` is where its text used to be (null: the file is gone). */
  | { status: 'deleted'; line: number | null };

/** The line's bounds in `content`: start index, end index (the newline or the end), or null when out of range. */
function lineBounds(content: string, line: number): { start: number; end: number } | null {
  if (!Number.isInteger(line) || line < 1) return null;
  let start = 0;
  for (let n = 1; n < line; n += 1) {
    const newline = content.indexOf('\n', start);
    if (newline === -1) return null;
    start = newline + 1;
  }
  const newline = content.indexOf('\n', start);
  return { start, end: newline === -1 ? content.length : newline };
}

function lineAt(content: string, index: number): { line: number; text: string } {
  const before = content.slice(0, index);
  const line = before.split('\n').length;
  const start = before.lastIndexOf('\n') + 1;
  const newline = content.indexOf('\n', start);
  return { line, text: content.slice(start, newline === -1 ? content.length : newline) };
}

/** Anchors line `line` (1-based) of the file at `path`; null when the file or the line does not exist. */
export function createLineAnchor(doc: Y.Doc, path: string, line: number): LineAnchor | null {
  const text = fileText(doc, path);
  if (!text) return null;
  const content = text.toString();
  const bounds = lineBounds(content, line);
  if (!bounds) return null;
  return {
    start: encodePosition(Y.createRelativePositionFromTypeIndex(text, bounds.start, 0)),
    end: encodePosition(Y.createRelativePositionFromTypeIndex(text, bounds.end, 0)),
    text: content.slice(bounds.start, bounds.end),
  };
}

/** Whether the character a position sticks to was deleted; false for a position at the end of the text. */
function itemDeleted(doc: Y.Doc, position: Y.RelativePosition): boolean {
  if (position.item === null) return false;
  try {
    return Y.getItem(doc.store, position.item).deleted;
  } catch {
    // Not integrated here (a position from another document): nothing of the line can be found.
    return true;
  }
}

/** Where the anchored line is now in the file at `path`. */
export function resolveLineAnchor(doc: Y.Doc, path: string, anchor: LineAnchor): ResolvedLineAnchor {
  const text = fileText(doc, path);
  const start = decodePosition(anchor.start);
  const end = decodePosition(anchor.end);
  if (!text || !start || !end) return { status: 'deleted', line: null };
  let absolute: Y.AbsolutePosition | null;
  try {
    absolute = Y.createAbsolutePositionFromRelativePosition(start, doc);
  } catch {
    absolute = null;
  }
  // The file was deleted and created again (another Y.Text): the anchored characters live in the old one.
  if (!absolute || absolute.type !== text) return { status: 'deleted', line: null };
  const content = text.toString();
  const here = lineAt(content, absolute.index);
  const startGone = itemDeleted(doc, start);
  // The last line has no newline to delete: it is gone when its first character is and nothing is left on it.
  const endGone = end.item === null ? here.text === '' : itemDeleted(doc, end);
  if (startGone && endGone) return { status: 'deleted', line: here.line };
  return { status: here.text === anchor.text ? 'live' : 'changed', ...here };
}
