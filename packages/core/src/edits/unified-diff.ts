// Reads the body of a ```diff fence. Models get `@@` line numbers wrong and drop the leading space of blank
// context lines, so numbers are kept only as hints and unprefixed lines count as context (like Aider's udiff).
import type { UnifiedDiffHunk, UnifiedDiffLine, ParseProblem } from './types.ts';

export interface DiffFile {
  path: string;
  /** 1-based line of the answer where this file's part starts. */
  line: number;
  newFile: boolean;
  deleted: boolean;
  hunks: UnifiedDiffHunk[];
}

export interface ParsedDiff {
  files: DiffFile[];
  problems: ParseProblem[];
}

const HUNK_HEADER = /^@@\s*-(\d+)/;
const GIT_METADATA =
  /^(?:diff --git |index [0-9a-f]|new file mode|deleted file mode|old mode|new mode|similarity index|dissimilarity index|rename from|rename to|copy from|copy to|Binary files )/;

function headerPath(raw: string): string | null {
  let path = (raw.split('\t')[0] ?? '').trim();
  if (path.length >= 2 && path.startsWith('"') && path.endsWith('"')) path = path.slice(1, -1);
  return path === '/dev/null' ? null : path;
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** Whether the lines hold at least one `---`/`+++` file header pair. */
export function hasDiffHeaders(lines: readonly string[]): boolean {
  return lines.some((text, i) => text.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ '));
}

/**
 * @param lines the fence's body, one entry per line without terminators
 * @param firstLine the 1-based answer line of `lines[0]`
 * @param fallbackPath the path named before the fence, used when the diff has no `---`/`+++` headers
 */
export function parseUnifiedDiff(
  lines: readonly string[],
  firstLine: number,
  fallbackPath: string | undefined,
): ParsedDiff {
  const files: DiffFile[] = [];
  const problems: ParseProblem[] = [];
  let file: DiffFile | undefined;
  let hunk: UnifiedDiffHunk | undefined;
  let skipping = false;

  const closeHunk = (): void => {
    if (hunk === undefined || file === undefined) return;
    // Blank lines after a hunk are usually spacing before the closing fence, not blank context lines.
    while (hunk.lines.length > 0 && hunk.lines.at(-1)?.text === '' && hunk.lines.at(-1)?.op === 'context') {
      hunk.lines.pop();
    }
    if (hunk.lines.some((l) => l.op !== 'context')) file.hunks.push(hunk);
    hunk = undefined;
  };
  const closeFile = (): void => {
    closeHunk();
    if (file === undefined) return;
    if (file.hunks.length === 0 && !file.deleted) {
      problems.push({
        code: 'PARSE_ERROR',
        kind: 'empty-diff',
        message: `The diff for ${file.path} has no added or removed lines.`,
        line: file.line,
        path: file.path,
      });
    } else {
      files.push(file);
    }
    file = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const lineNo = firstLine + i;
    const next = lines[i + 1];
    if (text.startsWith('--- ') && next !== undefined && next.startsWith('+++ ')) {
      closeFile();
      skipping = false;
      const oldPath = headerPath(text.slice(4));
      const newPath = headerPath(next.slice(4));
      i++;
      if (oldPath === null && newPath === null) {
        problems.push({
          code: 'PARSE_ERROR',
          kind: 'missing-path',
          message: 'A diff names /dev/null on both sides.',
          line: lineNo,
          path: undefined,
        });
        skipping = true;
        continue;
      }
      const deleted = newPath === null;
      const path = newPath === null ? stripPrefix(oldPath ?? '', 'a/') : stripPrefix(newPath, 'b/');
      file = { path, line: lineNo, newFile: oldPath === null, deleted, hunks: [] };
      continue;
    }
    if (skipping) continue;
    const startsHunk = text.startsWith('@@');
    if (file === undefined) {
      if (!startsHunk && !/^[-+ ]/.test(text)) continue;
      if (fallbackPath === undefined) {
        problems.push({
          code: 'PARSE_ERROR',
          kind: 'missing-path',
          message: 'A diff has no `--- a/path` / `+++ b/path` header and no file path before its fence.',
          line: lineNo,
          path: undefined,
        });
        skipping = true;
        continue;
      }
      file = { path: fallbackPath, line: lineNo, newFile: false, deleted: false, hunks: [] };
    }
    if (startsHunk) {
      closeHunk();
      const header = HUNK_HEADER.exec(text);
      hunk = { oldStart: header?.[1] === undefined ? undefined : Number(header[1]), line: lineNo, lines: [] };
      continue;
    }
    if (GIT_METADATA.test(text)) {
      closeHunk();
      continue;
    }
    if (text.startsWith('\\')) continue; // "\ No newline at end of file"
    hunk ??= { oldStart: undefined, line: lineNo, lines: [] };
    hunk.lines.push(diffLine(text));
  }
  closeFile();
  return { files, problems };
}

function diffLine(text: string): UnifiedDiffLine {
  const op = text[0];
  if (op === '-') return { op: 'remove', text: text.slice(1) };
  if (op === '+') return { op: 'add', text: text.slice(1) };
  if (op === ' ') return { op: 'context', text: text.slice(1) };
  return { op: 'context', text };
}
