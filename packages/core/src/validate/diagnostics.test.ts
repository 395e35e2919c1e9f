import { describe, expect, it } from 'vitest';
import { capDiagnostics, clipMessage, MAX_MESSAGE_CHARS, positionAt } from './diagnostics.ts';
import type { Diagnostic } from './types.ts';

describe('positionAt', () => {
  it('turns offsets into 1-based lines and columns across LF, CRLF and CR endings', () => {
    const text = 'ab\ncd\r\nef\rgh';
    expect(positionAt(text, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(text, 2)).toEqual({ line: 1, column: 3 });
    expect(positionAt(text, 3)).toEqual({ line: 2, column: 1 });
    expect(positionAt(text, 7)).toEqual({ line: 3, column: 1 });
    expect(positionAt(text, 10)).toEqual({ line: 4, column: 1 });
    expect(positionAt(text, 999)).toEqual({ line: 4, column: 3 });
    expect(positionAt(text, -5)).toEqual({ line: 1, column: 1 });
  });
});

describe('capDiagnostics', () => {
  const make = (line: number): Diagnostic => ({
    path: 'a.ts',
    line,
    column: 1,
    severity: 'error',
    message: `e${line}`,
  });

  it('sorts by position and keeps short lists as they are', () => {
    expect(capDiagnostics([make(3), make(1), make(2)]).map((d) => d.line)).toEqual([1, 2, 3]);
  });

  it('keeps max-1 diagnostics plus a note on how many were left out', () => {
    const capped = capDiagnostics(
      Array.from({ length: 50 }, (_, i) => make(i + 1)),
      20,
    );
    expect(capped).toHaveLength(20);
    expect(capped[18]?.line).toBe(19);
    expect(capped[19]).toEqual({
      path: 'a.ts',
      line: 20,
      column: 1,
      severity: 'info',
      message: '31 more problems in this file not shown.',
    });
  });
});

describe('clipMessage', () => {
  it('trims and bounds messages', () => {
    expect(clipMessage('  hello \n')).toBe('hello');
    const long = clipMessage('x'.repeat(5_000));
    expect(long).toHaveLength(MAX_MESSAGE_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});
