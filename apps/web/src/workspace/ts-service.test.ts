// The language service over in-memory workspace files, with the real TypeScript and its real standard library.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  mapDiagnostics,
  mergeRegion,
  type ScriptFile,
  type TsDiagnostic,
  type TsQuery,
  type TsRegionDiagnostics,
} from '@tandem/ui/ts-language';
import { describe, expect, it } from 'vitest';
import {
  compilerOptionsFrom,
  referencedLibs,
  rootLibs,
  textChange,
  TsService,
  type CheckStep,
} from './ts-service.ts';

const libDir = path.dirname(createRequire(import.meta.url).resolve('typescript'));

/** Every lib the options need, following `/// <reference lib>`, as the worker loads them. */
function loadLibs(names: string[], libs: Map<string, string>): void {
  const queue = [...names];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (libs.has(name)) continue;
    const text = readFileSync(path.join(libDir, name), 'utf8');
    libs.set(name, text);
    queue.push(...referencedLibs(text));
  }
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

/** A service over `files` that, like the worker, loads the libs a file's options need before asking about it. */
function service(files: Record<string, string> = { 'src/math.ts': MATH, 'src/main.ts': MAIN }) {
  const libs = new Map<string, string>();
  const ts = new TsService(libs);
  let version = 1;
  const write = (changed: Record<string, string>, removed: string[] = []) =>
    ts.update(
      Object.entries(changed).map(([p, text]): ScriptFile => ({ path: p, text, version: version++ })),
      removed,
    );
  write(files);
  const ready = (p: string) => loadLibs(rootLibs(ts.optionsFor(p)), libs);
  return {
    ts,
    write,
    ask<K extends TsQuery['kind']>(query: Extract<TsQuery, { kind: K }>) {
      ready(query.path);
      return ts.answer(query);
    },
    /** checkFile's steps, all of them, and its answer. */
    steps(p: string, ranges: { from: number; to: number }[] = [], between?: (step: CheckStep) => void) {
      ready(p);
      const steps: CheckStep[] = [];
      const check = ts.checkFile(p, ranges);
      for (let next = check.next(); ; next = check.next()) {
        if (next.done) return { steps, result: next.value };
        steps.push(next.value);
        between?.(next.value);
      }
    },
  };
}

const codes = (found: TsDiagnostic[]) => found.map((d) => d.code);

