// Turns "replace the whole text" into the few edits that actually differ. Applying those to a Y.Text (instead
// of delete-all/insert-all) keeps every character that did not change, so other people's cursors, selections
// and Y.RelativePositions anchored to those characters stay where they were.
//
// Lines are aligned first with patience diff (lines that occur once on each side anchor the alignment; it is
// O(n log n) and matches what people consider "the change"), then each changed block is refined by character.
// Work is bounded by deterministic budgets: past them a block is replaced as a whole, coarser but still correct.

import { diffChars } from 'diff';

/** One replacement in UTF-16 offsets of the old text (the unit Y.Text indexes by). */
export interface TextEdit {
  index: number;
  deleteCount: number;
  insert: string;
}

/** Line visits across all patience passes (a 2 MiB file has at most a few hundred thousand lines). */
const LINE_WORK_BUDGET = 5_000_000;
/** Character diff: Myers is O(d^2) here, so d is capped per block and d^2 summed over blocks. */
const CHAR_DIFF_MAX_EDIT_LENGTH = 400;
/** Tokenizing is linear but not free; a block this large that still differs after trimming is a rewrite. */
const CHAR_DIFF_MAX_UNITS = 10_000;
const CHAR_WORK_BUDGET = 4_000_000;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Lengths of the shared start and end, never splitting a surrogate pair: Yjs turns a half-cut pair into U+FFFD,
 * so an edit boundary inside a pair would corrupt an emoji that did not change.
 */
export function commonAffixes(before: string, after: string): { prefix: number; suffix: number } {
  const limit = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < limit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix += 1;
  if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix -= 1;

  let suffix = 0;
  const suffixLimit = limit - prefix;
  while (
    suffix < suffixLimit &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix += 1;
  }
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) suffix -= 1;
  return { prefix, suffix };
}

interface Budget {
  lines: number;
  chars: number;
}

/** Edits for one changed block: trim what it shares, then a bounded character diff of the rest. */
function refineBlock(before: string, after: string, offset: number, budget: Budget): TextEdit[] {
  const { prefix, suffix } = commonAffixes(before, after);
  const oldPart = before.slice(prefix, before.length - suffix);
  const newPart = after.slice(prefix, after.length - suffix);
  const index = offset + prefix;
  if (oldPart.length === 0 && newPart.length === 0) return [];
  const whole = [{ index, deleteCount: oldPart.length, insert: newPart }];
  if (oldPart.length === 0 || newPart.length === 0) return whole;

  if (oldPart.length > CHAR_DIFF_MAX_UNITS || newPart.length > CHAR_DIFF_MAX_UNITS) return whole;
  const bound = Math.min(oldPart.length + newPart.length, CHAR_DIFF_MAX_EDIT_LENGTH);
  if (bound * bound > budget.chars) return whole;
  budget.chars -= bound * bound;
  const changes = diffChars(oldPart, newPart, { maxEditLength: CHAR_DIFF_MAX_EDIT_LENGTH });
  if (!changes) return whole;

  const edits: TextEdit[] = [];
  let position = index;
  for (const change of changes) {
    const last = edits.at(-1);
    const open = last !== undefined && last.index + last.deleteCount === position;
    if (change.removed) {
      if (open) last.deleteCount += change.value.length;
      else edits.push({ index: position, deleteCount: change.value.length, insert: '' });
      position += change.value.length;
    } else if (change.added) {
      if (open) last.insert += change.value;
      else edits.push({ index: position, deleteCount: 0, insert: change.value });
    } else {
      position += change.value.length;
    }
  }
  return edits;
}

/** Lines with their terminators, so joining a slice gives back the exact text. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
    lines.push(text.slice(start, newline + 1));
    start = newline + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function lineStarts(lines: readonly string[]): number[] {
  const starts = [0];
  for (const line of lines) starts.push((starts.at(-1) ?? 0) + line.length);
  return starts;
}

interface Range {
  aLo: number;
  aHi: number;
  bLo: number;
  bHi: number;
}

/** Longest increasing run of `pairs` by their second index (patience sorting with back-links). */
function longestIncreasing(pairs: readonly (readonly [number, number])[]): (readonly [number, number])[] {
  const tails: number[] = [];
  const previous = new Array<number>(pairs.length).fill(-1);
  pairs.forEach(([, j], index) => {
    let low = 0;
    let high = tails.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const tail = pairs[tails[middle] ?? 0]?.[1] ?? 0;
      if (tail < j) low = middle + 1;
      else high = middle;
    }
    if (low > 0) previous[index] = tails[low - 1] ?? -1;
    tails[low] = index;
  });
  const result: (readonly [number, number])[] = [];
  for (let index = tails.at(-1) ?? -1; index !== -1; index = previous[index] ?? -1) {
    const pair = pairs[index];
    if (pair) result.push(pair);
  }
  return result.reverse();
}

