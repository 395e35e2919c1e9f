// `@path` mentions in a task prompt: what is being typed at the caret (for autocomplete) and which workspace
// files the finished prompt names (sent as the task's `paths`, so they are in context for sure).

export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  /** Text typed after the `@` up to the caret. */
  query: string;
}

const mentionChar = /[^\s@`'"()<>[\]{},;]/;

export function mentionAt(text: string, caret: number): MentionQuery | null {
  let i = caret;
  while (i > 0 && mentionChar.test(text.charAt(i - 1))) i--;
  if (i === 0 || text.charAt(i - 1) !== '@') return null;
  const start = i - 1;
  if (start > 0 && !/\s|[([{]/.test(text.charAt(start - 1))) return null;
  return { start, query: text.slice(i, caret) };
}

/** Best matches first: exact name prefix, then path prefix, then anywhere in the path. */
export function suggestPaths(paths: readonly string[], query: string, limit = 8): string[] {
  const q = query.toLowerCase();
  const scored: { path: string; score: number }[] = [];
  for (const path of paths) {
    const lower = path.toLowerCase();
    const name = lower.slice(lower.lastIndexOf('/') + 1);
    const score = name.startsWith(q) ? 0 : lower.startsWith(q) ? 1 : lower.includes(q) ? 2 : -1;
    if (score >= 0) scored.push({ path, score });
  }
  scored.sort((a, b) => a.score - b.score || a.path.length - b.path.length || a.path.localeCompare(b.path));
  return scored.slice(0, limit).map((s) => s.path);
}

/** Replaces the mention being typed with `@path ` and returns the new text and caret. */
export function completeMention(text: string, mention: MentionQuery, path: string, caret: number) {
  const next = `${text.slice(0, mention.start)}@${path} ${text.slice(caret)}`;
  return { text: next, caret: mention.start + path.length + 2 };
}

/** The existing workspace paths the prompt mentions, in order of first mention, without duplicates. */
export function mentionedPaths(text: string, paths: readonly string[]): string[] {
  const known = new Set(paths);
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|[\s([{])@([^\s@`'"()<>[\]{},;]+)/g)) {
    const path = (match[1] ?? '').replace(/[.:!?]+$/, '');
    if (known.has(path) && !found.includes(path)) found.push(path);
  }
  return found;
}
