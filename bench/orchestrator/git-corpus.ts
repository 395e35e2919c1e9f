// Real edits from this repository's own history: every modified hunk of a TypeScript file becomes the
// SEARCH/REPLACE block a careful model would write for it, paired with the file before the commit and the exact
// text the edit must produce. Nothing is copied into the repository; the corpus is rebuilt from git each run.
import { execFileSync } from 'node:child_process';

/** One modified region of one file in one commit, written as a unique SEARCH/REPLACE pair. */
export interface CorpusBlock {
  commit: string;
  path: string;
  /** The file at the commit's first parent. */
  before: string;
  /** Old lines of the region plus context, each ending with `\n`. */
  search: string;
  /** The same region after the commit. */
  replace: string;
  /** `before` with only this hunk applied. */
  expected: string;
}

/** Every hunk of one file in one commit, as blocks meant to be applied one after another. */
export interface CorpusFile {
  commit: string;
  path: string;
  before: string;
  /** The file at the commit. */
  after: string;
  blocks: { search: string; replace: string }[];
}

export interface Corpus {
  blocks: CorpusBlock[];
  files: CorpusFile[];
  commits: number;
  /** Hunks seen in the history before the cap and the filters below. */
  hunksSeen: number;
  /** Hunks left out, by reason. */
  skipped: Record<string, number>;
}

export interface CorpusOptions {
  repoDir: string;
  /** Stop after this many hunks, so the accuracy run stays short however long the history grows. */
  maxHunks: number;
  /**
   * Context lines around the change to start from, one block per value (models differ: some quote only the
   * changed lines and a neighbour, some quote git's three); each is grown until the SEARCH text is unique.
   */
  contexts?: readonly number[];
  maxContext?: number;
}

