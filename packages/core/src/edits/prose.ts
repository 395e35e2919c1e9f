// The model's explanation without its edits: what a task's summary shows, instead of a raw-output block that
// a reader has to open and scan past SEARCH/REPLACE blocks and diffs.
import { closesFence, parseFence, pathFromLine, type Fence } from './markdown-lines.ts';

const DIFF_INFO = new Set(['diff', 'patch', 'udiff']);

/**
 * The prose of an answer: every line outside fenced blocks, minus the path line that names the block after it.
 * Inside a diff fence only a fence at the very start of a line closes it (a context line of a diff starts with a
 * space, so a code sample in a diffed comment is not its end), as in the edit parser.
 */
export function answerProse(answer: string): string {
  const out: string[] = [];
  let open: { fence: Fence; diff: boolean } | null = null;
  for (const line of answer.split(/\r?\n/)) {
    if (open) {
      if (closesFence(line, open.fence) && (!open.diff || !/^\s/.test(line))) open = null;
      continue;
    }
    const fence = parseFence(line);
    if (fence) {
      open = { fence, diff: DIFF_INFO.has(fence.info.toLowerCase()) };
      const previous = out.at(-1);
      if (previous !== undefined && pathFromLine(previous) !== undefined) out.pop();
      continue;
    }
    out.push(line);
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
