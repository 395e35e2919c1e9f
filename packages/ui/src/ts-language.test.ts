import { describe, expect, it } from 'vitest';
import {
  completionType,
  fitRange,
  HeldSync,
  flattenMessage,
  isProjectConfigPath,
  isScriptPath,
  locationAt,
  mapDiagnostics,
  nearestProjectConfig,
  severityOf,
  type TsDiagnostic,
} from './ts-language.ts';

describe('ts-language', () => {
  it('knows which files the language service reads', () => {
    for (const p of ['a.ts', 'src/b.tsx', 'c.js', 'd.jsx', 'e.mjs', 'f.cts', 'types.d.ts']) {
      expect(isScriptPath(p)).toBe(true);
    }
    for (const p of ['a.json', 'b.css', 'README.md', 'ts', 'x.tsv']) expect(isScriptPath(p)).toBe(false);
  });

  it("maps TypeScript's categories to lint severities", () => {
    expect([severityOf(1), severityOf(0), severityOf(2), severityOf(3)]).toEqual([
      'error',
      'warning',
      'info',
      'info',
    ]);
  });

  it('flattens a chain of messages the way tsc prints it', () => {
    const chain = {
      messageText: "Type '{ x: string; }' is not assignable to type 'Point'.",
      next: [{ messageText: "Types of property 'x' are incompatible." }],
    };
    expect(flattenMessage(chain)).toBe(
      "Type '{ x: string; }' is not assignable to type 'Point'.\n  Types of property 'x' are incompatible.",
    );
    expect(flattenMessage('plain')).toBe('plain');
  });

  it('fits a range from an older text into the current document', () => {
    expect(fitRange(4, 9, 20)).toEqual({ from: 4, to: 9 });
    expect(fitRange(18, 30, 20)).toEqual({ from: 18, to: 20 });
    expect(fitRange(25, 30, 20)).toEqual({ from: 20, to: 20 });
    expect(fitRange(5, 5, 20)).toEqual({ from: 5, to: 6 });
  });

  it('gives completions an icon type', () => {
    expect(completionType('method')).toBe('function');
    expect(completionType('property')).toBe('property');
    expect(completionType('interface')).toBe('type');
    expect(completionType('let')).toBe('variable');
  });

  it('turns an offset into a 1-based line and column with the line for a list', () => {
    const text = 'const a = 1;\n  let b = a;\n';
    expect(locationAt('x.ts', text, 0)).toEqual({
      path: 'x.ts',
      line: 1,
      column: 1,
      preview: 'const a = 1;',
    });
    expect(locationAt('x.ts', text, text.indexOf('b ='))).toEqual({
      path: 'x.ts',
      line: 2,
      column: 7,
      preview: 'let b = a;',
    });
    expect(locationAt('x.ts', text, text.length).line).toBe(3);
  });

  it('knows which JSON files are project configs', () => {
    for (const p of ['tsconfig.json', 'a/b/tsconfig.json', 'tsconfig.base.json', 'web/tsconfig.app.json']) {
      expect(isProjectConfigPath(p)).toBe(true);
    }
    expect(isProjectConfigPath('jsconfig.json')).toBe(true);
    for (const p of ['package.json', 'my-tsconfig.json', 'tsconfig.json.bak', 'tsconfig/x.json']) {
      expect(isProjectConfigPath(p)).toBe(false);
    }
  });

  it('finds the nearest project config above a file, tsconfig.json before jsconfig.json', () => {
    const configs = new Set(['tsconfig.json', 'packages/a/tsconfig.json', 'packages/b/jsconfig.json']);
    const has = (p: string) => configs.has(p);
    expect(nearestProjectConfig('packages/a/src/deep/x.ts', has)).toBe('packages/a/tsconfig.json');
    expect(nearestProjectConfig('packages/b/x.js', has)).toBe('packages/b/jsconfig.json');
    expect(nearestProjectConfig('packages/c/x.ts', has)).toBe('tsconfig.json');
    expect(nearestProjectConfig('x.ts', has)).toBe('tsconfig.json');
    // Not a prefix match: packages/ab is not under packages/a.
    expect(nearestProjectConfig('packages/ab/x.ts', has)).toBe('tsconfig.json');
    configs.add('packages/b/tsconfig.json');
    expect(nearestProjectConfig('packages/b/x.js', has)).toBe('packages/b/tsconfig.json');
    expect(nearestProjectConfig('x.ts', () => false)).toBeNull();
  });

  it('carries diagnostics through edits, dropping one whose text was deleted', () => {
    const d = (from: number, to: number, message: string): TsDiagnostic => ({
      from,
      to,
      message,
      severity: 'error',
      code: 2322,
      stage: 'types',
    });
    // Three characters inserted at 10, and 20..30 deleted (positions of the old text).
    const map = (pos: number, assoc: -1 | 1) => {
      if (pos > 20 && pos < 30) return 23;
      const shifted = pos < 10 || (pos === 10 && assoc < 0) ? pos : pos + 3;
      return pos >= 30 ? shifted - 10 : shifted;
    };
    expect(
      mapDiagnostics(
        [d(2, 5, 'before'), d(12, 15, 'after the insert'), d(22, 28, 'deleted'), d(40, 40, 'empty')],
        map,
      ).map((x) => [x.message, x.from, x.to]),
    ).toEqual([
      ['before', 2, 5],
      ['after the insert', 15, 18],
      ['empty', 33, 33],
    ]);
  });

  it('holds the slices of a sync and gives them out together with the last', () => {
    const held = new HeldSync();
    const file = (path: string, version: number) => ({ path, text: `// ${version}`, version });
    expect(
      held.take({ type: 'sync', files: [file('a.ts', 1)], removed: ['gone.ts'], more: true }),
    ).toBeNull();
    expect(held.take({ type: 'sync', files: [file('b.ts', 2)], removed: [], more: true })).toBeNull();
    expect(held.take({ type: 'sync', files: [file('c.ts', 3)], removed: [] })).toEqual({
      files: [file('a.ts', 1), file('b.ts', 2), file('c.ts', 3)],
      removed: ['gone.ts'],
    });
    // Nothing is left over for the next sync.
    expect(held.take({ type: 'sync', files: [], removed: [] })).toEqual({ files: [], removed: [] });
  });

  it('drops a held file that a later question brought newer text of', () => {
    const held = new HeldSync();
    const file = (path: string, version: number) => ({ path, text: `// ${version}`, version });
    held.take({ type: 'sync', files: [file('open.ts', 1), file('other.ts', 2)], removed: [], more: true });
    held.supersede([file('open.ts', 3)]);
    expect(held.take({ type: 'sync', files: [], removed: [] })?.files).toEqual([file('other.ts', 2)]);
  });
});