/** Lines that occur exactly once in each side of the range, aligned in order. */
function uniqueAnchors(
  a: readonly string[],
  b: readonly string[],
  range: Range,
): (readonly [number, number])[] {
  const seen = new Map<string, { a: number; b: number; ai: number; bj: number }>();
  for (let i = range.aLo; i < range.aHi; i += 1) {
    const line = a[i] ?? '';
    const entry = seen.get(line);
    if (entry) entry.a += 1;
    else seen.set(line, { a: 1, b: 0, ai: i, bj: -1 });
  }
  for (let j = range.bLo; j < range.bHi; j += 1) {
    const entry = seen.get(b[j] ?? '');
    if (entry) {
      entry.b += 1;
      entry.bj = j;
    }
  }
  const pairs: (readonly [number, number])[] = [];
  for (const entry of seen.values()) if (entry.a === 1 && entry.b === 1) pairs.push([entry.ai, entry.bj]);
  pairs.sort((x, y) => x[0] - y[0]);
  return longestIncreasing(pairs);
}

/** Changed line blocks, in order. */
function changedBlocks(a: readonly string[], b: readonly string[], budget: Budget): Range[] {
  const blocks: Range[] = [];
  const stack: Range[] = [{ aLo: 0, aHi: a.length, bLo: 0, bHi: b.length }];
  for (let range = stack.pop(); range; range = stack.pop()) {
    let { aLo, aHi, bLo, bHi } = range;
    while (aLo < aHi && bLo < bHi && a[aLo] === b[bLo]) {
      aLo += 1;
      bLo += 1;
    }
    while (aLo < aHi && bLo < bHi && a[aHi - 1] === b[bHi - 1]) {
      aHi -= 1;
      bHi -= 1;
    }
    const trimmed = { aLo, aHi, bLo, bHi };
    if (aLo === aHi && bLo === bHi) continue;
    const work = aHi - aLo + (bHi - bLo);
    if (aLo === aHi || bLo === bHi || work > budget.lines) {
      blocks.push(trimmed);
      continue;
    }
    budget.lines -= work;
    const anchors = uniqueAnchors(a, b, trimmed);
    if (anchors.length === 0) {
      blocks.push(trimmed);
      continue;
    }
    const parts: Range[] = [];
    let nextA = aLo;
    let nextB = bLo;
    for (const [i, j] of anchors) {
      parts.push({ aLo: nextA, aHi: i, bLo: nextB, bHi: j });
      nextA = i + 1;
      nextB = j + 1;
    }
    parts.push({ aLo: nextA, aHi, bLo: nextB, bHi });
    // Pushed in reverse so they are popped, and their blocks emitted, left to right.
    for (let i = parts.length - 1; i >= 0; i -= 1) {
      const part = parts[i];
      if (part) stack.push(part);
    }
  }
  return blocks;
}

/**
 * The edits that turn `before` into `after`, ordered by index and non-overlapping. Apply them from last to
 * first so earlier offsets stay valid.
 */
export function computeTextEdits(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  const { prefix, suffix } = commonAffixes(before, after);
  const oldMiddle = before.slice(prefix, before.length - suffix);
  const newMiddle = after.slice(prefix, after.length - suffix);
  if (oldMiddle.length === 0 || newMiddle.length === 0) {
    return [{ index: prefix, deleteCount: oldMiddle.length, insert: newMiddle }];
  }

  const budget: Budget = { lines: LINE_WORK_BUDGET, chars: CHAR_WORK_BUDGET };
  const a = splitLines(oldMiddle);
  const b = splitLines(newMiddle);
  const aStarts = lineStarts(a);
  const bStarts = lineStarts(b);
  const edits: TextEdit[] = [];
  for (const block of changedBlocks(a, b, budget)) {
    const oldBlock = oldMiddle.slice(aStarts[block.aLo], aStarts[block.aHi]);
    const newBlock = newMiddle.slice(bStarts[block.bLo], bStarts[block.bHi]);
    edits.push(...refineBlock(oldBlock, newBlock, prefix + (aStarts[block.aLo] ?? 0), budget));
  }
  return edits;
}

/** Applies edits from `computeTextEdits` to a plain string; the Y.Text twin lives in the model. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const parts: string[] = [];
  let position = 0;
  for (const edit of edits) {
    parts.push(text.slice(position, edit.index), edit.insert);
    position = edit.index + edit.deleteCount;
  }
  parts.push(text.slice(position));
  return parts.join('');
}