// The first check of a program reads the whole standard library, seconds on a loaded machine.
describe('TsService', { timeout: 60_000 }, () => {
  it('reports a type error as it is typed and nothing once it is fixed', () => {
    const s = service();
    expect(s.ask({ kind: 'diagnostics', path: 'src/main.ts' })).toEqual([]);
    const broken = MAIN.replace('x: 0, y: 0', "x: 'zero', y: 0");
    s.write({ 'src/main.ts': broken });
    const [error, ...rest] = s.ask({ kind: 'diagnostics', path: 'src/main.ts' });
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ severity: 'error', code: 2322, stage: 'types' });
    expect(error?.message).toContain("Type 'string' is not assignable to type 'number'");
    expect(broken.slice(error?.from, error?.to)).toBe('x');
    s.write({ 'src/main.ts': MAIN });
    expect(s.ask({ kind: 'diagnostics', path: 'src/main.ts' })).toEqual([]);
  });

  it('sees a change in another file: removing an export breaks its importer', () => {
    const s = service();
    s.write({ 'src/math.ts': MATH.replace('export function norm', 'function norm') });
    expect(codes(s.ask({ kind: 'diagnostics', path: 'src/main.ts' }))).toContain(2459);
    s.write({}, ['src/math.ts']);
    expect(codes(s.ask({ kind: 'diagnostics', path: 'src/main.ts' }))).toContain(2307);
  });

  it('answers hover, completion, definition and references across files, at line and column', () => {
    const s = service();
    const hover = s.ask({ kind: 'quickInfo', path: 'src/main.ts', pos: MAIN.indexOf('size') });
    expect(hover?.display).toBe('const size: number');

    const withDot = MAIN.replace('norm(origin)', 'norm(origin) + origin.');
    s.write({ 'src/main.ts': withDot });
    const completions = s.ask({
      kind: 'completions',
      path: 'src/main.ts',
      pos: withDot.indexOf('origin.') + 7,
    });
    expect(completions?.items.map((c) => c.label).sort()).toEqual(['x', 'y']);
    expect(completions?.items[0]?.kind).toBe('property');
    s.write({ 'src/main.ts': MAIN });

    const definition = s.ask({ kind: 'definition', path: 'src/main.ts', pos: MAIN.indexOf('norm(origin)') });
    expect(definition).toEqual([
      { path: 'src/math.ts', line: 6, column: 17, preview: 'export function norm(p: Point): number {' },
    ]);
    const references = s.ask({ kind: 'references', path: 'src/math.ts', pos: MATH.indexOf('norm') });
    expect(references.map((r) => `${r.path}:${r.line}:${r.column}`)).toEqual([
      'src/main.ts:1:10',
      'src/main.ts:4:21',
      'src/math.ts:6:17',
    ]);
  });

  it('does not report packages from node_modules as missing, but does a missing relative import', () => {
    const s = service();
    const text =
      "import { useState } from 'react';\nimport { gone } from './gone.ts';\nexport const s = [useState, gone];\n";
    s.write({ 'src/ui.ts': text });
    const found = s.ask({ kind: 'diagnostics', path: 'src/ui.ts' });
    expect(found.map((d) => [d.code, text.slice(d.from, d.to)])).toEqual([[2307, "'./gone.ts'"]]);
  });

  it('parses only around an edit and still agrees with a fresh parse of the text', () => {
    expect(textChange('abcdef', 'abXdef')).toEqual({ span: { start: 2, length: 1 }, newLength: 1 });
    expect(textChange('abcdef', 'abcXYdef')).toEqual({ span: { start: 3, length: 0 }, newLength: 2 });
    expect(textChange('abcdef', 'af')).toEqual({ span: { start: 1, length: 4 }, newLength: 0 });
    // A repeated letter: the common start and end do not overlap.
    expect(textChange('aaa', 'aaaa')).toEqual({ span: { start: 3, length: 0 }, newLength: 1 });
    expect(textChange('same', 'same')).toEqual({ span: { start: 4, length: 0 }, newLength: 0 });

    // Edits typed one at a time (each parsed incrementally) end where a service given the final text starts.
    const s = service();
    let text = MAIN;
    const edits: [string, string][] = [
      ['x: 0', "x: '0'"],
      ['export const size', 'export const size: string'],
      ["x: '0'", 'x: 0'],
      ['norm(origin)', 'norm(origin'],
      ['norm(origin', 'norm(origin)'],
    ];
    for (const [from, to] of edits) {
      text = text.replace(from, to);
      s.write({ 'src/main.ts': text });
      expect(s.ask({ kind: 'diagnostics', path: 'src/main.ts' })).toEqual(
        service({ 'src/math.ts': MATH, 'src/main.ts': text }).ask({
          kind: 'diagnostics',
          path: 'src/main.ts',
        }),
      );
    }
  });
});