interface Hunk {
  /** 0-based index in the old file where the removed lines start (or where the insertion goes). */
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

interface FileChange {
  commit: string;
  parent: string;
  path: string;
  hunks: Hunk[];
}

// `git log -p` prints the path of a modified file on its `+++ b/…` line; `-U0` leaves only the changed lines.
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function git(repoDir: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
}

/** Contents of `rev:path` specs, read through one `git cat-file --batch`. */
function readBlobs(repoDir: string, specs: readonly string[]): Map<string, string> {
  const blobs = new Map<string, string>();
  if (specs.length === 0) return blobs;
  const out = execFileSync('git', ['cat-file', '--batch'], {
    cwd: repoDir,
    input: `${specs.join('\n')}\n`,
    maxBuffer: 1024 * 1024 * 1024,
  });
  let at = 0;
  for (const spec of specs) {
    const eol = out.indexOf(0x0a, at);
    if (eol === -1) break;
    // "<oid> blob <size>", or "<spec> missing" for a path that did not exist at that revision.
    const header = out.subarray(at, eol).toString('utf8').split(' ');
    at = eol + 1;
    if (header[1] !== 'blob') continue;
    const size = Number(header[2]);
    blobs.set(spec, out.subarray(at, at + size).toString('utf8'));
    at += size + 1;
  }
  return blobs;
}

export function hasGitHistory(repoDir: string): boolean {
  try {
    return git(repoDir, ['rev-parse', '--is-inside-work-tree']).trim() === 'true';
  } catch {
    return false;
  }
}

function readChanges(repoDir: string): { changes: FileChange[]; commits: number } {
  const log = git(repoDir, [
    'log',
    '-p',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--diff-filter=M',
    '--first-parent',
    '--format=COMMIT %H %P',
    '--',
    '*.ts',
    '*.tsx',
  ]);
  const changes: FileChange[] = [];
  const commits = new Set<string>();
  let commit = '';
  let parent = '';
  let current: FileChange | undefined;
  for (const line of log.split('\n')) {
    if (line.startsWith('COMMIT ')) {
      [commit = '', parent = ''] = line.slice('COMMIT '.length).split(' ');
      current = undefined;
      continue;
    }
    if (line.startsWith('diff --git ')) {
      current = undefined;
      continue;
    }
    if (line.startsWith('+++ b/') && parent !== '') {
      current = { commit, parent, path: line.slice('+++ b/'.length), hunks: [] };
      changes.push(current);
      commits.add(commit);
      continue;
    }
    const header = current === undefined ? null : HUNK_HEADER.exec(line);
    if (header !== null && current !== undefined) {
      const oldCount = header[2] === undefined ? 1 : Number(header[2]);
      const newCount = header[4] === undefined ? 1 : Number(header[4]);
      // With a count of 0 the start names the line after which the change sits, not the changed line.
      const oldStart = Number(header[1]) - (oldCount === 0 ? 0 : 1);
      const newStart = Number(header[3]) - (newCount === 0 ? 0 : 1);
      current.hunks.push({ oldStart, oldCount, newStart, newCount });
    }
  }
  return { changes: changes.filter((c) => c.hunks.length > 0), commits: commits.size };
}

interface Lines {
  lines: string[];
  finalNewline: boolean;
}

function toLines(text: string): Lines {
  const finalNewline = text.endsWith('\n');
  const lines = text.split('\n');
  if (finalNewline) lines.pop();
  return { lines, finalNewline };
}

const joinLines = (lines: readonly string[]): string => lines.map((l) => `${l}\n`).join('');

function fromLines(lines: readonly string[], finalNewline: boolean): string {
  const text = lines.join('\n');
  return finalNewline && lines.length > 0 ? `${text}\n` : text;
}

function occurrences(file: readonly string[], window: readonly string[]): number {
  let count = 0;
  for (let at = 0; at + window.length <= file.length; at++) {
    let k = 0;
    while (k < window.length && file[at + k] === window[k]) k++;
    if (k === window.length) count++;
    if (count > 1) break;
  }
  return count;
}

const isBlank = (line: string | undefined): boolean => (line ?? '').trim() === '';

/**
 * The old-file window [start, end) around a hunk that a model would quote: at least `context` lines each side,
 * widened past blank edge lines (a block that starts or ends on a blank line is fragile under whitespace
 * tolerance) and until it occurs exactly once. Undefined when no window up to `maxContext` is unique.
 */
function uniqueWindow(
  old: readonly string[],
  hunk: Hunk,
  context: number,
  maxContext: number,
): { start: number; end: number } | undefined {
  for (let k = context; k <= maxContext; k++) {
    let start = Math.max(0, hunk.oldStart - k);
    let end = Math.min(old.length, hunk.oldStart + hunk.oldCount + k);
    while (start > 0 && start < hunk.oldStart && isBlank(old[start])) start--;
    while (end < old.length && end > hunk.oldStart + hunk.oldCount && isBlank(old[end - 1])) end++;
    const window = old.slice(start, end);
    if (window.length === 0 || window.every((l) => isBlank(l))) continue;
    if (occurrences(old, window) === 1) return { start, end };
  }
  return undefined;
}

/** A window of the old file with the hunks inside it applied. */
function replaced(
  old: readonly string[],
  next: readonly string[],
  window: { start: number; end: number },
  hunks: readonly Hunk[],
): string[] {
  const out: string[] = [];
  let at = window.start;
  for (const hunk of hunks) {
    out.push(...old.slice(at, hunk.oldStart), ...next.slice(hunk.newStart, hunk.newStart + hunk.newCount));
    at = hunk.oldStart + hunk.oldCount;
  }
  out.push(...old.slice(at, window.end));
  return out;
}

// A line that the block format itself would read as a marker cannot be quoted inside a block.
const MARKER = /^\s*(?:<{5,9}\s*SEARCH|={5,9}|>{5,9}\s*REPLACE)\s*$/i;

export function buildCorpus(options: CorpusOptions): Corpus {
  const contexts = options.contexts ?? [1, 3];
  const maxContext = options.maxContext ?? 12;
  const { changes, commits } = readChanges(options.repoDir);
  const skipped: Record<string, number> = {};
  const skip = (reason: string, n = 1) => (skipped[reason] = (skipped[reason] ?? 0) + n);
  const blocks: CorpusBlock[] = [];
  const files: CorpusFile[] = [];
  let hunksSeen = 0;

  // Newest history first, up to the cap; every file version then comes from one `git cat-file` process.
  const taken: FileChange[] = [];
  let planned = 0;
  for (const change of changes) {
    hunksSeen += change.hunks.length;
    if (planned >= options.maxHunks) skip('over the corpus cap', change.hunks.length);
    else {
      taken.push(change);
      planned += change.hunks.length * contexts.length;
    }
  }
  const blobs = readBlobs(
    options.repoDir,
    taken.flatMap((c) => [`${c.parent}:${c.path}`, `${c.commit}:${c.path}`]),
  );

  for (const change of taken) {
    const before = blobs.get(`${change.parent}:${change.path}`);
    const after = blobs.get(`${change.commit}:${change.path}`);
    if (before === undefined || after === undefined) {
      skip('file version missing', change.hunks.length);
      continue;
    }
    const old = toLines(before);
    const next = toLines(after);
    if (old.finalNewline !== next.finalNewline) {
      // A block cannot say "add/remove the newline at end of file".
      skip('final newline changed', change.hunks.length);
      continue;
    }
    if ([...old.lines, ...next.lines].some((l) => MARKER.test(l) || l.includes('\r'))) {
      skip('file has marker lines or CR', change.hunks.length);
      continue;
    }
    const windows: { start: number; end: number; hunks: Hunk[] }[] = [];
    for (const hunk of change.hunks) {
      const expected = fromLines(
        replaced(old.lines, next.lines, { start: 0, end: old.lines.length }, [hunk]),
        old.finalNewline,
      );
      const searches = new Set<string>();
      for (const context of contexts) {
        const window = uniqueWindow(old.lines, hunk, context, maxContext);
        if (window === undefined) {
          skip('no unique context (block variants)');
          continue;
        }
        if (context === contexts[0]) windows.push({ ...window, hunks: [hunk] });
        const search = joinLines(old.lines.slice(window.start, window.end));
        // Widening past blank lines can make two starting contexts give the same block.
        if (searches.has(search)) continue;
        searches.add(search);
        const replace = joinLines(replaced(old.lines, next.lines, window, [hunk]));
        blocks.push({ commit: change.commit, path: change.path, before, search, replace, expected });
      }
    }
    // Whole-file answers need every hunk; a file with one hunk that has no unique window is left out.
    if (windows.length !== change.hunks.length) continue;
    // Windows that overlap or touch become one block, as a model would write one edit for neighbouring changes.
    const merged: typeof windows = [];
    for (const w of windows) {
      const last = merged.at(-1);
      if (last !== undefined && w.start <= last.end) {
        last.end = Math.max(last.end, w.end);
        last.hunks.push(...w.hunks);
      } else merged.push({ ...w, hunks: [...w.hunks] });
    }
    files.push({
      commit: change.commit,
      path: change.path,
      before,
      after,
      blocks: merged.map((w) => ({
        search: joinLines(old.lines.slice(w.start, w.end)),
        replace: joinLines(replaced(old.lines, next.lines, w, w.hunks)),
      })),
    });
  }
  return { blocks, files, commits, hunksSeen, skipped };
}
