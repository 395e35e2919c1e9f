import { describe, expect, it } from 'vitest';
import { ImportGraph, importSpecifiers, resolveImport } from './imports.ts';

describe('importSpecifiers', () => {
  it('reads static, type-only, dynamic, re-export and require specifiers', () => {
    const text = `import a from './a';
import type { B } from "../b/index.js";
import './side-effect.css';
export * from './c.ts';
export { d } from './d';
const e = await import('./e');
const f = require('./f.cjs');
// import './commented-out';
const s = "import './not-an-import'";`;
    expect(importSpecifiers(text)).toEqual([
      './a',
      '../b/index.js',
      './side-effect.css',
      './c.ts',
      './d',
      './e',
      './f.cjs',
    ]);
  });
});

describe('resolveImport', () => {
  const paths = new Set([
    'src/app.ts',
    'src/x.ts',
    'src/z.ts',
    'src/view.tsx',
    'src/legacy.js',
    'src/data.json',
    'src/y/index.ts',
    'src/w/index.js',
    'src/types.d.ts',
    'lib/util.mjs',
    'lib/helper.mts',
    'index.ts',
  ]);
  const exists = (path: string): boolean => paths.has(path);
  const from = 'src/app.ts';

  it('resolves extensionless, index, and .js-to-.ts specifiers', () => {
    expect(resolveImport(from, './x', exists)).toBe('src/x.ts');
    expect(resolveImport(from, './y', exists)).toBe('src/y/index.ts');
    expect(resolveImport(from, './y/index', exists)).toBe('src/y/index.ts');
    expect(resolveImport('src/w/index.js', '../y/index', exists)).toBe('src/y/index.ts');
    expect(resolveImport(from, './z.js', exists)).toBe('src/z.ts');
    expect(resolveImport(from, './view.jsx', exists)).toBe('src/view.tsx');
    expect(resolveImport(from, './view.js', exists)).toBe('src/view.tsx');
    expect(resolveImport(from, '../lib/helper.mjs', exists)).toBe('lib/helper.mts');
    expect(resolveImport(from, '../lib/util.mjs', exists)).toBe('lib/util.mjs');
  });

  it('resolves exact files, JS sources, JSON, declaration files and folder indexes', () => {
    expect(resolveImport(from, './x.ts', exists)).toBe('src/x.ts');
    expect(resolveImport(from, './legacy', exists)).toBe('src/legacy.js');
    expect(resolveImport(from, './data.json', exists)).toBe('src/data.json');
    expect(resolveImport(from, './types', exists)).toBe('src/types.d.ts');
    expect(resolveImport(from, './w', exists)).toBe('src/w/index.js');
    expect(resolveImport(from, '..', exists)).toBe('index.ts');
    expect(resolveImport('src/y/index.ts', '../..', exists)).toBe('index.ts');
    expect(resolveImport(from, './x?raw', exists)).toBe('src/x.ts');
  });

  it('leaves packages, aliases, missing files and paths above the root unresolved', () => {
    expect(resolveImport(from, 'react', exists)).toBeUndefined();
    expect(resolveImport(from, '@/x', exists)).toBeUndefined();
    expect(resolveImport(from, './missing', exists)).toBeUndefined();
    expect(resolveImport(from, '../../x', exists)).toBeUndefined();
    expect(resolveImport(from, './app', exists)).toBeUndefined();
  });
});

describe('ImportGraph', () => {
  const files = new Map<string, string>([
    [
      'src/auth/session.ts',
      `import { sign } from './tokens.js';\nimport { db } from '../db';\nexport const s = 1;`,
    ],
    ['src/auth/tokens.ts', `export function sign() {}`],
    ['src/db/index.ts', `export * from './client';`],
    ['src/db/client.ts', `export const db = {};`],
    ['src/routes/login.ts', `import { s } from '../auth/session';`],
    ['src/routes/logout.tsx', `const m = await import("../auth/session.js");`],
    ['src/root.ts', `import x from '.';`],
    ['src/index.ts', `export {};`],
    ['scripts/seed.js', `const { db } = require('../src/db/client.js');`],
    ['docs/guide.md', `import x from '../src/auth/session'`],
  ]);
  const graph = new ImportGraph(files);

  it('lists what a file imports, resolved, in path order', () => {
    expect(graph.importsOf('src/auth/session.ts')).toEqual(['src/auth/tokens.ts', 'src/db/index.ts']);
    expect(graph.importsOf('src/db/index.ts')).toEqual(['src/db/client.ts']);
    expect(graph.importsOf('docs/guide.md')).toEqual([]);
    expect(graph.importsOf('nope.ts')).toEqual([]);
  });

  it('lists who imports a file, through extensionless, .js and require specifiers', () => {
    expect(graph.importersOf('src/auth/session.ts')).toEqual([
      'src/routes/login.ts',
      'src/routes/logout.tsx',
    ]);
    expect(graph.importersOf('src/db/client.ts')).toEqual(['scripts/seed.js', 'src/db/index.ts']);
    expect(graph.importersOf('src/auth/tokens.ts')).toEqual(['src/auth/session.ts']);
  });

  it('finds importers of an index file by folder name and by a dots-only specifier', () => {
    expect(graph.importersOf('src/db/index.ts')).toEqual(['src/auth/session.ts']);
    expect(graph.importersOf('src/index.ts')).toEqual(['src/root.ts']);
  });
});