describe('TsService projects', { timeout: 60_000 }, () => {
  const loose = 'export function twice(n) {\n  return n * 2;\n}\n';

  it('follows the workspace tsconfig: a lax one stops reporting implicit any', () => {
    const strict = service({ 'src/loose.ts': loose });
    expect(codes(strict.ask({ kind: 'diagnostics', path: 'src/loose.ts' }))).toEqual([7006]);
    const lax = service({
      'tsconfig.json': '{ "compilerOptions": { "strict": false, "target": "ES2020", "lib": ["ES2020"] } }',
      'src/loose.ts': loose,
    });
    expect(lax.ask({ kind: 'diagnostics', path: 'src/loose.ts' })).toEqual([]);
    expect(lax.ts.optionsFor('src/loose.ts').lib).toEqual(['lib.es2020.d.ts']);
    // A tsconfig that does not parse leaves the defaults.
    expect(compilerOptionsFrom('tsconfig.json', () => '{ nope').strict).toBe(true);
  });

  it('answers each file with the nearest tsconfig.json above it', () => {
    const s = service({
      'tsconfig.json': '{ "compilerOptions": { "strict": true } }',
      'legacy/tsconfig.json': '{ "compilerOptions": { "strict": false } }',
      'src/a.ts': loose,
      'legacy/a.ts': loose,
      'legacy/deep/er/a.ts': loose,
      'legacy-not/a.ts': loose,
    });
    expect(s.ts.configFor('legacy/deep/er/a.ts')).toBe('legacy/tsconfig.json');
    expect(s.ts.configFor('legacy-not/a.ts')).toBe('tsconfig.json');
    expect(codes(s.ask({ kind: 'diagnostics', path: 'src/a.ts' }))).toEqual([7006]);
    expect(codes(s.ask({ kind: 'diagnostics', path: 'legacy/a.ts' }))).toEqual([]);
    expect(codes(s.ask({ kind: 'diagnostics', path: 'legacy/deep/er/a.ts' }))).toEqual([]);
    expect(codes(s.ask({ kind: 'diagnostics', path: 'legacy-not/a.ts' }))).toEqual([7006]);

    // Its project still sees the other projects' files: references go across them.
    s.write({ 'src/use.ts': "import { twice } from '../legacy/a.ts';\nexport const four = twice(2);\n" });
    const refs = s.ask({ kind: 'references', path: 'legacy/a.ts', pos: loose.indexOf('twice') });
    expect(refs.map((r) => r.path)).toEqual(['legacy/a.ts', 'src/use.ts', 'src/use.ts']);

    // The nested config goes: its files fall back to the root's; edited, they follow it.
    s.write({}, ['legacy/tsconfig.json']);
    expect(codes(s.ask({ kind: 'diagnostics', path: 'legacy/a.ts' }))).toEqual([7006]);
    s.write({ 'tsconfig.json': '{ "compilerOptions": { "noImplicitAny": false } }' });
    expect(codes(s.ask({ kind: 'diagnostics', path: 'legacy/a.ts' }))).toEqual([]);
    // A jsconfig.json makes a project too; a tsconfig.json in the same folder wins over it.
    s.write({ 'js/jsconfig.json': '{ "compilerOptions": { "noImplicitAny": true } }', 'js/a.ts': loose });
    expect(s.ts.configFor('js/a.ts')).toBe('js/jsconfig.json');
    expect(codes(s.ask({ kind: 'diagnostics', path: 'js/a.ts' }))).toEqual([7006]);
    s.write({ 'js/tsconfig.json': '{ "compilerOptions": { "noImplicitAny": false } }' });
    expect(s.ts.configFor('js/a.ts')).toBe('js/tsconfig.json');
  });

  it('follows extends through the workspace, in a chain and as a list, and again when a base changes', () => {
    const unused = 'const never = 1;\nexport function twice(n) {\n  return n * 2;\n}\n';
    const s = service({
      'tsconfig.base.json': '{ "compilerOptions": { "strict": false } }',
      'configs/tsconfig.unused.json':
        '{ "extends": "../tsconfig.base.json", "compilerOptions": { "noUnusedLocals": true } }',
      'app/tsconfig.json': '{ "extends": "../configs/tsconfig.unused.json" }',
      'app/a.ts': unused,
      // A list: later entries win, and the config's own options win over all of them.
      'lib/tsconfig.json':
        '{ "extends": ["../tsconfig.base.json", "../configs/tsconfig.unused.json"], "compilerOptions": { "noUnusedLocals": false } }',
      'lib/a.ts': unused,
    });
    expect(s.ts.optionsFor('app/a.ts')).toMatchObject({ strict: false, noUnusedLocals: true });
    expect(codes(s.ask({ kind: 'diagnostics', path: 'app/a.ts' }))).toEqual([6133]);
    expect(codes(s.ask({ kind: 'diagnostics', path: 'lib/a.ts' }))).toEqual([]);
    // The base at the end of the chain changes: the app's options follow.
    s.write({ 'tsconfig.base.json': '{ "compilerOptions": { "strict": true } }' });
    expect(codes(s.ask({ kind: 'diagnostics', path: 'app/a.ts' })).sort()).toEqual([6133, 7006]);
    // A relative extends that leads out of the workspace finds nothing, like a missing file.
    s.write({
      'out/tsconfig.json':
        '{ "extends": "../../../etc/tsconfig.json", "compilerOptions": { "strict": false } }',
    });
    expect(s.ts.optionsFor('out/a.ts').strict).toBe(false);
  });

  it('stops at an extends cycle and ignores a package it cannot reach, keeping the config’s own options', () => {
    const configs: Record<string, string> = {
      'a/tsconfig.json': '{ "extends": "../b/tsconfig.json", "compilerOptions": { "noUnusedLocals": true } }',
      'b/tsconfig.json':
        '{ "extends": "../a/tsconfig.json", "compilerOptions": { "noUnusedParameters": true } }',
      // node_modules is never in a workspace: the package cannot be read, so only the config's own options count.
      'c/tsconfig.json':
        '{ "extends": "@tsconfig/strictest/tsconfig.json", "compilerOptions": { "strict": false, "noUnusedLocals": true } }',
    };
    const read = (p: string) => configs[p];
    expect(compilerOptionsFrom('a/tsconfig.json', read)).toMatchObject({
      noUnusedLocals: true,
      noUnusedParameters: true,
    });
    expect(compilerOptionsFrom('b/tsconfig.json', read)).toMatchObject({
      noUnusedLocals: true,
      noUnusedParameters: true,
    });
    expect(compilerOptionsFrom('c/tsconfig.json', read)).toMatchObject({
      strict: false,
      noUnusedLocals: true,
    });
    // And the service answers files under them.
    const s = service({ ...configs, 'a/x.ts': 'const unused = 1;\nexport {};\n' });
    expect(codes(s.ask({ kind: 'diagnostics', path: 'a/x.ts' }))).toEqual([6133]);
  });
});

