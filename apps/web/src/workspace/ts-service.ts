// The TypeScript language service over the workspace's live files, held in memory (no file system): the part of the
// language worker that does the work, apart from the messaging so it can run (and be tested) anywhere. The standard
// library's .d.ts files are handed in by whoever can load them (the worker fetches them lazily).
//
// Decisions:
// - Each file is answered by the project of the nearest tsconfig.json (or jsconfig.json) above it, as TypeScript's
//   editor support does; a file with none above it gets the defaults. Every project sees every script file of the
//   workspace (not only its `include`s), so references are found across projects; its options are its own.
// - `extends` is followed through the workspace's files by TypeScript's own config parser, which also stops at a
//   cycle (error 18000) and keeps what it read. A package name (`@tsconfig/node20/tsconfig.json`) resolves into
//   node_modules, which is never in a workspace: it is not found and the config's own options still apply.
// - A file's diagnostics come in steps (checkFile): the lines on screen first, then the rest a slice at a time,
//   so a newer keystroke or another question is answered between slices instead of after a whole-file check.
import {
  fitRange,
  flattenMessage,
  locationAt,
  nearestProjectConfig,
  severityOf,
  isProjectConfigPath,
  type ScriptFile,
  type TsAnswers,
  type TsDiagnostic,
  type TsLocation,
  type TsQuery,
  type TsRange,
  type TsRegionDiagnostics,
} from '@tandem/ui/ts-language';
import ts from 'typescript';

/** Where the standard library lives in the service's (virtual) file names. */
const LIB_DIR = '/@lib/';
/** Workspace paths are relative; the service sees them under one root, so tsconfig's relative paths resolve. */
const ROOT = '/';
/** How much of a file's text one step of the whole-file check covers (about 100 lines of typical code). */
const SLICE_CHARS = 4000;

const defaults: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  jsx: ts.JsxEmit.ReactJSX,
  strict: true,
  allowJs: true,
  checkJs: false,
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  // No lookups for @typescript/lib-* packages that would replace the standard library: there is no node_modules.
  libReplacement: false,
};

/**
 * The compiler options of the project whose config is `configPath` (a workspace path), following its `extends`
 * through `read` (workspace path → text); the defaults when `configPath` is null or the config does not parse.
 */
export function compilerOptionsFrom(
  configPath: string | null,
  read: (path: string) => string | undefined,
): ts.CompilerOptions {
  const text = configPath === null ? undefined : read(configPath);
  if (configPath === null || text === undefined) return defaults;
  const parsed = ts.parseConfigFileTextToJson(ROOT + configPath, text);
  if (parsed.error || typeof parsed.config !== 'object' || parsed.config === null) return defaults;
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: true,
    // Which files a config includes is not used (every project sees every file), so nothing is listed.
    readDirectory: () => [],
    fileExists: (name) => read(workspacePath(name)) !== undefined,
    readFile: (name) => read(workspacePath(name)),
  };
  const dir = ROOT + configPath.slice(0, configPath.lastIndexOf('/') + 1);
  const config = ts.parseJsonConfigFileContent(parsed.config, host, dir, undefined, ROOT + configPath);
  // A browser editor cannot emit, and type packages from node_modules are not in the workspace.
  return { ...defaults, ...config.options, noEmit: true, types: [], allowNonTsExtensions: true };
}

/** The lib file names (`lib.es2022.d.ts`) the options start from; each pulls in others by `/// <reference lib>`. */
export function rootLibs(options: ts.CompilerOptions): string[] {
  return [...(options.lib ?? [ts.getDefaultLibFileName(options)])];
}

/** The libs a lib file references (`/// <reference lib="es2021" />` → `lib.es2021.d.ts`). */
export function referencedLibs(text: string): string[] {
  return [...text.matchAll(/^\/\/\/\s*<reference\s+lib="([^"]+)"/gm)].map(
    (m) => `lib.${(m[1] ?? '').toLowerCase()}.d.ts`,
  );
}

/**
 * The stretch of `before` that `after` replaced, by their common start and end: TypeScript then parses only around
 * it instead of the whole file again (a keystroke in a 2,000-line file: a few milliseconds instead of tens).
 */
export function textChange(before: string, after: string): ts.TextChangeRange {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < shorter - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  return ts.createTextChangeRange(
    ts.createTextSpan(start, before.length - end - start),
    after.length - end - start,
  );
}

class TextSnapshot implements ts.IScriptSnapshot {
  constructor(readonly text: string) {}
  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }
  getLength(): number {
    return this.text.length;
  }
  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    return old instanceof TextSnapshot ? textChange(old.text, this.text) : undefined;
  }
}

/** "Cannot find module" codes: for the module itself, for its declarations, and for one only found without types. */
const moduleNotFound = new Set([2307, 2792, 7016]);

/**
 * A package import (`react`, `@scope/x`) the workspace cannot resolve: packages live in node_modules, which is never
 * in a workspace, so saying so on every import would only be noise; their imports are `any`. A missing relative
 * import is a real mistake and stays.
 */
