// The quick-open matcher: a query's characters in order within a path (case-insensitive), scored so that
// matches in the file name, at word starts and in runs beat scattered ones; recently opened files come first.

export interface FuzzyMatch {
  path: string;
  score: number;
  /** Indices in `path` of the matched characters, for highlighting. */
  positions: number[];
}

const separators = new Set(['/', '.', '_', '-', ' ']);

function isWordStart(path: string, i: number): boolean {
  if (i === 0) return true;
  const prev = path[i - 1] ?? '';
  const here = path[i] ?? '';
  if (separators.has(prev)) return true;
  // camelCase: a capital after a lower-case letter.
  return here !== here.toLowerCase() && prev === prev.toLowerCase() && prev !== prev.toUpperCase();
}

/**
 * Scores `path` against `query` (spaces in the query are ignored), or null when its characters do not all
 * appear in order. Each character prefers, in order: the file name, a word start, continuing a run.
 */
export function fuzzyMatch(query: string, path: string): FuzzyMatch | null {
  const typed = query.replace(/\s+/g, '');
  return matchLowered(typed, typed.toLowerCase(), path, path.toLowerCase());
}

/** fuzzyMatch with the query's spaces already gone and both sides already lower-cased once (`q`, `lower`). */
function matchLowered(typed: string, q: string, path: string, lower: string): FuzzyMatch | null {
  if (q === '') return { path, score: 0, positions: [] };
  const nameStart = path.lastIndexOf('/') + 1;
  const positions: number[] = [];
  let score = 0;
  let from = 0;
  // Match from the back so the file name gets the last characters of the query when it can hold them.
  let end = lower.length;
  const latest: number[] = new Array<number>(q.length);
  for (let k = q.length - 1; k >= 0; k--) {
    const at = lower.lastIndexOf(q[k] ?? '', end - 1);
    if (at < 0) return null;
    latest[k] = at;
    end = at;
  }
  // Then improve greedily left to right: each character at the earliest word start after the previous match
  // that still leaves room for the rest (the backward pass gives the latest feasible position of each).
  for (let k = 0; k < q.length; k++) {
    const c = q[k] ?? '';
    const limit = latest[k] ?? lower.length - 1;
    let pick = -1;
    const prev = positions.at(-1);
    if (prev !== undefined && lower[prev + 1] === c && prev + 1 <= limit) pick = prev + 1;
    if (pick < 0) {
      for (let i = from; i <= limit; i++) {
        if (lower[i] === c && isWordStart(path, i)) {
          pick = i;
          break;
        }
      }
    }
    if (pick < 0) pick = lower.indexOf(c, from);
    if (pick < 0 || pick > limit) pick = limit;
    positions.push(pick);
    from = pick + 1;
  }
  for (let k = 0; k < positions.length; k++) {
    const at = positions[k] ?? 0;
    let points = 1;
    if (at >= nameStart) points += 2;
    if (isWordStart(path, at)) points += 3;
    if (k > 0 && positions[k - 1] === at - 1) points += 4;
    if (path[at] === typed[k]) points += 0.5;
    score += points;
  }
  // Shorter paths and a match that ends at the name's end (typing the whole name) rank higher.
  score -= path.length * 0.05;
  if (positions.at(-1) === path.length - 1 || lower.startsWith(q, nameStart)) score += 3;
  return { path, score, positions };
}

/** Best first: higher score, then the shorter path, then by path. */
const better = (a: FuzzyMatch, b: FuzzyMatch) =>
  b.score - a.score || a.path.length - b.path.length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Per list of paths (the same array while the workspace's listing is unchanged): the paths lower-cased once, and
 * which of them the last query matched. Each keystroke that extends the query can only drop paths (its characters
 * in order are those of the shorter query plus more), so it is matched against those alone.
 */
interface PathIndex {
  lower: string[];
  last: { q: string; hits: number[] } | null;
}
const indexes = new WeakMap<readonly string[], PathIndex>();

function indexOf(paths: readonly string[]): PathIndex {
  let index = indexes.get(paths);
  if (!index) {
    index = { lower: paths.map((p) => p.toLowerCase()), last: null };
    indexes.set(paths, index);
  }
  return index;
}

/**
 * The files to offer for `query`, best first, at most `limit`. With an empty query: the recently opened files
 * (most recent first), then the rest by path. With a query: by score, with a recent file winning a close call.
 */
export function rankFiles(
  query: string,
  paths: readonly string[],
  recent: readonly string[] = [],
  limit = 50,
): FuzzyMatch[] {
  if (query.trim() === '') {
    const known = new Set(paths);
    const first = recent.filter((p) => known.has(p));
    const shown = new Set(first);
    const rest = paths.filter((p) => !shown.has(p)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...first, ...rest].slice(0, limit).map((path) => ({ path, score: 0, positions: [] }));
  }
  const typed = query.replace(/\s+/g, '');
  const q = typed.toLowerCase();
  const recency = new Map(recent.map((p, i) => [p, i] as const));
  const index = indexOf(paths);
  const candidates = index.last && q.startsWith(index.last.q) ? index.last.hits : null;
  const hits: number[] = [];
  // The best `limit` so far, best first: a match that cannot beat the last of a full list is not kept.
  const top: FuzzyMatch[] = [];
  const consider = (i: number) => {
    const path = paths[i] ?? '';
    const match = matchLowered(typed, q, path, index.lower[i] ?? '');
    if (!match) return;
    hits.push(i);
    const r = recency.get(path);
    if (r !== undefined) match.score += Math.max(1, 5 - r);
    const worst = top.at(-1);
    if (top.length >= limit && worst && better(match, worst) >= 0) return;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (better(top[mid] as FuzzyMatch, match) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, match);
    if (top.length > limit) top.pop();
  };
  if (candidates) for (const i of candidates) consider(i);
  else for (let i = 0; i < paths.length; i++) consider(i);
  index.last = { q, hits };
  return top;
}

/** "src/a.ts:42" → the file part and line 42; ":42" → line 42 of the open file. Lines are 1-based. */
export function parseQuickOpen(input: string): { query: string; line: number | null } {
  const m = /^(.*?):(\d+)\s*$/.exec(input);
  if (!m) return { query: input, line: null };
  const line = Number(m[2]);
  return { query: m[1] ?? '', line: line >= 1 ? line : null };
}
