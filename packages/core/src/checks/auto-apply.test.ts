import { describe, expect, it } from 'vitest';
import { blockingFindingsOn, isBlockingFinding, mayAutoApply } from './auto-apply.ts';
import type { Finding } from './findings.ts';

const passed = [
  { check: 'typecheck', status: 'passed' },
  { check: 'lint', status: 'skipped', summary: 'no ESLint config' },
  { check: 'security', status: 'passed' },
] as const;

function finding(partial: Partial<Finding>): Finding {
  return {
    tool: 'eslint-security',
    rule: 'r',
    severity: 'low',
    path: 'src/a.ts',
    line: 1,
    message: 'm',
    ...partial,
  };
}

describe('mayAutoApply', () => {
  it('allows passed and skipped checks with only medium and low findings', () => {
    expect(
      mayAutoApply({ checks: passed, findings: [finding({ severity: 'medium' }), finding({})] }),
    ).toEqual({
      allowed: true,
      reasons: [],
    });
  });

  it.for([
    ['failed', 'test failed: 1 failing'],
    ['error', 'test error: 1 failing'],
    ['timeout', 'test timeout: 1 failing'],
    ['running', 'test did not finish: 1 failing'],
  ] as const)('refuses a check that ended %s', ([status, reason]) => {
    const verdict = mayAutoApply({
      checks: [...passed, { check: 'test', status, summary: '1 failing' }],
      findings: [],
    });
    expect(verdict).toEqual({ allowed: false, reasons: [reason] });
  });

  it('refuses critical and high findings, and any secret whatever its severity', () => {
    expect(
      mayAutoApply({ checks: passed, findings: [finding({ severity: 'high', rule: 'no-eval', line: 4 })] })
        .reasons,
    ).toEqual(['1 critical or high finding (src/a.ts:4 no-eval)']);
    expect(
      mayAutoApply({ checks: passed, findings: [finding({ tool: 'npm-audit', severity: 'critical' })] })
        .allowed,
    ).toBe(false);
    expect(
      mayAutoApply({ checks: passed, findings: [finding({ tool: 'secretlint', severity: 'low', line: 3 })] })
        .reasons,
    ).toEqual(['1 secret found (src/a.ts:3 r)']);
  });

  it('refuses when no check ran at all', () => {
    expect(mayAutoApply({ checks: [], findings: [] })).toEqual({
      allowed: false,
      reasons: ['no checks ran'],
    });
  });
});

describe('blockingFindingsOn', () => {
  const at = (
    hunkId: string | undefined,
    tool: string,
    severity: 'critical' | 'high' | 'medium' | 'low',
  ) => ({
    tool,
    severity,
    ...(hunkId === undefined ? {} : { hunkId }),
  });

  it('finds secrets and critical or high findings on the given hunks only', () => {
    const findings = [
      at('0-0', 'eslint-security', 'high'),
      at('0-0', 'eslint-security', 'medium'),
      at('0-1', 'secretlint', 'low'),
      at('1-0', 'tsc', 'critical'),
      at(undefined, 'secretlint', 'critical'),
    ];
    expect(blockingFindingsOn(findings, ['0-0', '0-1'])).toEqual([findings[0], findings[2]]);
    expect(blockingFindingsOn(findings, [])).toEqual([]);
    expect(isBlockingFinding({ tool: 'eslint', severity: 'medium' })).toBe(false);
  });
});
