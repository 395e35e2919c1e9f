// The shape of what the edit parser pulls out of a model's answer. Paths are as the model wrote them (decorations
// stripped); they are normalized and checked only when the edits are applied.

interface EditBase {
  /** Position of this edit among all edits parsed from one answer, from 0. */
  index: number;
  /** 1-based line of the model's answer where the edit starts, for error messages. */
  line: number;
  path: string;
}

/** A SEARCH/REPLACE block. Both texts end with a newline unless empty; an empty `search` creates a file. */
export interface SearchReplaceEdit extends EditBase {
  kind: 'search-replace';
  search: string;
  replace: string;
}

export type UnifiedDiffLineOp = 'context' | 'remove' | 'add';

export interface UnifiedDiffLine {
  op: UnifiedDiffLineOp;
  text: string;
}

export interface UnifiedDiffHunk {
  /** Old-file start line from the `@@` header; only a hint, since models often get it wrong. */
  oldStart: number | undefined;
  /** 1-based line of the model's answer where the hunk starts. */
  line: number;
  lines: UnifiedDiffLine[];
}

/** One file's part of a unified diff. `newFile` is set when the old side was `/dev/null`. */
export interface DiffEdit extends EditBase {
  kind: 'diff';
  hunks: UnifiedDiffHunk[];
  newFile: boolean;
}

/** A fenced block under a path line with no SEARCH markers: the complete new content of that file. */
export interface WholeFileEdit extends EditBase {
  kind: 'whole-file';
  content: string;
}

/** A unified diff whose new side is `/dev/null`. */
export interface DeleteEdit extends EditBase {
  kind: 'delete';
}

export type ParsedEdit = SearchReplaceEdit | DiffEdit | WholeFileEdit | DeleteEdit;

export type ParseProblemKind =
  'missing-path' | 'missing-divider' | 'missing-replace-marker' | 'missing-search-marker' | 'empty-diff';

/** Malformed model output that yields no edit; fed back to the model rather than thrown. */
export interface ParseProblem {
  code: 'PARSE_ERROR';
  kind: ParseProblemKind;
  message: string;
  /** 1-based line of the model's answer where the malformed block starts. */
  line: number;
  path: string | undefined;
}
