import { describe, expect, it } from 'vitest';
import {
  completionType,
  fitRange,
  flattenMessage,
  isScriptPath,
  locationAt,
  severityOf,
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
});
