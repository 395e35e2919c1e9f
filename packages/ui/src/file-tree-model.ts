// The file tree without React: a flat list of workspace paths turned into sorted folders and files, the rows
// a given set of expanded folders makes visible, icons by file type, and the checks a new or moved path must pass.

export type TreeNode =
  | { kind: 'folder'; name: string; path: string; children: TreeNode[] }
  | { kind: 'file'; name: string; path: string };

/** One visible line of the tree, in render order; `level` starts at 1 as `aria-level` does. */
export interface TreeRow {
  node: TreeNode;
  level: number;
  /** The folder holding the node, '' at the root. */
  parent: string;
  /** Position among its siblings (1-based) and their count, for `aria-posinset` / `aria-setsize`. */
  posInSet: number;
  setSize: number;
}

/** Someone else who has a file open, as the tree marks it. */
export interface PresenceMark {
  name: string;
  color: string;
}

export interface FileIcon {
  /** What the badge means, in words (the glyph alone is not enough for assistive technology). */
  label: string;
  glyph: string;
  /** Tailwind classes for the badge colours; every pair meets AA contrast for small text. */
  className: string;
}

// A fixed locale keeps the order identical for every member of a workspace, whatever their browser language.
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Case-insensitive, natural-number order (`file2` before `file10`); ties fall back to code points so the
 * order is total and stable (`a.ts` vs `A.ts`). */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

interface MutableFolder {
  folders: Map<string, MutableFolder>;
  files: Set<string>;
}

function emptyFolder(): MutableFolder {
  return { folders: new Map(), files: new Set() };
}

function freeze(folder: MutableFolder, prefix: string): TreeNode[] {
  const folders = [...folder.folders.keys()].sort(compareNames).map((name): TreeNode => {
    const path = prefix + name;
    const child = folder.folders.get(name) ?? emptyFolder();
    return { kind: 'folder', name, path, children: freeze(child, `${path}/`) };
  });
  const files = [...folder.files]
    .sort(compareNames)
    .map((name): TreeNode => ({ kind: 'file', name, path: prefix + name }));
  return [...folders, ...files];
}

/** Folders are implied by the paths: `src/app.ts` yields a `src` folder holding `app.ts`. Folders come first,
 * then files, each in {@link compareNames} order. Empty strings and empty segments are ignored. */
export function buildTree(paths: readonly string[]): TreeNode[] {
  const root = emptyFolder();
  for (const path of paths) {
    const segments = path.split('/').filter((s) => s !== '');
    const fileName = segments.pop();
    if (fileName === undefined) continue;
    let folder = root;
    for (const segment of segments) {
      let next = folder.folders.get(segment);
      if (!next) {
        next = emptyFolder();
        folder.folders.set(segment, next);
      }
      folder = next;
    }
    folder.files.add(fileName);
  }
  return freeze(root, '');
}

/** The rows a user sees: every root node, and the children of each expanded folder, depth first. */
export function visibleRows(tree: readonly TreeNode[], expanded: ReadonlySet<string>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (nodes: readonly TreeNode[], level: number, parent: string) => {
    nodes.forEach((node, i) => {
      rows.push({ node, level, parent, posInSet: i + 1, setSize: nodes.length });
      if (node.kind === 'folder' && expanded.has(node.path)) walk(node.children, level + 1, node.path);
    });
  };
  walk(tree, 1, '');
  return rows;
}

/** The folder holding `path` ('' at the root). */
export function parentFolder(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `folder` + `name`, where '' is the root. */
export function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** Every folder above `path`, outermost first: `a/b/c.ts` -> ['a', 'a/b']. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/** True when `path` is `folder` itself or lies anywhere below it. */
export function isWithin(path: string, folder: string): boolean {
  return folder === '' || path === folder || path.startsWith(`${folder}/`);
}

/** Where a file or folder lands when moved into `toFolder` ('' = root). */
export function movedPath(from: string, toFolder: string): string {
  return joinPath(toFolder, baseName(from));
}

type Existing = ReadonlySet<string> | readonly string[];

function occupied(path: string, existing: Existing): string | null {
  for (const p of existing) {
    if (p === path || p.startsWith(`${path}/`)) return `“${path}” already exists.`;
    if (path.startsWith(`${p}/`)) return `“${p}” is a file, not a folder.`;
  }
  return null;
}

/** The syntax rules for a workspace path, without looking at what exists; null when the path is well formed.
 * Mirrors the server's rules (no absolute paths, no `..`, no NUL) so the user hears about a mistake before
 * a round trip. */
export function pathSyntaxProblem(path: string): string | null {
  if (path.trim() === '') return 'Enter a name.';
  if (path.startsWith('/')) return 'Use a path relative to the workspace, without a leading “/”.';
  if (path.includes('\\')) return 'Use “/” to separate folders.';
  if (path.includes('\0')) return 'The name contains an invalid character.';
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) return '“..” is not allowed in a path.';
  if (segments.some((s) => s === '.')) return '“.” is not allowed as a folder name.';
  if (segments.at(-1) === '') return 'End the path with a name, not “/”.';
  if (segments.some((s) => s === '')) return 'The path has an empty folder name.';
  if (segments.some((s) => s !== s.trim())) return 'Names cannot start or end with a space.';
  return null;
}

