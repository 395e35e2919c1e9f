import { describe, expect, it } from 'vitest';
import {
  ancestors,
  buildTree,
  compareNames,
  fileIcon,
  isWithin,
  movedPath,
  parentFolder,
  type TreeNode,
  validateMove,
  validateNewPath,
  validateRename,
  visibleRows,
} from './file-tree-model.ts';

/** The tree as indented names, folders marked with a trailing slash: easy to read in a failure. */
function outline(nodes: readonly TreeNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.name}${n.kind === 'folder' ? '/' : ''}`,
    ...(n.kind === 'folder' ? outline(n.children, depth + 1) : []),
  ]);
}

describe('buildTree', () => {
  it('nests files under the folders their paths imply, folders first', () => {
    const tree = buildTree(['README.md', 'src/app.ts', 'src/lib/util.ts', 'package.json', 'src/index.ts']);
    expect(outline(tree)).toEqual([
      'src/',
      '  lib/',
      '    util.ts',
      '  app.ts',
      '  index.ts',
      'package.json',
      'README.md',
    ]);
    const src = tree[0];
    expect(src).toMatchObject({ kind: 'folder', name: 'src', path: 'src' });
    expect(src?.kind === 'folder' && src.children[0]).toMatchObject({ kind: 'folder', path: 'src/lib' });
    expect(src?.kind === 'folder' && src.children[1]).toEqual({
      kind: 'file',
      name: 'app.ts',
      path: 'src/app.ts',
    });
  });

  it('sorts case-insensitively with numbers in natural order', () => {
    const tree = buildTree([
      'file10.ts',
      'File2.ts',
      'file1.ts',
      'b.ts',
      'A.ts',
      'Docs/x.md',
      'assets/y.png',
    ]);
    expect(outline(tree)).toEqual([
      'assets/',
      '  y.png',
      'Docs/',
      '  x.md',
      'A.ts',
      'b.ts',
      'file1.ts',
      'File2.ts',
      'file10.ts',
    ]);
  });

  it('orders names that differ only in case deterministically', () => {
    expect(outline(buildTree(['a.ts', 'A.ts']))).toEqual(outline(buildTree(['A.ts', 'a.ts'])));
    expect(compareNames('a', 'A')).not.toBe(0);
  });

  it('ignores duplicates, empty paths and empty segments', () => {
    expect(outline(buildTree(['src/a.ts', 'src/a.ts', '', 'src//b.ts']))).toEqual([
      'src/',
      '  a.ts',
      '  b.ts',
    ]);
  });

  it('builds 2,000 files spread over folders', () => {
    const paths = Array.from({ length: 2_000 }, (_, i) => `pkg${i % 20}/src/mod${i % 7}/file${i}.ts`);
    const tree = buildTree(paths);
    expect(tree).toHaveLength(20);
    expect(visibleRows(tree, new Set())).toHaveLength(20);
    const all = new Set(paths.flatMap(ancestors));
    expect(visibleRows(tree, all)).toHaveLength(2_000 + all.size);
  });
});

describe('visibleRows', () => {
  const tree = buildTree(['src/lib/util.ts', 'src/app.ts', 'README.md']);

  it('shows only the root level while everything is collapsed', () => {
    expect(visibleRows(tree, new Set()).map((r) => r.node.path)).toEqual(['src', 'README.md']);
  });

  it('walks expanded folders depth first with levels, parents and positions', () => {
    const rows = visibleRows(tree, new Set(['src', 'src/lib']));
    expect(rows.map((r) => [r.node.path, r.level, r.parent, r.posInSet, r.setSize])).toEqual([
      ['src', 1, '', 1, 2],
      ['src/lib', 2, 'src', 1, 2],
      ['src/lib/util.ts', 3, 'src/lib', 1, 1],
      ['src/app.ts', 2, 'src', 2, 2],
      ['README.md', 1, '', 2, 2],
    ]);
  });

  it('hides the children of an expanded folder inside a collapsed one', () => {
    expect(visibleRows(tree, new Set(['src/lib'])).map((r) => r.node.path)).toEqual(['src', 'README.md']);
  });
});

describe('path helpers', () => {
  it('finds parents, ancestors and containment', () => {
    expect(parentFolder('a/b/c.ts')).toBe('a/b');
    expect(parentFolder('c.ts')).toBe('');
    expect(ancestors('a/b/c.ts')).toEqual(['a', 'a/b']);
    expect(ancestors('c.ts')).toEqual([]);
    expect(isWithin('src/a.ts', 'src')).toBe(true);
    expect(isWithin('src', 'src')).toBe(true);
    expect(isWithin('srcx/a.ts', 'src')).toBe(false);
    expect(movedPath('src/lib', 'pkg')).toBe('pkg/lib');
    expect(movedPath('src/a.ts', '')).toBe('a.ts');
  });
});

describe('fileIcon', () => {
  it.each([
    ['src/app.ts', 'TS', 'TypeScript file'],
    ['src/App.tsx', 'TX', 'TypeScript JSX file'],
    ['index.mjs', 'JS', 'JavaScript file'],
    ['a/B.jsx', 'JX', 'JavaScript JSX file'],
    ['package.json', '{}', 'JSON file'],
    ['styles/site.css', '#', 'Stylesheet'],
    ['index.html', '<>', 'HTML file'],
    ['README.md', 'MD', 'Markdown file'],
    ['public/Logo.PNG', 'IM', 'Image'],
    ['icon.svg', 'IM', 'Image'],
    ['.gitignore', 'CF', 'Configuration file'],
    ['app/.prettierrc.json', 'CF', 'Configuration file'],
    ['main.py', 'PY', 'PY file'],
    ['Makefile', '··', 'File'],
  ])('%s -> %s', (path, glyph, label) => {
    expect(fileIcon(path)).toMatchObject({ glyph, label });
  });

  it('gives each type a colour pair and unknown types a neutral one', () => {
    expect(fileIcon('a.ts').className).toContain('bg-blue-700');
    expect(fileIcon('a.ts').className).toContain('text-white');
    expect(fileIcon('a.xyz').className).toContain('bg-zinc-100');
  });
});

describe('validateNewPath', () => {
  const existing = ['src/app.ts', 'README.md'];

  it('accepts a fresh relative path, including new folders', () => {
    expect(validateNewPath('src/new.ts', existing)).toBeNull();
    expect(validateNewPath('docs/guide/intro.md', new Set(existing))).toBeNull();
  });

  it.each([
    ['', 'Enter a name.'],
    ['   ', 'Enter a name.'],
    ['/etc/passwd', 'Use a path relative to the workspace, without a leading “/”.'],
    ['src/../x.ts', '“..” is not allowed in a path.'],
    ['..', '“..” is not allowed in a path.'],
    ['./a.ts', '“.” is not allowed as a folder name.'],
    ['src\\a.ts', 'Use “/” to separate folders.'],
    ['a\0b', 'The name contains an invalid character.'],
    ['src/', 'End the path with a name, not “/”.'],
    ['a//b.ts', 'The path has an empty folder name.'],
    ['src/ a.ts', 'Names cannot start or end with a space.'],
    ['src/app.ts', '“src/app.ts” already exists.'],
    ['src', '“src” already exists.'],
    ['README.md/notes.md', '“README.md” is a file, not a folder.'],
  ])('rejects %j', (path, message) => {
    expect(validateNewPath(path, existing)).toBe(message);
  });
});

describe('validateRename and validateMove', () => {
  const existing = new Set(['src/app.ts', 'src/lib/util.ts', 'README.md']);

  it('allows renaming a file or folder to a free path', () => {
    expect(validateRename('src/app.ts', 'src/main.ts', existing)).toBeNull();
    expect(validateRename('src/lib', 'src/utils', existing)).toBeNull();
  });

  it('refuses no-op renames, collisions and moving a folder inside itself', () => {
    expect(validateRename('src/app.ts', 'src/app.ts', existing)).toBe('Enter a different name.');
    expect(validateRename('src/app.ts', 'README.md', existing)).toBe('“README.md” already exists.');
    expect(validateRename('src', 'src/inner', existing)).toBe('“src” cannot be moved inside itself.');
  });

  it('allows moving into another folder or the top level', () => {
    expect(validateMove('src/lib/util.ts', 'src', existing)).toBeNull();
    expect(validateMove('src/lib', '', existing)).toBeNull();
    expect(validateMove('README.md', 'docs', existing)).toBeNull();
  });

  it('refuses moves into itself, to where it already is, onto a taken name or a bad folder', () => {
    expect(validateMove('src', 'src/lib', existing)).toBe('“src” cannot be moved inside itself.');
    expect(validateMove('src', 'src', existing)).toBe('“src” cannot be moved inside itself.');
    expect(validateMove('src/app.ts', 'src', existing)).toBe('“src/app.ts” is already there.');
    expect(validateMove('README.md', '', existing)).toBe('“README.md” is already there.');
    expect(validateMove('README.md', '../up', existing)).toBe('“..” is not allowed in a path.');
    expect(validateMove('src/app.ts', 'README.md', existing)).toBe('“README.md” is a file, not a folder.');
    expect(validateMove('src/lib/util.ts', '', new Set([...existing, 'util.ts']))).toBe(
      '“util.ts” already exists.',
    );
  });
});