function packageNotFound(d: ts.Diagnostic): boolean {
  if (!moduleNotFound.has(d.code)) return false;
  const name = /'([^']+)'/.exec(flattenMessage(d.messageText))?.[1] ?? '';
  return !name.startsWith('.') && !name.startsWith('/');
}

function workspacePath(name: string): string {
  return name.startsWith(ROOT) ? name.slice(ROOT.length) : name;
}

/**
 * TypeScript's region check (5.6+, what tsserver runs for the lines on screen before the whole file). It is marked
 * internal, so it is not in the typings: it is looked up, and without it a file is checked whole in one step.
 */
interface RegionChecking {
  getRegionSemanticDiagnostics?(
    fileName: string,
    ranges: ts.TextRange[],
  ): { diagnostics: ts.Diagnostic[]; spans: ts.TextSpan[] } | undefined;
}

/** One step of checkFile: the region answer, or a slice of the rest checked (a point to stop at or go on from). */
export type CheckStep = { kind: 'region'; result: TsRegionDiagnostics } | { kind: 'slice' };

interface Project {
  options: ts.CompilerOptions | undefined;
  service: ts.LanguageService;
}

export class TsService {
  private readonly files = new Map<string, { text: string; version: number; snapshot: TextSnapshot }>();
  /** tsconfig/jsconfig files: read for options, never compiled. */
  private readonly configs = new Map<string, string>();
  /** By config path; `''` is the project of files with no config above them. */
  private readonly projects = new Map<string, Project>();
  private readonly registry = ts.createDocumentRegistry(true, ROOT);
  private projectVersion = 0;

  constructor(private readonly libs: ReadonlyMap<string, string>) {}

  /** Brings files up to date (sources and configs alike); a file whose text did not change keeps its version (and
   * the service's work on it). */
  update(files: readonly ScriptFile[], removed: readonly string[] = []): void {
    let changed = false;
    let configChanged = false;
    for (const file of files) {
      if (isProjectConfigPath(file.path)) {
        if (this.configs.get(file.path) === file.text) continue;
        this.configs.set(file.path, file.text);
        changed = configChanged = true;
        continue;
      }
      const known = this.files.get(file.path);
      if (known?.text === file.text) continue;
      const version = (known?.version ?? 0) + 1;
      this.files.set(file.path, { text: file.text, version, snapshot: new TextSnapshot(file.text) });
      changed = true;
    }
    for (const path of removed) {
      if (this.configs.delete(path)) changed = configChanged = true;
      else changed = this.files.delete(path) || changed;
    }
    // Any config may be another's `extends`: work the options out again when next asked.
    if (configChanged) for (const project of this.projects.values()) project.options = undefined;
    if (changed) this.projectVersion++;
  }

  /** The options `path` is checked with; the caller loads `rootLibs(options)` (and what they reference) before
   * asking about it. */
  optionsFor(path: string): ts.CompilerOptions {
    const project = this.projectFor(path);
    project.options ??= compilerOptionsFrom(this.configFor(path), (p) => this.configs.get(p) ?? this.text(p));
    return project.options;
  }

  /** The project config that applies to `path`, or null. */
  configFor(path: string): string | null {
    return nearestProjectConfig(path, (p) => this.configs.has(p));
  }

  answer<K extends TsQuery['kind']>(query: Extract<TsQuery, { kind: K }>): TsAnswers[K];
  answer(query: TsQuery): TsAnswers[TsQuery['kind']] {
    const name = ROOT + query.path;
    const text = this.text(query.path);
    if (text === undefined) return query.kind === 'diagnostics' ? [] : null;
    this.optionsFor(query.path);
    const service = this.projectFor(query.path).service;
    switch (query.kind) {
      case 'diagnostics':
        return [
          ...this.diagnostics(service.getSyntacticDiagnostics(name), text, 'syntax'),
          ...this.diagnostics(service.getSemanticDiagnostics(name), text, 'types'),
        ];
      case 'quickInfo': {
        const info = service.getQuickInfoAtPosition(name, query.pos);
        if (!info) return null;
        return {
          from: info.textSpan.start,
          to: info.textSpan.start + info.textSpan.length,
          display: ts.displayPartsToString(info.displayParts),
          documentation: ts.displayPartsToString(info.documentation),
        };
      }
      case 'completions': {
        const result = service.getCompletionsAtPosition(name, query.pos, {
          includeCompletionsWithInsertText: true,
        });
        if (!result) return null;
        let from = query.pos;
        while (from > 0 && /[\w$]/.test(text.charAt(from - 1))) from--;
        return {
          from,
          items: result.entries.slice(0, 500).map((e) => ({
            label: e.name,
            kind: e.kind,
            sortText: e.sortText,
          })),
        };
      }
      case 'definition':
        return this.locations(service.getDefinitionAtPosition(name, query.pos) ?? []);
      case 'references':
        return this.locations(service.getReferencesAtPosition(name, query.pos) ?? []);
    }
  }

