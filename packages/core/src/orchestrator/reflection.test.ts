import { describe, expect, it } from 'vitest';
import { applyEdits, parseEdits } from '../edits/index.ts';
import type { ValidationResult } from '../validate/index.ts';
import type { CheckResult, Finding } from '../checks/index.ts';
import { buildReflectionMessage, failingChecks, needsReflection } from './reflection.ts';

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

describe('check feedback', () => {
  const clean = { results: [], problems: [], truncated: undefined, failing: [] };
  const finding = (
    severity: 'critical' | 'high' | 'medium' | 'low',
    line: number,
    rule: string,
  ): Finding => ({
    tool: 'eslint-security',
    rule,
    severity,
    path: 'src/a.ts',
    line,
    message: `${rule} here`,
  });
  const result = (partial: Partial<CheckResult> & Pick<CheckResult, 'check' | 'status'>): CheckResult => ({
    durationMs: 10,
    summary: 's',
    output: undefined,
    findings: [],
    ...partial,
  });

  it('reflects on failed checks and timed-out tests, not on sandbox errors or skipped checks', () => {
    expect(failingChecks([result({ check: 'test', status: 'timeout' })])).toHaveLength(1);
    expect(failingChecks([result({ check: 'typecheck', status: 'timeout' })])).toHaveLength(0);
    expect(needsReflection({ ...clean, checks: [result({ check: 'lint', status: 'failed' })] })).toBe(true);
    expect(
      needsReflection({
        ...clean,
        checks: [result({ check: 'test', status: 'error' }), result({ check: 'lint', status: 'skipped' })],
      }),
    ).toBe(false);
  });

  it('shows blocking findings, the end of test output and the files as they are', () => {
    const files = new Map([['src/a.ts', 'const a = 1;\nexport const b = eval(a);\n']]);
    const message = buildReflectionMessage({
      ...clean,
      files,
      checks: [
        result({
          check: 'security',
          status: 'failed',
          summary: '1 high, 1 low',
          findings: [finding('high', 2, 'no-eval'), finding('low', 1, 'security/detect-non-literal-regexp')],
        }),
        result({
          check: 'test',
          status: 'failed',
          summary: 'tests failed',
          output: `${'x'.repeat(10_000)}\nnot ok 1 - b\n`,
        }),
        result({ check: 'typecheck', status: 'passed' }),
      ],
    });
    expect(message).toContain('# 2 checks failed on the files as they are after your edits');
    expect(message).toContain('- src/a.ts, line 2: high [no-eval]: no-eval here (eslint-security)');
    expect(message).not.toContain('detect-non-literal-regexp');
    expect(message).toContain('never put secrets in source');
    expect(message).toContain('not ok 1 - b');
    expect(message.length).toBeLessThan(6_000);
    expect(message).toContain('export const b = eval(a);');
    expect(message).not.toContain('## typecheck');
  });
});
