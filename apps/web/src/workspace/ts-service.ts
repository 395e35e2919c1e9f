// The TypeScript language service over the workspace's live files, held in memory (no file system): the part of the
// language worker that does the work, apart from the messaging so it can run (and be tested) anywhere. The standard
// library's .d.ts files are handed in by whoever can load them (the worker fetches them lazily).
import {
  fitRange,
  flattenMessage,
  locationAt,
  severityOf,
  type ScriptFile,
  type TsAnswers,
  type TsLocation,
  type TsQuery,
} from '@tandem/ui/ts-language';
import ts from 'typescript';

/** Where the standard library lives in the service's (virtual) file names. */
const LIB_DIR = '/@lib/';
/** Workspace paths are relative; the service sees them under one root, so tsconfig's relative paths resolve. */
const ROOT = '/';

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
 * The compiler options from a workspace's tsconfig.json text (the defaults when there is none or it does not parse).
 * Options that would reach outside the workspace (`types` from node_modules, `extends`) have nothing to read here and
 * are harmless: the host knows only the workspace's files.
 */
export function compilerOptionsFrom(tsconfig: string | null): ts.CompilerOptions {
  if (tsconfig === null) return defaults;
  const parsed = ts.parseConfigFileTextToJson('tsconfig.json', tsconfig);
  if (parsed.error || typeof parsed.config !== 'object' || parsed.config === null) return defaults;
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: true,
    readDirectory: () => [],
    fileExists: () => false,
    readFile: () => undefined,
  };
  const config = ts.parseJsonConfigFileContent(parsed.config, host, ROOT);
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

export class TsService {
  private readonly files = new Map<string, { text: string; version: number }>();
  private options: ts.CompilerOptions = defaults;
  private projectVersion = 0;
  private readonly service: ts.LanguageService;

  constructor(private readonly libs: ReadonlyMap<string, string>) {
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () => [...this.files.keys()].map((p) => ROOT + p),
      getScriptVersion: (name) => String(this.files.get(this.pathOf(name))?.version ?? 0),
      getScriptSnapshot: (name) => {
        const text = this.read(name);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => ROOT,
      getDefaultLibFileName: (options) => LIB_DIR + ts.getDefaultLibFileName(options),
      fileExists: (name) => this.read(name) !== undefined,
      readFile: (name) => this.read(name),
      directoryExists: (dir) => {
        if (dir.startsWith(LIB_DIR)) return true;
        const prefix = this.pathOf(dir.endsWith('/') ? dir : `${dir}/`);
        return prefix === '' || [...this.files.keys()].some((p) => p.startsWith(prefix));
      },
      getDirectories: () => [],
      useCaseSensitiveFileNames: () => true,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry(true, ROOT));
  }

  /** The options in use; the caller loads `rootLibs(options)` (and what they reference) before asking. */
  configure(tsconfig: string | null): ts.CompilerOptions {
    this.options = compilerOptionsFrom(tsconfig);
    this.projectVersion++;
    return this.options;
  }

  /** Brings files up to date; a file whose text did not change keeps its version (and the service's work on it). */
  update(files: readonly ScriptFile[], removed: readonly string[] = []): void {
    let changed = false;
    for (const file of files) {
      const known = this.files.get(file.path);
      if (known?.text === file.text) continue;
      this.files.set(file.path, { text: file.text, version: (known?.version ?? 0) + 1 });
      changed = true;
    }
    for (const path of removed) changed = this.files.delete(path) || changed;
    if (changed) this.projectVersion++;
  }

  answer<K extends TsQuery['kind']>(query: Extract<TsQuery, { kind: K }>): TsAnswers[K];
  answer(query: TsQuery): TsAnswers[TsQuery['kind']] {
    const name = ROOT + query.path;
    const text = this.files.get(query.path)?.text;
    if (text === undefined) return query.kind === 'diagnostics' ? [] : null;
    switch (query.kind) {
      case 'diagnostics': {
        const all = [
          ...this.service.getSyntacticDiagnostics(name),
          ...this.service.getSemanticDiagnostics(name),
        ];
        return all
          .filter((d) => !packageNotFound(d))
          .map((d) => {
            const range = fitRange(d.start ?? 0, (d.start ?? 0) + (d.length ?? 0), text.length);
            return {
              ...range,
              severity: severityOf(d.category),
              message: flattenMessage(d.messageText),
              code: d.code,
            };
          });
      }
      case 'quickInfo': {
        const info = this.service.getQuickInfoAtPosition(name, query.pos);
        if (!info) return null;
        return {
          from: info.textSpan.start,
          to: info.textSpan.start + info.textSpan.length,
          display: ts.displayPartsToString(info.displayParts),
          documentation: ts.displayPartsToString(info.documentation),
        };
      }
      case 'completions': {
        const result = this.service.getCompletionsAtPosition(name, query.pos, {
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
        return this.locations(this.service.getDefinitionAtPosition(name, query.pos) ?? []);
      case 'references':
        return this.locations(this.service.getReferencesAtPosition(name, query.pos) ?? []);
    }
  }

  private locations(spans: readonly { fileName: string; textSpan: ts.TextSpan }[]): TsLocation[] {
    const out: TsLocation[] = [];
    for (const span of spans) {
      // The standard library is not a workspace file: there is nothing to open.
      if (span.fileName.startsWith(LIB_DIR)) continue;
      const path = this.pathOf(span.fileName);
      const text = this.files.get(path)?.text;
      if (text !== undefined) out.push(locationAt(path, text, span.textSpan.start));
    }
    // In file order, as a list to read through; the service's own order starts wherever the symbol was declared.
    return out.sort((a, b) =>
      a.path !== b.path ? (a.path < b.path ? -1 : 1) : a.line - b.line || a.column - b.column,
    );
  }

  private pathOf(name: string): string {
    return name.startsWith(ROOT) ? name.slice(ROOT.length) : name;
  }

  private read(name: string): string | undefined {
    if (name.startsWith(LIB_DIR)) return this.libs.get(name.slice(LIB_DIR.length));
    return this.files.get(this.pathOf(name))?.text;
  }
}
