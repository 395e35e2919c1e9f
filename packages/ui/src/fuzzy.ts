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
  const q = query.replace(/\s+/g, '').toLowerCase();
  if (q === '') return { path, score: 0, positions: [] };
  const lower = path.toLowerCase();
  const nameStart = path.lastIndexOf('/') + 1;
  const positions: number[] = [];
  let score = 0;
  let from = 0;
  // Match from the back so the file name gets the last characters of the query when it can hold them.
  let end = lower.length;
  const reversed: number[] = [];
  for (let k = q.length - 1; k >= 0; k--) {
    const at = lower.lastIndexOf(q[k] ?? '', end - 1);
    if (at < 0) return null;
    reversed.push(at);
    end = at;
  }
  // Then improve greedily left to right: each character at the earliest word start after the previous match
  // that still leaves room for the rest (the backward pass gives the latest feasible position of each).
  const latest = reversed.reverse();
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
    if (path[at] === query.replace(/\s+/g, '')[k]) points += 0.5;
    score += points;
  }
  // Shorter paths and a match that ends at the name's end (typing the whole name) rank higher.
  score -= path.length * 0.05;
  if (positions.at(-1) === path.length - 1 || path.slice(nameStart).toLowerCase().startsWith(q)) score += 3;
  return { path, score, positions };
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
  const recency = new Map(recent.map((p, i) => [p, i] as const));
  const known = new Set(paths);
  if (query.trim() === '') {
    const first = recent.filter((p) => known.has(p));
    const shown = new Set(first);
    const rest = paths.filter((p) => !shown.has(p)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...first, ...rest].slice(0, limit).map((path) => ({ path, score: 0, positions: [] }));
  }
  const matches: FuzzyMatch[] = [];
  for (const path of paths) {
    const match = fuzzyMatch(query, path);
    if (!match) continue;
    const r = recency.get(path);
    if (r !== undefined) match.score += Math.max(1, 5 - r);
    matches.push(match);
  }
  matches.sort((a, b) => b.score - a.score || a.path.length - b.path.length || (a.path < b.path ? -1 : 1));
  return matches.slice(0, limit);
}

/** "src/a.ts:42" → the file part and line 42; ":42" → line 42 of the open file. Lines are 1-based. */
export function parseQuickOpen(input: string): { query: string; line: number | null } {
  const m = /^(.*?):(\d+)\s*$/.exec(input);
  if (!m) return { query: input, line: null };
  const line = Number(m[2]);
  return { query: m[1] ?? '', line: line >= 1 ? line : null };
}
