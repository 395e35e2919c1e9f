// The relative-import graph of a workspace's TS/JS files, built lazily: the specifiers come from TypeScript's
// own import scanner (`ts.preProcessFile`: static and dynamic `import`, `export … from`, `require`), and are
// resolved the way bundlers and `moduleResolution: "bundler"` do for relative paths. Package imports and path
// aliases are out of scope: they do not point at a workspace file we could reliably find.
import ts from 'typescript';
import { detectLanguage } from '../files/language.ts';
import { basename, comparePaths, extname, parentOf } from '../files/path.ts';

const SCRIPT_LANGUAGES: ReadonlySet<string> = new Set(['typescript', 'tsx', 'javascript', 'jsx']);

/** Tried in order after an extensionless specifier (`./x` -> `./x.ts`, …, `./x/index.ts`, …). */
const PROBE_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mts', '.cts', '.mjs', '.cjs', '.json'];
/** TypeScript's ESM convention: `import './x.js'` names the output of `x.ts`. */
const SOURCE_FOR_OUTPUT: ReadonlyMap<string, readonly string[]> = new Map([
  ['.js', ['.ts', '.tsx']],
  ['.jsx', ['.tsx']],
  ['.mjs', ['.mts']],
  ['.cjs', ['.cts']],
]);

export function isScriptPath(path: string): boolean {
  return SCRIPT_LANGUAGES.has(detectLanguage(path));
}

/** Every module specifier `text` imports, in source order (duplicates kept). */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/** Joins a relative specifier onto a folder; undefined when it climbs above the workspace root. */
function joinRelative(folder: string, specifier: string): string | undefined {
  const segments = folder === '' ? [] : folder.split('/');
  for (const segment of specifier.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return undefined;
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return segments.join('/');
}

function isRelative(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}

/**
 * The workspace file a relative specifier in `from` refers to, or undefined (a package, an alias, or a file
 * that does not exist). Order: the exact path, `.js`→`.ts` source mapping, added extensions, then `index.*`.
 */
export function resolveImport(
  from: string,
  specifier: string,
  exists: (path: string) => boolean,
): string | undefined {
  if (!isRelative(specifier)) return undefined;
  // Bundler query and hash suffixes (`./icon.svg?raw`) are not part of the file name.
  const clean = specifier.replace(/[?#].*$/, '');
  const target = joinRelative(parentOf(from), clean);
  if (target === undefined) return undefined;
  const candidates: string[] = [];
  if (target !== '' && !clean.endsWith('/')) {
    candidates.push(target);
    const extension = extname(target);
    const sources = SOURCE_FOR_OUTPUT.get(extension);
    if (sources !== undefined) {
      const stem = target.slice(0, -extension.length);
      for (const source of sources) candidates.push(stem + source);
    }
    for (const probe of PROBE_EXTENSIONS) candidates.push(target + probe);
  }
  const index = target === '' ? 'index' : `${target}/index`;
  for (const probe of PROBE_EXTENSIONS) candidates.push(index + probe);
  return candidates.find((candidate) => candidate !== from && exists(candidate));
}

function stemOf(path: string): string {
  const name = basename(path);
  const extension = extname(name);
  const stem = extension === '' ? name : name.slice(0, -extension.length);
  return stem.endsWith('.d') ? stem.slice(0, -2) : stem;
}

// A quoted relative path anywhere in a file: every relative import specifier is one (plus some strings that are
// not imports, which the exact check afterwards discards).
const RELATIVE_STRING = /['"`](\.\.?(?:\/[^'"`\n]*)?)['"`]/g;

/** The names a relative specifier can point at a file by: its last segment, with and without extension. */
function tailsOf(specifier: string): string[] {
  const clean = specifier.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const last = clean.slice(clean.lastIndexOf('/') + 1);
  // `'.'`, `'..'`, `'../..'`: a folder's index, named by no segment of its own.
  if (last === '.' || last === '..') return [''];
  const extension = extname(last);
  return extension === '' ? [last] : [last, last.slice(0, -extension.length)];
}

/** The tails under which files that may import `path` are indexed. */
function tailsFor(path: string): string[] {
  const stem = stemOf(path);
  if (stem !== 'index') return [stem];
  const folder = parentOf(path);
  return folder === '' ? ['index', ''] : ['index', '', basename(folder)];
}

/** The import graph of one snapshot; each file is scanned at most once, and only when asked about. */
export class ImportGraph {
  readonly #files: ReadonlyMap<string, string>;
  readonly #scripts: readonly string[];
  readonly #imports = new Map<string, readonly string[]>();
  #byTail: Map<string, Set<string>> | undefined;

  constructor(files: ReadonlyMap<string, string>, sortedPaths?: readonly string[]) {
    this.#files = files;
    this.#scripts = (sortedPaths ?? [...files.keys()].sort(comparePaths)).filter(isScriptPath);
  }

  /** Workspace files `path` imports, in path order. */
  importsOf(path: string): readonly string[] {
    const known = this.#imports.get(path);
    if (known !== undefined) return known;
    const text = this.#files.get(path);
    let result: string[] = [];
    if (text !== undefined && isScriptPath(path)) {
      const resolved = new Set<string>();
      for (const specifier of importSpecifiers(text)) {
        const target = resolveImport(path, specifier, (candidate) => this.#files.has(candidate));
        if (target !== undefined) resolved.add(target);
      }
      result = [...resolved].sort(comparePaths);
    }
    this.#imports.set(path, result);
    return result;
  }

  /** Workspace files that import `path`, in path order. */
  importersOf(path: string): string[] {
    const index = this.#tailIndex();
    const candidates = new Set<string>();
    for (const tail of tailsFor(path)) for (const file of index.get(tail) ?? []) candidates.add(file);
    candidates.delete(path);
    return [...candidates].filter((candidate) => this.importsOf(candidate).includes(path)).sort(comparePaths);
  }

  // One pass of a cheap regex over every script, instead of parsing every script's imports: only files with a
  // matching quoted tail are parsed when asked who imports a path.
  #tailIndex(): Map<string, Set<string>> {
    if (this.#byTail !== undefined) return this.#byTail;
    const index = new Map<string, Set<string>>();
    for (const file of this.#scripts) {
      const text = this.#files.get(file) ?? '';
      for (const match of text.matchAll(RELATIVE_STRING)) {
        for (const tail of tailsOf(match[1] ?? '')) {
          let files = index.get(tail);
          if (files === undefined) index.set(tail, (files = new Set()));
          files.add(file);
        }
      }
    }
    this.#byTail = index;
    return index;
  }
}
