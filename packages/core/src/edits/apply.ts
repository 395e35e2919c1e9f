// Applies parsed edits to a virtual copy of the workspace. Each edit (each hunk of a diff) succeeds or fails on
// its own, so one bad block costs only itself; failures carry what the model needs to fix them.
import { type ErrorCode, isAppError } from '../errors.ts';
import { defaultWorkspaceLimits, formatBytes } from '../files/limits.ts';
import { basename, normalizePath, pathKey } from '../files/path.ts';
import { type ClosestRegion, findMatch, type MatchRung, replaceMatch } from './match.ts';
import type { UnifiedDiffHunk, ParsedEdit } from './types.ts';

export type EditAction = 'modified' | 'created' | 'overwritten' | 'deleted';

export interface EditApplied {
  status: 'applied';
  edit: ParsedEdit;
  /** Normalized path. */
  path: string;
  /** Position of the hunk within a diff edit, from 0; undefined for other edits. */
  hunk: number | undefined;
  action: EditAction;
  /** Which rung of the matching ladder found the SEARCH text; undefined when nothing had to be matched. */
  rung: MatchRung | undefined;
  /** 1-based first changed line, in the file as it was just before this edit. */
  startLine: number | undefined;
}

export interface EditFailed {
  status: 'failed';
  edit: ParsedEdit;
  /** Normalized path, or the path as the model wrote it when that was refused. */
  path: string;
  hunk: number | undefined;
  code: ErrorCode;
  message: string;
  /** For a missing match: the most similar lines of the file, if any are similar enough. */
  didYouMean: ClosestRegion | undefined;
  /** For an ambiguous match: the 1-based first line of each place that matched. */
  matchedLines: number[];
  /** The REPLACE text is already in the file: the model may be resending an edit that applied earlier. */
  replaceAlreadyPresent: boolean;
}

export type EditResult = EditApplied | EditFailed;

export interface ApplyEditsOptions {
  /** Largest file an edit may produce, in UTF-8 bytes. */
  maxFileBytes?: number;
  /** Refuses edits to paths the workspace's policy protects (normalized path in, false = refuse). */
  isWritable?: (path: string) => boolean;
}

export interface ApplyEditsResult {
  /** Files created or changed, with their new content. */
  files: Map<string, string>;
  /** Files of the input that were deleted. */
  deleted: Set<string>;
  /** One entry per edit (per hunk for diffs), in order. */
  results: EditResult[];
}

const encoder = new TextEncoder();

interface Step {
  edit: ParsedEdit;
  path: string;
  hunk: number | undefined;
}

class VirtualCopy {
  readonly current: Map<string, string>;
  readonly changed = new Map<string, string>();
  readonly deleted = new Set<string>();
  readonly results: EditResult[] = [];

  constructor(
    private readonly original: ReadonlyMap<string, string>,
    private readonly maxFileBytes: number,
  ) {
    this.current = new Map(original);
  }

  applied(step: Step, action: EditAction, rung: MatchRung | undefined, startLine: number | undefined): void {
    this.results.push({ status: 'applied', ...step, action, rung, startLine });
  }

  failed(step: Step, code: ErrorCode, message: string, extra: Partial<EditFailed> = {}): void {
    this.results.push({
      status: 'failed',
      ...step,
      code,
      message,
      didYouMean: undefined,
      matchedLines: [],
      replaceAlreadyPresent: false,
      ...extra,
    });
  }

  /** Stores new content unless it is too large; returns whether it was stored. */
  write(step: Step, content: string): boolean {
    const bytes = encoder.encode(content).length;
    if (bytes > this.maxFileBytes) {
      this.failed(
        step,
        'FILE_TOO_LARGE',
        `This edit would make ${step.path} ${formatBytes(bytes)}, over the ${formatBytes(this.maxFileBytes)} limit.`,
      );
      return false;
    }
    this.current.set(step.path, content);
    this.changed.set(step.path, content);
    this.deleted.delete(step.path);
    return true;
  }

  remove(path: string): void {
    this.current.delete(path);
    this.changed.delete(path);
    if (this.original.has(path)) this.deleted.add(path);
  }

  /** An existing file that differs from `path` only by case, which would clash on macOS and Windows. */
  caseTwin(path: string): string | undefined {
    const key = pathKey(path);
    for (const other of this.current.keys()) if (other !== path && pathKey(other) === key) return other;
    return undefined;
  }

  missingFileMessage(path: string): string {
    const name = basename(path);
    const similar = [...this.current.keys()].filter(
      (p) => basename(p) === name || pathKey(p) === pathKey(path),
    );
    const hint = similar.length > 0 ? ` Did you mean ${similar.slice(0, 3).join(', ')}?` : '';
    return `${path} does not exist. To create a new file, use a SEARCH/REPLACE block with an empty SEARCH section.${hint}`;
  }
}

const isBlank = (text: string): boolean => text.trim() === '';

function isPresent(content: string, text: string): boolean {
  const found = findMatch(content, text);
  return found.ok || found.code === 'EDIT_AMBIGUOUS';
}

function create(copy: VirtualCopy, step: Step, content: string): void {
  const twin = copy.caseTwin(step.path);
  if (twin !== undefined) {
    copy.failed(step, 'PATH_EXISTS', `Cannot create ${step.path}: ${twin} exists and differs only by case.`);
    return;
  }
  if (copy.write(step, content)) copy.applied(step, 'created', undefined, 1);
}

