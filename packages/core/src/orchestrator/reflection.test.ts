import { describe, expect, it } from 'vitest';
import { applyEdits, parseEdits } from '../edits/index.ts';
import type { ValidationResult } from '../validate/index.ts';
import { buildReflectionMessage, needsReflection } from './reflection.ts';

const FENCE = '```';
const CONFIG = 'export const a = {\n  enabled: false,\n};\nexport const b = {\n  enabled: false,\n};\n';

describe('needsReflection', () => {
  it('is false only when everything applied cleanly', () => {
    const clean = { results: [], problems: [], truncated: undefined, failing: [] };
    expect(needsReflection(clean)).toBe(false);
    expect(needsReflection({ ...clean, truncated: { path: 'a.ts' } })).toBe(true);
  });
});

describe('buildReflectionMessage', () => {
  it('feeds back failed edits, acknowledges applied ones and shows files with errors as they are now', () => {
    const files = new Map([
      ['src/config.ts', CONFIG],
      ['src/math.ts', 'export function add(a: number, b: number) {\n  return (a + b;\n}\n'],
    ]);
    const answer =
      `src/config.ts\n${FENCE}ts\n<<<<<<< SEARCH\n  enabled: false,\n=======\n  enabled: true,\n>>>>>>> REPLACE\n${FENCE}\n\n` +
      `src/math.ts\n${FENCE}ts\n<<<<<<< SEARCH\nexport function add(a: number, b: number) {\n=======\nexport function add(a: number, b: number) {\n>>>>>>> REPLACE\n${FENCE}\n`;
    const { results } = applyEdits(files, parseEdits(answer).edits);
    const failing: ValidationResult[] = [
      {
        validator: 'syntax',
        path: 'src/math.ts',
        ok: false,
        diagnostics: [
          { path: 'src/math.ts', line: 2, column: 16, severity: 'error', message: "')' expected." },
        ],
      },
    ];
    const message = buildReflectionMessage({ results, problems: [], truncated: undefined, failing, files });
    expect(message).toContain('EDIT_AMBIGUOUS');
    expect(message).toContain('1 edit was applied successfully');
    expect(message).toContain('# 1 file has errors after your edits');
    expect(message).toContain("- line 2, column 16: error: ')' expected. (syntax)");
    expect(message).toContain(
      `src/math.ts\n${FENCE}ts\nexport function add(a: number, b: number) {\n  return (a + b;\n}\n${FENCE}`,
    );
    expect(message.trimEnd().endsWith('already in place.')).toBe(true);
  });

  it('explains a cut-off answer and excerpts long files around their errors', () => {
    const long = Array.from({ length: 400 }, (_, i) => `line ${i + 1}`).join('\n');
    const message = buildReflectionMessage({
      results: [],
      problems: [],
      truncated: { path: 'src/big.ts' },
      failing: [
        {
          validator: 'syntax',
          path: 'src/big.ts',
          ok: false,
          diagnostics: [{ path: 'src/big.ts', line: 200, column: 1, severity: 'error', message: 'bad' }],
        },
      ],
      files: new Map([['src/big.ts', long]]),
      maxFileChars: 100,
    });
    expect(message).toContain('reached the output limit while writing the edit for src/big.ts');
    expect(message).toContain('Lines 192-208:');
    expect(message).toContain('line 192\n');
    expect(message).not.toContain('line 191\n');
    expect(message).not.toContain('line 1\n');
  });
});
