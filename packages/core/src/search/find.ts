// Find and replace over workspace texts: one compiled query (literal or regex, case, whole word, path globs)
// run over every file, with results grouped by file and capped, and the edits a replacement makes. Pure: the
// web app feeds it the live documents' texts and applies the edits to them (see apply.ts).
import { compilePathFilter, type PathMatcher } from './glob.ts';

export interface SearchOptions {
  query: string;
  /** The query is a JavaScript regular expression; otherwise it is matched literally. */
  regex?: boolean;
  caseSensitive?: boolean;
  /** Matches only where the match is not preceded or followed by a letter, digit or underscore. */
  wholeWord?: boolean;
  /** Comma-separated globs (see glob.ts); empty includes every file. */
  include?: string;
  exclude?: string;
}

export interface SearchLimits {
  /** Stop after this many matches over all files; the result says it was cut. */
  maxMatches: number;
  /** Characters of context kept either side of a match in its line preview. */
  previewContext: number;
  /** Characters of the match itself kept in a preview. */
  previewMatch: number;
}

export const defaultSearchLimits: SearchLimits = { maxMatches: 5000, previewContext: 60, previewMatch: 200 };

export type SearchErrorCode = 'BAD_REGEX' | 'BAD_GLOB';

/** The query cannot run: the message says why, in the words of the regex engine or the glob parser. */
export interface SearchError {
  ok: false;
  code: SearchErrorCode;
  /** Which field is wrong: the query, or the include or exclude globs. */
  field: 'query' | 'include' | 'exclude';
  message: string;
}

export interface CompiledSearch {
  ok: true;
  options: Required<SearchOptions>;
  /** Global, so `lastIndex` walks the text; null when the query is empty (nothing to find). */
  pattern: RegExp | null;
  accepts: PathMatcher;
}

export interface SearchMatch {
  /** UTF-16 offset of the match in the file's text, and its length. */
  index: number;
  length: number;
  /** 1-based line and column of the match's start. */
  line: number;
  column: number;
  /** The match's line, cut around the match: `before` + `match` + `after` (ellipses where cut). */
  preview: { before: string; match: string; after: string };
}

export interface FileMatches {
  path: string;
  matches: SearchMatch[];
}

export interface SearchResult {
  ok: true;
  /** Files with at least one match, by path. */
  files: FileMatches[];
  matchCount: number;
  /** Files whose path passed the globs and that were searched. */
  searchedFiles: number;
  /** The match limit was reached: there may be more. */
  truncated: boolean;
}

