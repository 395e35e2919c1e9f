// Turns a model's streamed answer into edits while it streams. Works line by line and emits each edit the
// moment its block closes; chunk boundaries never change the result because only complete lines are read.
import { AppError } from '../errors.ts';
import {
  closesFence,
  type Fence,
  isDividerMarker,
  isReplaceMarker,
  isSearchMarker,
  parseFence,
  pathFromLine,
} from './markdown-lines.ts';
import type { ParsedEdit, ParseProblem, ParseProblemKind } from './types.ts';
import { hasDiffHeaders, parseUnifiedDiff } from './unified-diff.ts';

export interface EditParser {
  /** Feeds the next piece of the answer; returns the edits completed by it. */
  push(chunk: string): ParsedEdit[];
  /** Ends the answer; returns the edits that were still open (e.g. a fence the model never closed). */
  end(): ParsedEdit[];
  /** Malformed blocks seen so far, in answer order. */
  readonly problems: readonly ParseProblem[];
}

export interface ParsedAnswer {
  edits: ParsedEdit[];
  problems: ParseProblem[];
}

interface OpenFence {
  fence: Fence;
  line: number;
  /** Path named on the line before the fence (or in its info string). */
  path: string | undefined;
  body: string[];
  /** Once a SEARCH block appeared the fence holds blocks, never a whole file or a diff. */
  hasBlocks: boolean;
  /** Nested fences opened inside a whole-file body, e.g. code samples in a Markdown file. */
  depth: number;
  /** Last non-blank line since the fence opened or the last block closed: a path line names the next block. */
  lastLine: string | undefined;
  /**
   * A unified diff (by its info string, or once `---`/`+++` headers appeared): every line of its body starts with a
   * space, `+`, `-`, a backslash or `@`, so only a fence at the very start of a line closes it. A context line holding a
   * fence (a code sample in a comment) is part of the diff, not its end.
   */
  diff: boolean;
}

interface OpenBlock {
  line: number;
  path: string | undefined;
  phase: 'search' | 'replace';
  search: string[];
  replace: string[];
}

const DIFF_INFO = new Set(['diff', 'patch', 'udiff']);

function pathFromInfo(info: string): string | undefined {
  // Some models put the path in the info string: ```src/app.ts or ```ts:src/app.ts. Language names carry no
  // `.` or `/`, so only tokens with one are taken as paths.
  for (const token of info.split(/[\s:]+/)) {
    if (/[./]/.test(token)) {
      const path = pathFromLine(token);
      if (path !== undefined) return path;
    }
  }
  return undefined;
}

function joinLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

class StreamingEditParser implements EditParser {
  readonly problems: ParseProblem[] = [];
  private buffer = '';
  private lineNo = 0;
  private nextIndex = 0;
  private ended = false;
  private fence: OpenFence | undefined;
  private block: OpenBlock | undefined;
  /** Path on the last non-blank line outside fences (undefined when that line was prose). */
  private prosePath: string | undefined;
  /** File of the most recent SEARCH block: later blocks without a path line edit the same file. */
  private currentPath: string | undefined;
  private out: ParsedEdit[] = [];

