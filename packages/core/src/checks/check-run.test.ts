import { describe, expect, it } from 'vitest';
import { FakeSandbox } from '../sandbox/fake.ts';
import {
  CheckOutputBudget,
  checkRunEnding,
  checkRunEventSchema,
  checkRunLimits,
  planWorkspaceChecks,
} from './check-run.ts';
import { runChecks, type CheckResult } from './run-checks.ts';
import { fakeToolsSandbox, toolchain } from './test/fake-tools.ts';

const result = (check: CheckResult['check'], status: CheckResult['status'], summary = ''): CheckResult => ({
  check,
  status,
  durationMs: 1,
  summary,
  output: undefined,
  findings: [],
});

describe('planWorkspaceChecks', () => {
  it('scans every file of the workspace, since a person asked for the whole of it', () => {
    const files = new Map([
      ['package.json', JSON.stringify({ scripts: { test: 'node --test' } })],
      ['src/a.ts', 'export const a = 1;\n'],
      ['README.md', '# hi\n'],
    ]);
    const security = planWorkspaceChecks(files).entries.find((e) => e.check === 'security');
    expect(security).toMatchObject({ status: 'planned', paths: ['README.md', 'package.json', 'src/a.ts'] });
    expect(planWorkspaceChecks(files).entries.find((e) => e.check === 'test')).toMatchObject({
      status: 'planned',
      command: 'node --test',
    });
  });
});

describe('checkRunEnding', () => {
  it('passes when every check that ran passed', () => {
    const ending = checkRunEnding(
      { results: [result('install', 'skipped'), result('test', 'passed')], unavailable: undefined },
      12,
    );
    expect(ending).toEqual({ type: 'done', status: 'passed', message: '1 passed', durationMs: 12 });
  });

  it('fails naming the checks that failed, timed out or could not run', () => {
    const ending = checkRunEnding(
      {
        results: [
          result('typecheck', 'passed'),
          result('test', 'failed', 'exit code 1'),
          result('lint', 'timeout', 'stopped'),
        ],
        unavailable: undefined,
      },
      5,
    );
    expect(ending.status).toBe('failed');
    expect(ending.message).toBe('test failed: exit code 1; lint timeout: stopped');
    expect(checkRunEventSchema.parse(ending)).toEqual(ending);
  });

  it('ends in error with SANDBOX_UNAVAILABLE and the reason when the sandbox refused everything', async () => {
    const files = new Map([['package.json', JSON.stringify({ scripts: { test: 'node --test' } })]]);
    const outcome = await runChecks({
      sandbox: new FakeSandbox(() => ({}), { unavailable: 'bwrap is not installed' }),
      files,
      plan: planWorkspaceChecks(files),
      signal: new AbortController().signal,
      onEvent: () => undefined,
    });
    const ending = checkRunEnding(outcome, 0);
    expect(ending).toMatchObject({ status: 'error', code: 'SANDBOX_UNAVAILABLE' });
    expect(ending.message).toContain('bwrap is not installed');
  });
});

describe('live output', () => {
  it('reaches onOutput per check as the sandbox prints it', async () => {
    const files = new Map([
      ['package.json', JSON.stringify({ type: 'module', scripts: { test: 'node --test' } })],
      ['src/a.ts', 'export const a = 1;\n'],
    ]);
    const printed: string[] = [];
    await runChecks({
      sandbox: fakeToolsSandbox(),
      files,
      plan: planWorkspaceChecks(files),
      signal: new AbortController().signal,
      onEvent: () => undefined,
      onOutput: (check, chunk, stream) => printed.push(`${check}/${stream}: ${chunk.trim().slice(0, 20)}`),
      toolchain,
    });
    expect(printed.some((line) => line.startsWith('test/'))).toBe(true);
  });

  it('keeps a bounded amount per check in event-sized chunks and says how much it cut', () => {
    const budget = new CheckOutputBudget();
    const big = 'x'.repeat(checkRunLimits.outputPerCheck + 100);
    const events = budget.take('test', big, 'stdout');
    expect(events.every((e) => e.text.length <= checkRunLimits.outputChunk)).toBe(true);
    expect(events.reduce((n, e) => n + e.text.length, 0)).toBe(checkRunLimits.outputPerCheck);
    expect(budget.take('test', 'more', 'stdout')).toEqual([]);
    expect(budget.take('lint', 'own budget', 'stderr')).toHaveLength(1);
    const [note] = budget.finish('test');
    expect(note?.text).toContain('104 more characters');
    expect(budget.finish('test')).toEqual([]);
    for (const e of events) expect(checkRunEventSchema.safeParse(e).success).toBe(true);
  });
});
