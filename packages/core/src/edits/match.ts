// Locates a SEARCH text in a file with a ladder of ever more tolerant rungs, and splices the REPLACE text into
// the match. A rung that finds several places reports ambiguity instead of picking one: a wrong guess silently
// corrupts code, while an error goes back to the model, which can add context.

export type MatchRung = 'exact' | 'whitespace' | 'indentation';

/** How the file's indentation differs from the search's: `add` means the file is indented deeper. */
export interface IndentShift {
  direction: 'add' | 'remove';
  prefix: string;
}

export interface MatchFound {
  ok: true;
  rung: MatchRung;
  /** 1-based first line of the match in the file. */
  startLine: number;
  lineCount: number;
  /** Blank lines dropped from the start and end of the search; as many are dropped from the replace. */
  trimmedStart: number;
  trimmedEnd: number;
  indent: IndentShift | undefined;
}

/** The file region most like the search text, for a "did you mean" hint. */
export interface ClosestRegion {
  startLine: number;
  endLine: number;
  text: string;
  /** 0..1, Dice coefficient of the character bigrams of the whitespace-collapsed lines. */
  similarity: number;
}

export interface MatchMissing {
  ok: false;
  code: 'EDIT_NO_MATCH';
  closest: ClosestRegion | undefined;
}

export interface MatchAmbiguous {
  ok: false;
  code: 'EDIT_AMBIGUOUS';
  rung: MatchRung;
  /** 1-based first lines of every place that matched. */
  startLines: number[];
}

export type MatchResult = MatchFound | MatchMissing | MatchAmbiguous;

/** Below this a "closest" region is more noise than help. */
const CLOSEST_MIN_SIMILARITY = 0.6;

interface Lines {
  texts: string[];
  /** Offset of each line in the text, plus the text's length as a sentinel. */
  starts: number[];
}

function splitLines(text: string): Lines {
  const texts: string[] = [];
  const starts: number[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    starts.push(pos);
    texts.push(text.slice(pos, end));
    pos = end + 1;
  }
  starts.push(text.length);
  return { texts, starts };
}

const isBlank = (line: string): boolean => line.trim() === '';
const leadingWhitespace = (line: string): string => /^\s*/.exec(line)?.[0] ?? '';

function trimBlankEdges(lines: readonly string[]): { lines: string[]; start: number; end: number } {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? '')) start++;
  while (end > start && isBlank(lines[end - 1] ?? '')) end--;
  return { lines: lines.slice(start, end), start, end: lines.length - end };
}

function findAll(
  file: readonly string[],
  search: readonly string[],
  same: (fileLine: string, searchLine: string) => boolean,
): number[] {
  const found: number[] = [];
  for (let at = 0; at + search.length <= file.length; at++) {
    let k = 0;
    while (k < search.length && same(file[at + k] ?? '', search[k] ?? '')) k++;
    if (k === search.length) found.push(at);
  }
  return found;
}

/** The uniform indentation offset under which the window equals the search, or null if there is none. */
function indentShiftAt(file: readonly string[], search: readonly string[], at: number): IndentShift | null {
  let shift: IndentShift | null = null;
  for (let k = 0; k < search.length; k++) {
    const f = (file[at + k] ?? '').trimEnd();
    const s = (search[k] ?? '').trimEnd();
    if (f === '' || s === '') {
      if (f !== s) return null;
      continue;
    }
    const fi = leadingWhitespace(f);
    const si = leadingWhitespace(s);
    if (f.slice(fi.length) !== s.slice(si.length)) return null;
    let here: IndentShift;
    if (fi.length >= si.length && fi.endsWith(si))
      here = { direction: 'add', prefix: fi.slice(0, fi.length - si.length) };
    else if (si.endsWith(fi)) here = { direction: 'remove', prefix: si.slice(0, si.length - fi.length) };
    else return null;
    if (shift === null) shift = here;
    else if (shift.direction !== here.direction || shift.prefix !== here.prefix) return null;
  }
  return shift !== null && shift.prefix !== '' ? shift : null;
}

export function findMatch(content: string, search: string): MatchResult {
  const file = splitLines(content).texts;
  const searchLines = splitLines(search).texts;
  const trimmed = trimBlankEdges(searchLines);
  if (trimmed.lines.length === 0) return { ok: false, code: 'EDIT_NO_MATCH', closest: undefined };

  const found = (
    rung: MatchRung,
    starts: number[],
    cut: boolean,
    indent?: IndentShift,
  ): MatchResult | undefined => {
    if (starts.length === 0) return undefined;
    if (starts.length > 1)
      return { ok: false, code: 'EDIT_AMBIGUOUS', rung, startLines: starts.map((s) => s + 1) };
    return {
      ok: true,
      rung,
      startLine: (starts[0] ?? 0) + 1,
      lineCount: cut ? trimmed.lines.length : searchLines.length,
      trimmedStart: cut ? trimmed.start : 0,
      trimmedEnd: cut ? trimmed.end : 0,
      indent,
    };
  };

  const exact = found(
    'exact',
    findAll(file, searchLines, (f, s) => f === s),
    false,
  );
  if (exact !== undefined) return exact;

  const loose = found(
    'whitespace',
    findAll(file, trimmed.lines, (f, s) => f.trimEnd() === s.trimEnd()),
    true,
  );
  if (loose !== undefined) return loose;

  const shifted: { at: number; shift: IndentShift }[] = [];
  for (const at of findAll(file, trimmed.lines, (f, s) => f.trim() === s.trim())) {
    const shift = indentShiftAt(file, trimmed.lines, at);
    if (shift !== null) shifted.push({ at, shift });
  }
  const indented = found(
    'indentation',
    shifted.map((s) => s.at),
    true,
    shifted[0]?.shift,
  );
  if (indented !== undefined) return indented;

  return { ok: false, code: 'EDIT_NO_MATCH', closest: closestRegion(file, trimmed.lines) };
}