  push(chunk: string): ParsedEdit[] {
    if (this.ended) throw new AppError('INTERNAL', 'Edit parser used after end()');
    // Token-sized chunks mostly end mid-line: skip rescanning the pending partial line for them.
    if (!chunk.includes('\n')) {
      this.buffer += chunk;
      return [];
    }
    this.buffer += chunk;
    let start = 0;
    for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n', start)) {
      this.readLine(this.buffer.slice(start, nl));
      start = nl + 1;
    }
    this.buffer = this.buffer.slice(start);
    return this.take();
  }

  end(): ParsedEdit[] {
    if (this.ended) return [];
    if (this.buffer !== '') this.readLine(this.buffer);
    this.buffer = '';
    this.ended = true;
    const block = this.block;
    if (block !== undefined) {
      this.block = undefined;
      if (block.phase === 'search') {
        this.problem(
          'missing-divider',
          block,
          'The answer ended inside a SEARCH section: no `=======` line.',
        );
      } else {
        this.problem('missing-replace-marker', block, 'The answer ended before `>>>>>>> REPLACE`.');
      }
    }
    // A fence left open at the end is usually a model that simply stopped; take what it wrote.
    if (this.fence !== undefined) this.closeFence(this.fence);
    return this.take();
  }

  private take(): ParsedEdit[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private readLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.lineNo++;
    if (this.block !== undefined) this.readBlockLine(this.block, line);
    else if (this.fence !== undefined) this.readFenceLine(this.fence, line);
    else this.readProseLine(line);
  }

  private readBlockLine(block: OpenBlock, line: string): void {
    if (block.phase === 'search') {
      if (isDividerMarker(line)) {
        block.phase = 'replace';
      } else if (isSearchMarker(line)) {
        this.problem(
          'missing-divider',
          block,
          'A new SEARCH block started before this one had its `=======`.',
        );
        this.openBlock(undefined);
      } else if (isReplaceMarker(line)) {
        this.problem(
          'missing-divider',
          block,
          'This block has no `=======` line between SEARCH and REPLACE.',
        );
        this.closeBlock();
      } else {
        block.search.push(line);
      }
      return;
    }
    if (isReplaceMarker(line)) {
      if (block.path === undefined) {
        this.problem(
          'missing-path',
          block,
          'This SEARCH/REPLACE block has no file path: put the path alone on the line before the opening fence.',
        );
      } else {
        this.emit({
          kind: 'search-replace',
          path: block.path,
          line: block.line,
          search: joinLines(block.search),
          replace: joinLines(block.replace),
        });
      }
      this.closeBlock();
    } else if (isSearchMarker(line)) {
      this.problem('missing-replace-marker', block, 'A new SEARCH block started before `>>>>>>> REPLACE`.');
      this.openBlock(undefined);
    } else {
      block.replace.push(line);
    }
  }

  private readFenceLine(fence: OpenFence, line: string): void {
    if (isSearchMarker(line)) {
      fence.hasBlocks = true;
      fence.depth = 0;
      this.openBlock(pathFromLine(fence.lastLine ?? '') ?? fence.path);
      return;
    }
    if (isReplaceMarker(line)) {
      fence.hasBlocks = true;
      fence.lastLine = undefined;
      this.problems.push({
        code: 'PARSE_ERROR',
        kind: 'missing-search-marker',
        message: 'Found `>>>>>>> REPLACE` without a `<<<<<<< SEARCH` line opening the block.',
        line: this.lineNo,
        path: fence.path ?? this.currentPath,
      });
      return;
    }
    if (fence.diff) {
      if (line.startsWith(fence.fence.char) && closesFence(line, fence.fence)) {
        this.closeFence(fence);
        return;
      }
      fence.body.push(line);
      if (line.trim() !== '') fence.lastLine = line;
      return;
    }
    const marker = parseFence(line);
    if (marker !== undefined && closesFence(line, fence.fence)) {
      if (fence.depth === 0 || fence.hasBlocks) {
        this.closeFence(fence);
        return;
      }
      fence.depth--;
    } else if (marker !== undefined && marker.info !== '') {
      if (fence.hasBlocks) {
        // The model forgot to close the previous fence and is opening the next file's.
        this.closeFence(fence);
        this.openFence(marker, pathFromLine(fence.lastLine ?? ''));
        return;
      }
      if (marker.char === fence.fence.char && marker.length >= fence.fence.length) fence.depth++;
    }
    if (!fence.hasBlocks) {
      fence.body.push(line);
      if (fence.depth === 0 && line.startsWith('+++ ') && (fence.body.at(-2) ?? '').startsWith('--- ')) {
        fence.diff = true;
      }
    }
    if (line.trim() !== '') fence.lastLine = line;
  }

  private readProseLine(line: string): void {
    if (isSearchMarker(line)) {
      this.openBlock(this.prosePath);
      return;
    }
    const marker = parseFence(line);
    if (marker !== undefined) {
      this.openFence(marker, this.prosePath);
      return;
    }
    if (line.trim() !== '') this.prosePath = pathFromLine(line);
  }

  private openFence(fence: Fence, pathBefore: string | undefined): void {
    this.fence = {
      fence,
      line: this.lineNo,
      path: pathBefore ?? pathFromInfo(fence.info),
      body: [],
      hasBlocks: false,
      depth: 0,
      lastLine: undefined,
      diff: DIFF_INFO.has(fence.info.toLowerCase()),
    };
    this.prosePath = undefined;
  }

  private closeFence(fence: OpenFence): void {
    this.fence = undefined;
    this.prosePath = undefined;
    if (fence.hasBlocks) return;
    const bodyStart = fence.line + 1;
    if (DIFF_INFO.has(fence.fence.info.toLowerCase()) || hasDiffHeaders(fence.body)) {
      const diff = parseUnifiedDiff(fence.body, bodyStart, fence.path);
      this.problems.push(...diff.problems);
      for (const file of diff.files) {
        if (file.deleted) this.emit({ kind: 'delete', path: file.path, line: file.line });
        else
          this.emit({
            kind: 'diff',
            path: file.path,
            line: file.line,
            hunks: file.hunks,
            newFile: file.newFile,
          });
      }
      return;
    }
    if (fence.path !== undefined) {
      this.emit({ kind: 'whole-file', path: fence.path, line: fence.line, content: joinLines(fence.body) });
      return;
    }
    // Some models name the file in a fence of its own just before the block's fence.
    const nonBlank = fence.body.filter((l) => l.trim() !== '');
    if (nonBlank.length === 1) this.prosePath = pathFromLine(nonBlank[0] ?? '');
  }

  private openBlock(path: string | undefined): void {
    const resolved = path ?? this.currentPath;
    this.currentPath = resolved;
    if (this.fence !== undefined) this.fence.path = resolved;
    this.block = { line: this.lineNo, path: resolved, phase: 'search', search: [], replace: [] };
  }

  private closeBlock(): void {
    this.block = undefined;
    this.prosePath = undefined;
    if (this.fence !== undefined) this.fence.lastLine = undefined;
  }

  private emit(edit: DistributiveOmit<ParsedEdit, 'index'>): void {
    this.out.push({ ...edit, index: this.nextIndex++ });
  }

  private problem(kind: ParseProblemKind, block: OpenBlock, message: string): void {
    this.problems.push({ code: 'PARSE_ERROR', kind, message, line: block.line, path: block.path });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function createEditParser(): EditParser {
  return new StreamingEditParser();
}

/** Parses a complete answer at once; the same result as streaming it through `createEditParser`. */
export function parseEdits(text: string): ParsedAnswer {
  const parser = createEditParser();
  const edits = [...parser.push(text), ...parser.end()];
  return { edits, problems: [...parser.problems] };
}
