// The small, typed protocol between the editor and the TypeScript language service (which runs in a Web Worker over
// the workspace's live files), and the pure mappings from the service's answers to what CodeMirror shows.
// Positions on the wire are UTF-16 offsets into the file's text, as both CodeMirror and TypeScript count them.

/** Files the language service reads: TypeScript and JavaScript sources (declaration files included). */
export function isScriptPath(path: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/i.test(path);
}

/**
 * The project files the language service reads besides sources: every tsconfig.json and jsconfig.json (the nearest
 * one above a file sets its options) and the files they usually extend (`tsconfig.base.json`, `tsconfig.app.json`).
 * Other JSON files (data, lockfiles) are not sent to the worker, so an `extends` naming one of those finds nothing.
 */
export function isProjectConfigPath(path: string): boolean {
  return /(?:^|\/)[jt]sconfig(?:\.[\w.-]+)?\.json$/i.test(path);
}

/** The names that make a folder a project, in the order TypeScript looks for them in each folder. */
const PROJECT_CONFIGS = ['tsconfig.json', 'jsconfig.json'];

/**
 * The config that applies to `path`: the nearest tsconfig.json (or jsconfig.json) in its folder or a folder above
 * it, as TypeScript's editor support finds it; `null` when there is none up to the workspace root.
 */
export function nearestProjectConfig(path: string, exists: (path: string) => boolean): string | null {
  let dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  for (;;) {
    for (const name of PROJECT_CONFIGS) {
      const candidate = dir === '' ? name : `${dir}/${name}`;
      if (exists(candidate)) return candidate;
    }
    if (dir === '') return null;
    dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  }
}

/** A file's text as the editor knows it; `version` grows with every change the worker is told about. */
export interface ScriptFile {
  path: string;
  text: string;
  version: number;
}

/** A stretch of a file's text, as UTF-16 offsets. */
export interface TsRange {
  from: number;
  to: number;
}

/** What the editor asks about one position (or the whole file, for diagnostics). */
export type TsQuery =
  /** `ranges` (the lines on screen) are checked first and answered ahead of the whole file, see TsRegionDiagnostics. */
  | { kind: 'diagnostics'; path: string; ranges?: TsRange[] }
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
  /** Found by the parser (always for the whole file, and cheap) or by the type checker (the costly part). */
  stage: 'syntax' | 'types';
}

/**
 * The first answer to a diagnostics question about a big file: the parser's diagnostics for the whole file and the
 * type checker's for `spans` only (the lines on screen, widened to whole statements). The whole file's answer
 * follows and replaces it; until then, type errors found earlier outside `spans` still stand (see mergeRegion).
 */
export interface TsRegionDiagnostics {
  diagnostics: TsDiagnostic[];
  spans: TsRange[];
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

/**
 * Editor → worker. `files` (sources and project configs) bring the worker up to date before it answers; `removed`
 * are gone from the workspace.
 */
export type TsWorkerRequest =
  /** `more`: further slices of the same sync follow; the worker holds this one and applies them together. */
  | { type: 'sync'; files: ScriptFile[]; removed: string[]; more?: boolean }
  | { type: 'query'; id: number; query: TsQuery; files: ScriptFile[] };

/**
 * The worker's side of a sync sent in slices: slices marked `more` are held and come out together with the last, so
 * the service never answers over half of one change to the workspace (a rename across two files, a replace-all).
 */
export class HeldSync {
  private files: ScriptFile[] = [];
  private removed: string[] = [];

  /** The whole sync once its last slice is in, else null. */
  take(
    request: Extract<TsWorkerRequest, { type: 'sync' }>,
  ): { files: ScriptFile[]; removed: string[] } | null {
    this.files.push(...request.files);
    this.removed.push(...request.removed);
    if (request.more) return null;
    const whole = { files: this.files, removed: this.removed };
    this.files = [];
    this.removed = [];
    return whole;
  }

  /** A question brought these files' text after the held slices were sent: theirs is older, so it is dropped. */
  supersede(files: readonly ScriptFile[]): void {
    if (this.files.length === 0 || files.length === 0) return;
    const newer = new Set(files.map((f) => f.path));
    this.files = this.files.filter((f) => !newer.has(f.path));
  }
}

/**
 * Worker → editor: the answer to query `id`, or why there is none. A diagnostics question with `ranges` may get a
 * `region` first. `superseded`: a newer diagnostics question about the same file came in, so this one was dropped.
 */
export type TsWorkerResponse =
  | { type: 'answer'; id: number; kind: TsQuery['kind']; result: TsAnswers[TsQuery['kind']] }
  | { type: 'region'; id: number; result: TsRegionDiagnostics }
  | { type: 'superseded'; id: number }
  | { type: 'failed'; id: number; message: string };

/** How a question went unanswered because a newer one about the same file replaced it (not a failure). */
export class TsSuperseded extends Error {
  constructor() {
    super('A newer question about this file replaced this one');
    this.name = 'TsSuperseded';
  }
}

export interface TsAskOptions {
  /** For diagnostics with `ranges`: called with the first, partial answer, before the promise settles. */
  onRegion?: (region: TsRegionDiagnostics) => void;
}

/** What the editor side needs from a language service, whichever way it runs. */
export interface TsLanguageClient {
  /** Rejects with TsSuperseded when a newer diagnostics question about the same file replaced this one. */
  ask<K extends TsQuery['kind']>(
    query: Extract<TsQuery, { kind: K }>,
    text: string,
    options?: TsAskOptions,
  ): Promise<TsAnswers[K]>;
  /** Calls `listener` with the paths of files (or configs) whose text the language service now has anew, when
   * another file's diagnostics may have changed; returns the function that stops. */
  subscribe?(listener: (paths: readonly string[]) => void): () => void;
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

/** Carries diagnostics found for an older text through the edits since: `map(pos, assoc)` is the edits' position
 * mapping (CodeMirror's `ChangeDesc.mapPos`). One whose text was deleted entirely is dropped. */
export function mapDiagnostics(
  diagnostics: readonly TsDiagnostic[],
  map: (pos: number, assoc: -1 | 1) => number,
): TsDiagnostic[] {
  const out: TsDiagnostic[] = [];
  for (const d of diagnostics) {
    const from = map(d.from, 1);
    const to = d.to === d.from ? from : map(d.to, -1);
    if (d.to > d.from && to <= from) continue;
    out.push({ ...d, from, to: Math.max(from, to) });
  }
  return out;
}

/**
 * What to show when a region answer arrives: its diagnostics (the parser's for the whole file, the type checker's
 * inside its spans), and from `shown` (what is on screen now, already mapped to this text) the type errors outside
 * those spans, which the region check did not look at and the whole file's answer will confirm or drop.
 */
export function mergeRegion(shown: readonly TsDiagnostic[], region: TsRegionDiagnostics): TsDiagnostic[] {
  const checked = (d: TsDiagnostic) =>
    region.spans.some((s) => d.from < s.to && Math.max(d.to, d.from + 1) > s.from);
  const kept = shown.filter((d) => d.stage === 'types' && !checked(d));
  return [...region.diagnostics, ...kept].sort((a, b) => a.from - b.from || a.to - b.to);
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
