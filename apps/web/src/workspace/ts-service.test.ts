// The language service over in-memory workspace files, with the real TypeScript and its real standard library.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilerOptionsFrom, referencedLibs, rootLibs, TsService } from './ts-service.ts';

const libDir = path.dirname(createRequire(import.meta.url).resolve('typescript'));

/** Every lib the options need, following `/// <reference lib>`, as the worker loads them. */
function loadLibs(names: string[]): Map<string, string> {
  const libs = new Map<string, string>();
  const queue = [...names];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (libs.has(name)) continue;
    const text = readFileSync(path.join(libDir, name), 'utf8');
    libs.set(name, text);
    queue.push(...referencedLibs(text));
  }
  return libs;
}

const MATH = [
  'export interface Point {',
  '  x: number;',
  '  y: number;',
  '}',
  '',
  'export function norm(p: Point): number {',
  '  return Math.hypot(p.x, p.y);',
  '}',
  '',
].join('\n');
const MAIN = [
  "import { norm, type Point } from './math.ts';",
  '',
  'const origin: Point = { x: 0, y: 0 };',
  'export const size = norm(origin);',
  '',
].join('\n');

function service(tsconfig: string | null = null) {
  const libs = new Map<string, string>();
  const ts = new TsService(libs);
  for (const [name, text] of loadLibs(rootLibs(ts.configure(tsconfig)))) libs.set(name, text);
  ts.update([
    { path: 'src/math.ts', text: MATH, version: 1 },
    { path: 'src/main.ts', text: MAIN, version: 1 },
  ]);
  return ts;
}

// The first check of a program reads the whole standard library, seconds on a loaded machine.
describe('TsService', { timeout: 30_000 }, () => {
  it('reports a type error as it is typed and nothing once it is fixed', () => {
    const ts = service();
    expect(ts.answer({ kind: 'diagnostics', path: 'src/main.ts' })).toEqual([]);
    const broken = MAIN.replace('x: 0, y: 0', "x: 'zero', y: 0");
    ts.update([{ path: 'src/main.ts', text: broken, version: 2 }]);
    const [error, ...rest] = ts.answer({ kind: 'diagnostics', path: 'src/main.ts' });
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ severity: 'error', code: 2322 });
    expect(error?.message).toContain("Type 'string' is not assignable to type 'number'");
    expect(broken.slice(error?.from, error?.to)).toBe('x');
    ts.update([{ path: 'src/main.ts', text: MAIN, version: 3 }]);
    expect(ts.answer({ kind: 'diagnostics', path: 'src/main.ts' })).toEqual([]);
  });

  it('sees a change in another file: removing an export breaks its importer', () => {
    const ts = service();
    ts.update([
      { path: 'src/math.ts', text: MATH.replace('export function norm', 'function norm'), version: 2 },
    ]);
    const diagnostics = ts.answer({ kind: 'diagnostics', path: 'src/main.ts' });
    expect(diagnostics.map((d) => d.code)).toContain(2459);
    ts.update([], ['src/math.ts']);
    expect(ts.answer({ kind: 'diagnostics', path: 'src/main.ts' }).map((d) => d.code)).toContain(2307);
  });

  it('answers hover, completion, definition and references across files', () => {
    const ts = service();
    const hover = ts.answer({ kind: 'quickInfo', path: 'src/main.ts', pos: MAIN.indexOf('size') });
    expect(hover?.display).toBe('const size: number');

    const withDot = MAIN.replace('norm(origin)', 'norm(origin) + origin.');
    ts.update([{ path: 'src/main.ts', text: withDot, version: 2 }]);
    const completions = ts.answer({
      kind: 'completions',
      path: 'src/main.ts',
      pos: withDot.indexOf('origin.') + 7,
    });
    expect(completions?.items.map((c) => c.label).sort()).toEqual(['x', 'y']);
    expect(completions?.items[0]?.kind).toBe('property');
    ts.update([{ path: 'src/main.ts', text: MAIN, version: 3 }]);

    const definition = ts.answer({
      kind: 'definition',
      path: 'src/main.ts',
      pos: MAIN.indexOf('norm(origin)'),
    });
    expect(definition).toEqual([
      { path: 'src/math.ts', line: 6, column: 17, preview: 'export function norm(p: Point): number {' },
    ]);
    const references = ts.answer({ kind: 'references', path: 'src/math.ts', pos: MATH.indexOf('norm') });
    expect(references.map((r) => `${r.path}:${r.line}`)).toEqual([
      'src/main.ts:1',
      'src/main.ts:4',
      'src/math.ts:6',
    ]);
  });

  it('does not report packages from node_modules as missing, but does a missing relative import', () => {
    const ts = service();
    const text =
      "import { useState } from 'react';\nimport { gone } from './gone.ts';\nexport const s = [useState, gone];\n";
    ts.update([{ path: 'src/ui.ts', text, version: 1 }]);
    const found = ts.answer({ kind: 'diagnostics', path: 'src/ui.ts' });
    expect(found.map((d) => [d.code, text.slice(d.from, d.to)])).toEqual([[2307, "'./gone.ts'"]]);
  });

  it('follows the workspace tsconfig: a lax one stops reporting implicit any', () => {
    const loose = 'export function twice(n) {\n  return n * 2;\n}\n';
    const strict = service();
    strict.update([{ path: 'src/loose.ts', text: loose, version: 1 }]);
    expect(strict.answer({ kind: 'diagnostics', path: 'src/loose.ts' }).map((d) => d.code)).toEqual([7006]);
    const lax = service('{ "compilerOptions": { "strict": false, "target": "ES2020", "lib": ["ES2020"] } }');
    lax.update([{ path: 'src/loose.ts', text: loose, version: 1 }]);
    expect(lax.answer({ kind: 'diagnostics', path: 'src/loose.ts' })).toEqual([]);
    expect(compilerOptionsFrom('{ "compilerOptions": { "lib": ["ES2020"] } }').lib).toEqual([
      'lib.es2020.d.ts',
    ]);
    // A tsconfig that does not parse leaves the defaults.
    expect(compilerOptionsFrom('{ nope').strict).toBe(true);
  });
});
