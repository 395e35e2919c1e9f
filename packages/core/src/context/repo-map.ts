// A compact tree of the workspace with each TS/JS file's top-level API, so the model knows what exists beyond
// the files it gets in full. It never exceeds its token budget: files are taken most useful first (the caller's
// priority: selected, then relevant, then the rest), with their symbols while those fit and by name after,
// rendered in tree order, and a note says how many were left out.
import { ancestorsOf, basename, comparePaths } from '../files/path.ts';
import { extractSymbols, hasSymbolSupport, type SymbolLine } from './symbols.ts';
import { countTokens } from './tokens.ts';

/** Files larger than this are listed by name only; they are usually generated or minified. */
export const MAX_MAP_PARSE_CHARS = 512 * 1024;

export interface RepoMapInput {
  files: ReadonlyMap<string, string>;
  /** The paths of `files` in `comparePaths` order, if the caller already has them. */
  sortedPaths?: readonly string[];
  /** Paths to place first, most useful first; every other path follows in tree order. */
  priority?: readonly string[];
  /** Files the model receives in full: listed by name only, since their symbols would repeat their text. */
  included?: ReadonlySet<string>;
  budgetTokens: number;
}

export interface RepoMap {
  text: string;
  tokens: number;
  /** Files listed. */
  listed: number;
  /** Files left out to stay within the budget. */
  omitted: number;
}

interface Entry {
  path: string;
  symbols: SymbolLine[];
  cost: number;
  /** Folder lines this entry was the first to need. */
  newFolders: string[];
  folderCost: number;
}

const INDENT = '  ';

function lineTokens(line: string): number {
  return countTokens(`${line}\n`);
}

function linesCost(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + lineTokens(line), 0);
}

function depthOf(path: string): number {
  let depth = 0;
  for (let i = 0; i < path.length; i += 1) if (path.charCodeAt(i) === 47) depth += 1;
  return depth;
}

function folderLine(folder: string): string {
  return `${INDENT.repeat(depthOf(folder))}${basename(folder)}/`;
}

function fileLines(path: string, symbols: readonly SymbolLine[], included: boolean): string[] {
  const depth = depthOf(path);
  const lines = [`${INDENT.repeat(depth)}${basename(path)}${included ? ' (included)' : ''}`];
  for (const symbol of symbols) lines.push(`${INDENT.repeat(depth + 1 + symbol.depth)}${symbol.text}`);
  return lines;
}

function symbolsOf(path: string, text: string): SymbolLine[] {
  if (!hasSymbolSupport(path) || text.length > MAX_MAP_PARSE_CHARS) return [];
  try {
    return extractSymbols(path, text);
  } catch {
    // The parser can overflow the stack on pathological nesting; the file is still worth a line by name.
    return [];
  }
}

function omittedNote(count: number): string {
  return `… ${count} more file${count === 1 ? '' : 's'} not shown`;
}

function render(entries: readonly Entry[], included: ReadonlySet<string>, omitted: number): string {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const lines: string[] = [];
  const opened = new Set<string>();
  for (const entry of sorted) {
    for (const folder of ancestorsOf(entry.path)) {
      if (!opened.has(folder)) {
        opened.add(folder);
        lines.push(folderLine(folder));
      }
    }
    lines.push(...fileLines(entry.path, entry.symbols, included.has(entry.path)));
  }
  if (omitted > 0) lines.push(omittedNote(omitted));
  return lines.join('\n');
}

/** Builds the map within `budgetTokens` (exact count of the returned text). */
export function buildRepoMap(input: RepoMapInput): RepoMap {
  const budget = Math.max(0, Math.floor(input.budgetTokens));
  const included = input.included ?? new Set<string>();
  const sortedPaths = input.sortedPaths ?? [...input.files.keys()].sort(comparePaths);
  const total = sortedPaths.length;
  if (budget === 0 || total === 0) return { text: '', tokens: 0, listed: 0, omitted: total };

  const order: string[] = [];
  const queued = new Set<string>();
  for (const path of [...(input.priority ?? []), ...sortedPaths]) {
    if (!queued.has(path) && input.files.has(path)) {
      queued.add(path);
      order.push(path);
    }
  }

  const entries: Entry[] = [];
  const folders = new Set<string>();
  let used = 0;
  // After the first file whose symbols do not fit, the rest are listed by name only (no more parsing), until a
  // name does not fit either: the most useful files keep their API, and the work stays bounded.
  let namesOnly = false;
  for (const path of order) {
    const isIncluded = included.has(path);
    const newFolders = ancestorsOf(path).filter((folder) => !folders.has(folder));
    const folderCost = newFolders.reduce((sum, folder) => sum + lineTokens(folderLine(folder)), 0);
    let symbols = isIncluded || namesOnly ? [] : symbolsOf(path, input.files.get(path) ?? '');
    let cost = linesCost(fileLines(path, symbols, isIncluded));
    if (used + cost + folderCost > budget && symbols.length > 0) {
      namesOnly = true;
      symbols = [];
      cost = linesCost(fileLines(path, symbols, isIncluded));
    }
    if (used + cost + folderCost > budget) break;
    used += cost + folderCost;
    for (const folder of newFolders) folders.add(folder);
    entries.push({ path, symbols, cost, newFolders, folderCost });
  }

  const drop = (): void => {
    const last = entries.pop();
    if (last === undefined) return;
    used -= last.cost + last.folderCost;
    for (const folder of last.newFolders) folders.delete(folder);
  };

  if (entries.length < total) {
    // Room for the note, sized for the largest count it could show.
    const noteCost = lineTokens(omittedNote(total));
    while (entries.length > 0 && used + noteCost > budget) drop();
  }

  // Per-line counts are close to the count of the joined text but not identical (BPE pieces can span a line
  // break), so the final text is counted exactly and trimmed until it fits.
  for (;;) {
    const omitted = total - entries.length;
    const text = render(entries, included, omitted);
    const tokens = countTokens(text);
    if (tokens <= budget) return { text, tokens, listed: entries.length, omitted };
    if (entries.length === 0) return { text: '', tokens: 0, listed: 0, omitted: total };
    drop();
  }
}