/** Applies one SEARCH/REPLACE pair (a block, or a diff hunk turned into one). */
function replace(copy: VirtualCopy, step: Step, search: string, replacement: string): void {
  const existing = copy.current.get(step.path);
  if (isBlank(search)) {
    if (existing === undefined) create(copy, step, replacement);
    else if (isBlank(existing)) {
      if (copy.write(step, replacement)) copy.applied(step, 'modified', undefined, 1);
    } else {
      copy.failed(
        step,
        'PATH_EXISTS',
        `The SEARCH section is empty, which creates a file, but ${step.path} already exists and is not empty. ` +
          'To change it, put the existing lines to replace (or to insert next to) in the SEARCH section.',
      );
    }
    return;
  }
  if (existing === undefined) {
    copy.failed(step, 'NOT_FOUND', copy.missingFileMessage(step.path));
    return;
  }
  const match = findMatch(existing, search);
  if (match.ok) {
    if (copy.write(step, replaceMatch(existing, match, replacement))) {
      copy.applied(step, 'modified', match.rung, match.startLine);
    }
    return;
  }
  if (match.code === 'EDIT_AMBIGUOUS') {
    copy.failed(
      step,
      'EDIT_AMBIGUOUS',
      `The SEARCH text matches ${match.startLines.length} places in ${step.path} (lines ` +
        `${match.startLines.join(', ')}). Include more surrounding lines so it matches exactly one.`,
      { matchedLines: match.startLines },
    );
    return;
  }
  copy.failed(step, 'EDIT_NO_MATCH', `The SEARCH text does not match any lines in ${step.path}.`, {
    didYouMean: match.closest,
    // Only telling when the REPLACE text adds something; a pure deletion's remainder is present anyway.
    replaceAlreadyPresent:
      !isBlank(replacement) && !search.includes(replacement.trim()) && isPresent(existing, replacement),
  });
}

function hunkText(hunk: UnifiedDiffHunk, side: 'old' | 'new'): string {
  const skip = side === 'old' ? 'add' : 'remove';
  const lines = hunk.lines.filter((l) => l.op !== skip).map((l) => l.text);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function applyDiff(copy: VirtualCopy, edit: ParsedEdit & { kind: 'diff' }, path: string): void {
  const existing = copy.current.get(path);
  const pureAddition = edit.hunks.every((h) => h.lines.every((l) => l.op === 'add'));
  if (edit.newFile || (existing === undefined && pureAddition)) {
    const step = { edit, path, hunk: undefined };
    const content = edit.hunks.map((h) => hunkText(h, 'new')).join('');
    if (existing !== undefined && !isBlank(existing)) {
      copy.failed(step, 'PATH_EXISTS', `The diff creates ${path} (from /dev/null), but it already exists.`);
    } else if (existing === undefined) create(copy, step, content);
    else if (copy.write(step, content)) copy.applied(step, 'modified', undefined, 1);
    return;
  }
  edit.hunks.forEach((hunk, index) => {
    const step = { edit, path, hunk: index };
    const search = hunkText(hunk, 'old');
    if (isBlank(search) && copy.current.has(path) && !isBlank(copy.current.get(path) ?? '')) {
      copy.failed(
        step,
        'EDIT_NO_MATCH',
        `This hunk for ${path} has only added lines, so there is nothing to locate it by. ` +
          'Include a few unchanged lines around the addition as context.',
      );
      return;
    }
    replace(copy, step, search, hunkText(hunk, 'new'));
  });
}

export function applyEdits(
  files: ReadonlyMap<string, string>,
  edits: readonly ParsedEdit[],
  options: ApplyEditsOptions = {},
): ApplyEditsResult {
  const copy = new VirtualCopy(files, options.maxFileBytes ?? defaultWorkspaceLimits.maxFileBytes);
  for (const edit of edits) {
    let path: string;
    try {
      path = normalizePath(edit.path);
    } catch (error) {
      if (!isAppError(error)) throw error;
      copy.failed({ edit, path: edit.path, hunk: undefined }, error.code, error.message);
      continue;
    }
    const step: Step = { edit, path, hunk: undefined };
    if (options.isWritable !== undefined && !options.isWritable(path)) {
      copy.failed(step, 'FORBIDDEN', `${path} is protected by the workspace policy and cannot be changed.`);
      continue;
    }
    switch (edit.kind) {
      case 'search-replace':
        replace(copy, step, edit.search, edit.replace);
        break;
      case 'diff':
        applyDiff(copy, edit, path);
        break;
      case 'whole-file': {
        const existed = copy.current.has(path);
        if (!existed) create(copy, step, edit.content);
        else if (copy.write(step, edit.content)) copy.applied(step, 'overwritten', undefined, 1);
        break;
      }
      case 'delete':
        if (!copy.current.has(path)) {
          copy.failed(step, 'NOT_FOUND', `Cannot delete ${path}: it does not exist.`);
        } else {
          copy.remove(path);
          copy.applied(step, 'deleted', undefined, undefined);
        }
        break;
    }
  }
  return { files: copy.changed, deleted: copy.deleted, results: copy.results };
}