/** About `lines` lines of typed code: a type error near the top, one near the bottom, an unused local in between. */
function bigFile(lines: number): string {
  const out = [
    'export interface Item {',
    '  id: number;',
    '  name: string;',
    '}',
    "export const first: number = 'top';",
  ];
  for (let f = 0; out.length < lines - 4; f++) {
    out.push(`export function step${f}(items: Item[], limit = ${f + 1}): Item[] {`);
    out.push(`  const kept = items.filter((item) => item.id % ${f + 2} !== 0 && item.id < limit);`);
    out.push(`  return kept.map((item) => ({ ...item, name: item.name.trim() + '${f}' }));`, '}', '');
    if (f === 100) out.push('function unused() {}', '');
  }
  out.push('const n = 1;', 'export const last: string = n;', '');
  return out.join('\n');
}

const NO_UNUSED = '{ "compilerOptions": { "noUnusedLocals": true } }';

describe('TsService region check', { timeout: 60_000 }, () => {
  const text = bigFile(1000);
  const bottom = { from: text.lastIndexOf('\n', text.length - 400), to: text.length };

  it('answers the lines on screen first, then the whole file a slice at a time, as a whole check would', () => {
    const s = service({ 'tsconfig.json': NO_UNUSED, 'src/big.ts': text });
    const whole = service({ 'tsconfig.json': NO_UNUSED, 'src/big.ts': text }).ask({
      kind: 'diagnostics',
      path: 'src/big.ts',
    });
    // The whole file: the two type errors and the unused function (found only when the whole file is done).
    expect(whole.map((d) => [d.code, text.slice(d.from, d.to)])).toEqual([
      [2322, 'first'],
      [6133, 'unused'],
      [2322, 'last'],
    ]);

    const { steps, result } = s.steps('src/big.ts', [bottom]);
    const [first, ...rest] = steps;
    if (first?.kind !== 'region') throw new Error('the first step is not the region');
    // The region answer has the error on screen, not the one at the top it did not look at.
    expect(first.result.diagnostics.map((d) => [d.code, text.slice(d.from, d.to)])).toEqual([[2322, 'last']]);
    const [span] = first.result.spans;
    expect(first.result.spans).toHaveLength(1);
    expect(span!.from).toBeLessThanOrEqual(bottom.from);
    expect(span!.to).toBe(text.length);
    expect(span!.from).toBeGreaterThan(text.length / 2);
    // Then slices (each a point the worker can stop at), and the same answer as one whole check.
    expect(rest.length).toBeGreaterThan(5);
    expect(rest.every((step) => step.kind === 'slice')).toBe(true);
    expect(result).toEqual(whole);
    // Asked again with nothing changed: the whole answer at once.
    expect(s.steps('src/big.ts', [bottom])).toEqual({ steps: [], result: whole });
  });

  it('includes the parser’s diagnostics for the whole file in the region answer', () => {
    const broken = text.replace('export const first', 'export const first (');
    const s = service({ 'src/big.ts': broken });
    const { steps } = s.steps('src/big.ts', [bottom]);
    const region = steps[0]?.kind === 'region' ? steps[0].result : null;
    const syntax = region?.diagnostics.filter((d) => d.stage === 'syntax') ?? [];
    // Found at the top, far from the region on screen.
    expect(syntax.map((d) => d.code)).toContain(1005);
    expect(syntax.every((d) => d.to < 200)).toBe(true);
  });

  it('starts its slices over when another file changes meanwhile, and answers for the files as they are then', () => {
    const user =
      "import { norm } from './math.ts';\n" + text + '\nexport const size = norm({ x: 1, y: 2 });\n';
    const undisturbed = service({ 'src/math.ts': MATH, 'src/big.ts': user }).steps('src/big.ts', [bottom]);
    const all = undisturbed.steps.filter((step) => step.kind === 'slice').length;
    expect(codes(undisturbed.result)).not.toContain(2459);

    const s = service({ 'src/math.ts': MATH, 'src/big.ts': user });
    let slices = 0;
    const { result } = s.steps('src/big.ts', [bottom], (step) => {
      if (step.kind === 'slice' && ++slices === 3) {
        s.write({ 'src/math.ts': MATH.replace('export function norm', 'function norm') });
      }
    });
    // The three slices before the change, then every slice again on the new program.
    expect(slices).toBe(3 + all);
    expect(codes(result)).toContain(2459);
  });

  it('merges a region answer with the type errors shown outside it, which the whole answer then confirms', () => {
    // Before: both errors shown. The edit on screen (the bottom) fixes the error there and adds lines.
    const s = service({ 'src/big.ts': text });
    const before = s.ask({ kind: 'diagnostics', path: 'src/big.ts' });
    expect(codes(before)).toEqual([2322, 2322]);
    const at = text.indexOf('export const last: string');
    const inserted = '// typed\n';
    const edited = text.slice(0, at) + inserted + text.slice(at).replace('last: string', 'last: number');
    s.write({ 'src/big.ts': edited });
    // Mapped as the editor maps them: the first error keeps its place, the last moves down by the insert.
    const mapped = mapDiagnostics(before, (pos, assoc) =>
      pos < at || (pos === at && assoc < 0) ? pos : pos + inserted.length,
    );
    expect(edited.slice(mapped[1]!.from, mapped[1]!.to)).toBe('last');

    const { steps, result } = s.steps('src/big.ts', [{ from: bottom.from, to: edited.length }]);
    const region = steps[0]?.kind === 'region' ? steps[0].result : null;
    if (!region) throw new Error('no region answer');
    const merged = mergeRegion(mapped, region);
    // The top error, outside the region, stays; the fixed one inside it goes: what the whole answer says.
    expect(merged.map((d) => [d.code, edited.slice(d.from, d.to)])).toEqual([[2322, 'first']]);
    expect(merged).toEqual(result);
  });

  it('lets a region answer replace everything it covers, syntax errors anywhere included', () => {
    const shown: TsDiagnostic[] = [
      { from: 10, to: 15, severity: 'error', message: 'above', code: 2322, stage: 'types' },
      { from: 40, to: 45, severity: 'error', message: 'inside', code: 2322, stage: 'types' },
      { from: 90, to: 90, severity: 'error', message: 'at the edge, empty', code: 2322, stage: 'types' },
      { from: 12, to: 13, severity: 'error', message: 'old syntax', code: 1005, stage: 'syntax' },
    ];
    const region: TsRegionDiagnostics = {
      diagnostics: [{ from: 50, to: 52, severity: 'error', message: 'new', code: 2345, stage: 'types' }],
      spans: [{ from: 30, to: 90 }],
    };
    expect(mergeRegion(shown, region).map((d) => d.message)).toEqual(['above', 'new', 'at the edge, empty']);
  });
});
