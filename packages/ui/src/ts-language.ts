// The small, typed protocol between the editor and the TypeScript language service (which runs in a Web Worker over
// the workspace's live files), and the pure mappings from the service's answers to what CodeMirror shows.
// Positions on the wire are UTF-16 offsets into the file's text, as both CodeMirror and TypeScript count them.

/** Files the language service reads: TypeScript and JavaScript sources (declaration files included). */
export function isScriptPath(path: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/i.test(path);
}

/** A file's text as the editor knows it; `version` grows with every change the worker is told about. */
export interface ScriptFile {
  path: string;
  text: string;
  version: number;
}

/** What the editor asks about one position (or the whole file, for diagnostics). */
export type TsQuery =
  | { kind: 'diagnostics'; path: string }
  | { kind: 'quickInfo'; path: string; pos: number }
  | { kind: 'completions'; path: string; pos: number }
  | { kind: 'definition'; path: string; pos: number }
  | { kind: 'references'; path: string; pos: number };

export type TsSeverity = 'error' | 'warning' | 'info';

export interface TsDiagnostic {
  from: number;
  to: number;
  severity: TsSeverity;
  message: string;
  /** TypeScript's error number, e.g. 2322. */
  code: number;
}

export interface TsQuickInfo {
  from: number;
  to: number;
  /** The signature or type, e.g. `const total: number`. */
  display: string;
  documentation: string;
}

export interface TsCompletion {
  label: string;
  /** TypeScript's element kind (`method`, `property`, `const` …). */
  kind: string;
  sortText: string;
}

export interface TsCompletions {
  /** Where the word being completed starts. */
  from: number;
  items: TsCompletion[];
}

/** A place in a workspace file, 1-based line and column, with the line's text for a list. */
export interface TsLocation {
  path: string;
  line: number;
  column: number;
  preview: string;
}

export interface TsAnswers {
  diagnostics: TsDiagnostic[];
  quickInfo: TsQuickInfo | null;
  completions: TsCompletions | null;
  definition: TsLocation[];
  references: TsLocation[];
}

/** Editor → worker. `files` bring the worker up to date before it answers; `removed` are gone from the workspace. */
export type TsWorkerRequest =
  | { type: 'sync'; files: ScriptFile[]; removed: string[]; tsconfig: string | null }
  | { type: 'query'; id: number; query: TsQuery; files: ScriptFile[] };

/** Worker → editor: the answer to query `id`, or why there is none. */
export type TsWorkerResponse =
  | { type: 'answer'; id: number; kind: TsQuery['kind']; result: TsAnswers[TsQuery['kind']] }
  | { type: 'failed'; id: number; message: string };

/** What the editor side needs from a language service, whichever way it runs. */
export interface TsLanguageClient {
  ask<K extends TsQuery['kind']>(query: Extract<TsQuery, { kind: K }>, text: string): Promise<TsAnswers[K]>;
  /** Calls `listener` after other files (or tsconfig.json) changed, when this file's diagnostics may have too;
   * returns the function that stops. */
  subscribe?(listener: () => void): () => void;
}

/** TypeScript's `DiagnosticCategory` (Warning 0, Error 1, Suggestion 2, Message 3) as a lint severity. */
export function severityOf(category: number): TsSeverity {
  return category === 1 ? 'error' : category === 0 ? 'warning' : 'info';
}

/**
 * A diagnostic's message: TypeScript's chain of messages (the outer reason first, then why) flattened to indented
 * lines, as tsc prints it.
 */
export interface MessageChain {
  messageText: string;
  next?: MessageChain[];
}
export function flattenMessage(message: string | MessageChain, indent = 0): string {
  if (typeof message === 'string') return message;
  const lines = [`${'  '.repeat(indent)}${message.messageText}`];
  for (const next of message.next ?? []) lines.push(flattenMessage(next, indent + 1));
  return lines.join('\n');
}

/**
 * Ranges that fit the document the editor has now: the answer may be for a text a keystroke older, so a range
 * past the end is clamped, and an empty one gets a character so the squiggle is visible.
 */
export function fitRange(from: number, to: number, length: number): { from: number; to: number } {
  const start = Math.max(0, Math.min(from, length));
  let end = Math.max(start, Math.min(to, length));
  if (end === start && start < length) end = start + 1;
  return { from: start, to: end };
}

/** CodeMirror's completion `type` (which icon it draws) for a TypeScript element kind. */
export function completionType(kind: string): string {
  switch (kind) {
    case 'method':
    case 'function':
    case 'local function':
    case 'construct':
    case 'call':
      return 'function';
    case 'property':
    case 'getter':
    case 'setter':
    case 'index':
      return 'property';
    case 'class':
    case 'local class':
      return 'class';
    case 'interface':
    case 'type':
    case 'type parameter':
    case 'primitive type':
    case 'alias':
      return 'type';
    case 'enum':
      return 'enum';
    case 'enum member':
      return 'enum';
    case 'module':
    case 'external module name':
      return 'namespace';
    case 'keyword':
      return 'keyword';
    case 'const':
      return 'constant';
    default:
      return 'variable';
  }
}

/** The 1-based line and column of a UTF-16 offset in `text`, and that line's text (trimmed), for a location. */
export function locationAt(path: string, text: string, offset: number): TsLocation {
  const at = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  const lineEnd = text.indexOf('\n', at);
  const preview = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd).trim();
  return { path, line, column: at - lineStart + 1, preview };
}