function detectEol(content: string): string {
  const crlf = content.split('\r\n').length - 1;
  const lf = content.split('\n').length - 1;
  return crlf > 0 && crlf * 2 >= lf ? '\r\n' : '\n';
}

function reindent(line: string, shift: IndentShift): string {
  if (isBlank(line)) return line;
  if (shift.direction === 'add') return shift.prefix + line;
  if (line.startsWith(shift.prefix)) return line.slice(shift.prefix.length);
  // The replacement is less indented than the search it pairs with: drop what indentation there is.
  const own = leadingWhitespace(line);
  return line.slice(Math.min(own.length, shift.prefix.length));
}

/**
 * Returns `content` with the matched lines replaced by `replace`, re-indented by the match's offset and written
 * with the file's line endings.
 */
export function replaceMatch(content: string, match: MatchFound, replace: string): string {
  const { starts } = splitLines(content);
  let lines = splitLines(replace).texts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  let dropStart = 0;
  while (dropStart < match.trimmedStart && dropStart < lines.length && isBlank(lines[dropStart] ?? ''))
    dropStart++;
  let dropEnd = 0;
  while (
    dropEnd < match.trimmedEnd &&
    dropEnd < lines.length - dropStart &&
    isBlank(lines.at(-1 - dropEnd) ?? '')
  ) {
    dropEnd++;
  }
  lines = lines.slice(dropStart, lines.length - dropEnd);
  const { indent } = match;
  if (indent !== undefined) lines = lines.map((l) => reindent(l, indent));

  const eol = detectEol(content);
  const from = starts[match.startLine - 1] ?? content.length;
  const to = starts[match.startLine - 1 + match.lineCount] ?? content.length;
  let text = lines.map((l) => l + eol).join('');
  const regionEndsWithNewline = to < content.length || content.endsWith('\n');
  if (!regionEndsWithNewline && text.endsWith(eol)) text = text.slice(0, -eol.length);
  return content.slice(0, from) + text + content.slice(to);
}

/** Character bigrams of the whitespace-collapsed line, as numbers (a one-character line is its own token). */
function bigrams(line: string): number[] {
  const norm = line.trim().replace(/\s+/g, ' ');
  if (norm.length < 2) return norm === '' ? [] : [norm.charCodeAt(0) * 0x10000 + 0xffff];
  const out: number[] = [];
  for (let i = 0; i + 1 < norm.length; i++) out.push(norm.charCodeAt(i) * 0x10000 + norm.charCodeAt(i + 1));
  return out;
}

/**
 * Slides a window of the search's height over the file, scoring each by character-bigram overlap (Dice).
 * Bigrams rather than whole-line equality, so a region where the model misremembered one token in every line
 * still scores high; the sliding count keeps this linear in the file's size.
 */
function closestRegion(file: readonly string[], search: readonly string[]): ClosestRegion | undefined {
  if (file.length === 0) return undefined;
  const height = Math.min(search.length, file.length);
  // Only bigrams of the search can be shared, so the window tracks counts for those alone.
  const ids = new Map<number, number>();
  const wanted: number[] = [];
  let wantSize = 0;
  for (const line of search) {
    for (const code of bigrams(line)) {
      let id = ids.get(code);
      if (id === undefined) {
        id = wanted.length;
        ids.set(code, id);
        wanted.push(0);
      }
      wanted[id] = (wanted[id] ?? 0) + 1;
      wantSize++;
    }
  }
  const sizes: number[] = [];
  const shared: number[][] = [];
  for (const line of file) {
    const codes = bigrams(line);
    sizes.push(codes.length);
    const known: number[] = [];
    for (const code of codes) {
      const id = ids.get(code);
      if (id !== undefined) known.push(id);
    }
    shared.push(known);
  }
  const have = new Int32Array(wanted.length);
  let haveSize = 0;
  let common = 0;
  const add = (line: number): void => {
    haveSize += sizes[line] ?? 0;
    for (const id of shared[line] ?? []) {
      if ((have[id] ?? 0) < (wanted[id] ?? 0)) common++;
      have[id] = (have[id] ?? 0) + 1;
    }
  };
  const remove = (line: number): void => {
    haveSize -= sizes[line] ?? 0;
    for (const id of shared[line] ?? []) {
      have[id] = (have[id] ?? 0) - 1;
      if ((have[id] ?? 0) < (wanted[id] ?? 0)) common--;
    }
  };
  for (let i = 0; i < height; i++) add(i);
  let best = { at: 0, score: -1 };
  for (let at = 0; ; at++) {
    const score = haveSize + wantSize === 0 ? 0 : (2 * common) / (haveSize + wantSize);
    if (score > best.score) best = { at, score };
    if (at + height >= file.length) break;
    remove(at);
    add(at + height);
  }
  if (best.score < CLOSEST_MIN_SIMILARITY) return undefined;
  const region = trimBlankEdges(file.slice(best.at, best.at + height));
  if (region.lines.length === 0) return undefined;
  const startLine = best.at + region.start + 1;
  return {
    startLine,
    endLine: startLine + region.lines.length - 1,
    text: region.lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).join('\n'),
    similarity: best.score,
  };
}