/** A file to search: its text directly, or a function giving it (only called for files the globs accept). */
export interface SearchSource {
  path: string;
  text: string | (() => string);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Checks and compiles a query once for any number of files. */
export function compileSearch(input: SearchOptions): CompiledSearch | SearchError {
  const options: Required<SearchOptions> = {
    query: input.query,
    regex: input.regex ?? false,
    caseSensitive: input.caseSensitive ?? false,
    wholeWord: input.wholeWord ?? false,
    include: input.include ?? '',
    exclude: input.exclude ?? '',
  };
  const accepts = compilePathFilter(options.include, '');
  if (typeof accepts !== 'function')
    return { ok: false, code: 'BAD_GLOB', field: 'include', message: accepts.message };
  const rejects = compilePathFilter('', options.exclude);
  if (typeof rejects !== 'function')
    return { ok: false, code: 'BAD_GLOB', field: 'exclude', message: rejects.message };
  let pattern: RegExp | null = null;
  if (options.query !== '') {
    const flags = options.caseSensitive ? 'gm' : 'gmi';
    const body = options.regex ? options.query : escapeRegExp(options.query);
    // With `u`, `\p{…}` works and astral characters count as one; but `u` refuses loose syntax people type
    // (`{` alone, `\:`), so such a query runs without it, where word characters are ASCII ones.
    const attempt = (unicode: boolean) => {
      const word = unicode ? '[\\p{L}\\p{N}_]' : '\\w';
      const source = options.wholeWord ? `(?<!${word})(?:${body})(?!${word})` : body;
      return new RegExp(source, unicode ? `${flags}u` : flags);
    };
    try {
      pattern = attempt(true);
    } catch {
      try {
        pattern = attempt(false);
      } catch (e) {
        const message =
          e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
        return { ok: false, code: 'BAD_REGEX', field: 'query', message };
      }
    }
  }
  return { ok: true, options, pattern, accepts: (path) => accepts(path) && rejects(path) };
}

function preview(text: string, index: number, length: number, limits: SearchLimits): SearchMatch['preview'] {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  let lineEnd = text.indexOf('\n', index);
  if (lineEnd < 0) lineEnd = text.length;
  const matchEnd = Math.min(index + length, lineEnd);
  const from = Math.max(lineStart, index - limits.previewContext);
  const to = Math.min(lineEnd, matchEnd + limits.previewContext);
  let before = text.slice(from, index).replace(/^\s+/, '');
  if (from > lineStart && before !== '') before = `…${before}`;
  let match = text.slice(index, matchEnd);
  if (match.length > limits.previewMatch) match = `${match.slice(0, limits.previewMatch)}…`;
  let after = text.slice(matchEnd, to).replace(/\r$/, '');
  if (to < lineEnd) after += '…';
  if (index + length > lineEnd) after += ' ⏎…';
  return { before, match, after };
}

/**
 * Every match of `pattern` in `text`, in order, at most `max`. An empty match (e.g. `^`) counts; the walk
 * then steps one character so it always ends.
 */
export function findInText(
  text: string,
  search: CompiledSearch,
  max = Infinity,
  limits: SearchLimits = defaultSearchLimits,
): SearchMatch[] {
  const { pattern } = search;
  if (!pattern || max <= 0) return [];
  const matches: SearchMatch[] = [];
  pattern.lastIndex = 0;
  let line = 1;
  let counted = 0;
  let lineStart = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const index = m.index;
    // Count lines incrementally from the previous match rather than from the start each time.
    for (let nl = text.indexOf('\n', counted); nl >= 0 && nl < index; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    counted = index;
    matches.push({
      index,
      length: m[0].length,
      line,
      column: index - lineStart + 1,
      preview: preview(text, index, m[0].length, limits),
    });
    if (matches.length >= max) break;
    if (m[0].length === 0) pattern.lastIndex = index + 1;
  }
  return matches;
}

/** Runs a compiled query over the files, grouping matches by file (sorted by path) until the match limit. */
export function searchFiles(
  files: Iterable<SearchSource>,
  search: CompiledSearch,
  limits: SearchLimits = defaultSearchLimits,
): SearchResult {
  const accepted: SearchSource[] = [];
  for (const file of files) if (search.accepts(file.path)) accepted.push(file);
  accepted.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const result: SearchResult = { ok: true, files: [], matchCount: 0, searchedFiles: 0, truncated: false };
  if (!search.pattern) return result;
  for (const file of accepted) {
    const left = limits.maxMatches - result.matchCount;
    if (left <= 0) {
      result.truncated = true;
      break;
    }
    const text = typeof file.text === 'string' ? file.text : file.text();
    result.searchedFiles++;
    // One more than fits tells a full stop from a cut.
    const matches = findInText(text, search, left + 1, limits);
    if (matches.length === 0) continue;
    if (matches.length > left) {
      matches.length = left;
      result.truncated = true;
    }
    result.files.push({ path: file.path, matches });
    result.matchCount += matches.length;
    if (result.truncated) break;
  }
  return result;
}

/**
 * The text that replaces one regex match: `$&`, `$1`…`$99`, `$<name>` and `$$` as in JavaScript, plus `\n`,
 * `\t` and `\\` (people type them into one-line boxes). A literal search inserts the replacement as typed.
 */
export function expandReplacement(
  search: CompiledSearch,
  match: RegExpExecArray,
  replacement: string,
): string {
  if (!search.options.regex) return replacement;
  const tokens = /\$\$|\$&|\$(\d{1,2})|\$<([^>]+)>|\\([nt\\])/g;
  return replacement.replace(tokens, (token: string, num?: string, name?: string, esc?: string) => {
    if (token === '$$') return '$';
    if (token === '$&') return match[0];
    if (typeof esc === 'string') return esc === 'n' ? '\n' : esc === 't' ? '\t' : '\\';
    if (typeof name === 'string') return match.groups?.[name] ?? '';
    const n = Number(num);
    // `$12` with one group is `$1` then "2", as in String.prototype.replace.
    if (n < match.length) return match[n] ?? '';
    const [tens = '', ones = ''] = num ?? '';
    if (ones !== '' && Number(tens) < match.length) return (match[Number(tens)] ?? '') + ones;
    return token;
  });
}

/** One change to a text: delete `deleteCount` characters at `index`, insert `insert` there. Ascending, disjoint. */
export interface TextReplacement {
  index: number;
  deleteCount: number;
  insert: string;
}

/**
 * The replacements for every match in `text` (or only those starting at `only`'s offsets). Offsets refer to
 * `text` as given, so apply them from the last to the first.
 */
export function planReplacements(
  text: string,
  search: CompiledSearch,
  replacement: string,
  only?: ReadonlySet<number>,
): TextReplacement[] {
  const { pattern } = search;
  if (!pattern) return [];
  const edits: TextReplacement[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (!only || only.has(m.index)) {
      edits.push({
        index: m.index,
        deleteCount: m[0].length,
        insert: expandReplacement(search, m, replacement),
      });
    }
    if (m[0].length === 0) pattern.lastIndex = m.index + 1;
  }
  return edits;
}

/**
 * The replacement for the one match found at `at` when the search ran, if the text still matches there with
 * the same length. A peer may have edited the file since; then there is nothing safe to replace (null).
 */
export function planReplaceAt(
  text: string,
  search: CompiledSearch,
  replacement: string,
  at: Pick<SearchMatch, 'index' | 'length'>,
): TextReplacement | null {
  const { pattern } = search;
  if (!pattern) return null;
  pattern.lastIndex = at.index;
  const m = pattern.exec(text);
  if (!m || m.index !== at.index || m[0].length !== at.length) return null;
  return { index: m.index, deleteCount: m[0].length, insert: expandReplacement(search, m, replacement) };
}

/** `text` with the replacements applied (for previews and tests; live documents use apply.ts). */
export function applyReplacements(text: string, edits: readonly TextReplacement[]): string {
  let out = '';
  let from = 0;
  for (const e of edits) {
    out += text.slice(from, e.index) + e.insert;
    from = e.index + e.deleteCount;
  }
  return out + text.slice(from);
}