/** Checks a path typed by a user for a new file: well formed and not taken by a file or a folder. Returns the
 * problem in words, or null when the path is fine. */
export function validateNewPath(path: string, existing: Existing): string | null {
  return pathSyntaxProblem(path) ?? occupied(path, existing);
}

/** Checks renaming `from` (file or folder) to the full path `to`; null when it may go ahead. */
export function validateRename(from: string, to: string, existing: Existing): string | null {
  if (to === from) return 'Enter a different name.';
  if (to.startsWith(`${from}/`)) return `“${from}” cannot be moved inside itself.`;
  return validateNewPath(to, existing);
}

/** Checks a move of `from` (file or folder) into `toFolder` ('' = root); null when it may go ahead. */
export function validateMove(from: string, toFolder: string, existing: Existing): string | null {
  if (toFolder !== '') {
    const problem = pathSyntaxProblem(toFolder);
    if (problem) return problem;
    if (isWithin(toFolder, from)) return `“${from}” cannot be moved inside itself.`;
  }
  if (parentFolder(from) === toFolder) return `“${from}” is already there.`;
  return validateNewPath(movedPath(from, toFolder), existing);
}

const icons = {
  ts: { label: 'TypeScript file', glyph: 'TS', className: 'bg-blue-700 text-white' },
  tsx: { label: 'TypeScript JSX file', glyph: 'TX', className: 'bg-blue-700 text-white' },
  js: { label: 'JavaScript file', glyph: 'JS', className: 'bg-yellow-300 text-zinc-900' },
  jsx: { label: 'JavaScript JSX file', glyph: 'JX', className: 'bg-yellow-300 text-zinc-900' },
  json: { label: 'JSON file', glyph: '{}', className: 'bg-amber-200 text-amber-950' },
  css: { label: 'Stylesheet', glyph: '#', className: 'bg-sky-700 text-white' },
  html: { label: 'HTML file', glyph: '<>', className: 'bg-orange-700 text-white' },
  md: { label: 'Markdown file', glyph: 'MD', className: 'bg-zinc-700 text-white' },
  image: { label: 'Image', glyph: 'IM', className: 'bg-emerald-700 text-white' },
  config: { label: 'Configuration file', glyph: 'CF', className: 'bg-zinc-200 text-zinc-800' },
} satisfies Record<string, FileIcon>;

const byExtension: Record<string, FileIcon> = {
  ts: icons.ts,
  mts: icons.ts,
  cts: icons.ts,
  tsx: icons.tsx,
  js: icons.js,
  mjs: icons.js,
  cjs: icons.js,
  jsx: icons.jsx,
  json: icons.json,
  jsonc: icons.json,
  css: icons.css,
  scss: icons.css,
  less: icons.css,
  html: icons.html,
  htm: icons.html,
  md: icons.md,
  mdx: icons.md,
  png: icons.image,
  jpg: icons.image,
  jpeg: icons.image,
  gif: icons.image,
  webp: icons.image,
  avif: icons.image,
  svg: icons.image,
  ico: icons.image,
};

/** A badge for a file by its type. Dotfiles (`.gitignore`, `.env`, `.prettierrc.json`) read as configuration
 * before their extension; unknown types show their extension. */
export function fileIcon(path: string): FileIcon {
  const name = baseName(path);
  if (name.startsWith('.')) return icons.config;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const known = byExtension[ext];
  if (known) return known;
  return {
    label: ext ? `${ext.toUpperCase()} file` : 'File',
    glyph: ext ? ext.slice(0, 2).toUpperCase() : '··',
    className: 'bg-zinc-100 text-zinc-700 ring-1 ring-inset ring-zinc-300',
  };
}