  /**
   * `path`'s diagnostics in steps, for a driver that may stop between them: first (when `ranges` are given and the
   * file is big enough for it to matter) a region answer, the parser's diagnostics and the type checker's for
   * `ranges`; then the rest of the file a slice at a time; the return value is the whole file's answer. The checker
   * keeps what each slice worked out (TypeScript marks checked statements), so the last step costs little and the
   * sum is about one whole-file check. Files changed between steps: the slices start over on the new program.
   */
  *checkFile(path: string, ranges: readonly TsRange[] = []): Generator<CheckStep, TsDiagnostic[]> {
    const name = ROOT + path;
    const text = this.text(path);
    if (text === undefined) return [];
    this.optionsFor(path);
    const service: ts.LanguageService & RegionChecking = this.projectFor(path).service;
    if (!service.getRegionSemanticDiagnostics || text.length <= 2 * SLICE_CHARS) {
      return this.answer({ kind: 'diagnostics', path });
    }
    if (ranges.length > 0) {
      const region = service.getRegionSemanticDiagnostics(
        name,
        ranges.map((r) => ({ pos: Math.max(0, r.from), end: Math.min(text.length, r.to) })),
      );
      if (region) {
        const diagnostics = [
          ...this.diagnostics(service.getSyntacticDiagnostics(name), text, 'syntax'),
          ...this.diagnostics(region.diagnostics, text, 'types'),
        ];
        const spans = region.spans.map((s) => ({ from: s.start, to: s.start + s.length }));
        yield { kind: 'region', result: { diagnostics, spans } };
      }
    }
    let program = service.getProgram();
    for (let at = 0, length = text.length; at < length; at += SLICE_CHARS) {
      // Undefined when the whole file's answer is at hand already (nothing changed since it was worked out), or
      // when the slice holds no statement: nothing was checked, so there is no reason to stop.
      const end = Math.min(at + SLICE_CHARS, length);
      const checked = service.getRegionSemanticDiagnostics(name, [{ pos: at, end }]);
      if (!checked) continue;
      yield { kind: 'slice' };
      const now = service.getProgram();
      if (now !== program) {
        program = now;
        at = -SLICE_CHARS;
        length = this.text(path)?.length ?? 0;
      }
    }
    return this.answer({ kind: 'diagnostics', path });
  }

  private diagnostics(found: readonly ts.Diagnostic[], text: string, stage: TsDiagnostic['stage']) {
    return found
      .filter((d) => !packageNotFound(d))
      .map((d) => {
        const range = fitRange(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0), text.length);
        return {
          ...range,
          severity: severityOf(d.category),
          message: flattenMessage(d.messageText),
          code: d.code,
          stage,
        };
      });
  }

  private projectFor(path: string): Project {
    const key = this.configFor(path) ?? '';
    let project = this.projects.get(key);
    if (!project) {
      const created: Project = { options: undefined, service: this.createService(() => created) };
      this.projects.set(key, created);
      project = created;
    }
    return project;
  }

  private createService(project: () => Project): ts.LanguageService {
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => project().options ?? defaults,
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () => [...this.files.keys()].map((p) => ROOT + p),
      getScriptVersion: (name) => String(this.files.get(workspacePath(name))?.version ?? 0),
      getScriptSnapshot: (name) => {
        if (name.startsWith(LIB_DIR)) {
          const text = this.libs.get(name.slice(LIB_DIR.length));
          return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
        }
        return this.files.get(workspacePath(name))?.snapshot;
      },
      getCurrentDirectory: () => ROOT,
      getDefaultLibFileName: (options) => LIB_DIR + ts.getDefaultLibFileName(options),
      fileExists: (name) => this.read(name) !== undefined,
      readFile: (name) => this.read(name),
      directoryExists: (dir) => {
        if (dir.startsWith(LIB_DIR)) return true;
        const prefix = workspacePath(dir.endsWith('/') ? dir : `${dir}/`);
        return prefix === '' || [...this.files.keys()].some((p) => p.startsWith(prefix));
      },
      getDirectories: () => [],
      useCaseSensitiveFileNames: () => true,
    };
    return ts.createLanguageService(host, this.registry);
  }

  private locations(spans: readonly { fileName: string; textSpan: ts.TextSpan }[]): TsLocation[] {
    const out: TsLocation[] = [];
    for (const span of spans) {
      // The standard library is not a workspace file: there is nothing to open.
      if (span.fileName.startsWith(LIB_DIR)) continue;
      const path = workspacePath(span.fileName);
      const text = this.text(path);
      if (text !== undefined) out.push(locationAt(path, text, span.textSpan.start));
    }
    // In file order, as a list to read through; the service's own order starts wherever the symbol was declared.
    return out.sort((a, b) =>
      a.path !== b.path ? (a.path < b.path ? -1 : 1) : a.line - b.line || a.column - b.column,
    );
  }

  private text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  private read(name: string): string | undefined {
    if (name.startsWith(LIB_DIR)) return this.libs.get(name.slice(LIB_DIR.length));
    const path = workspacePath(name);
    return this.files.get(path)?.text ?? this.configs.get(path);
  }
}
