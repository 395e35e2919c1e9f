// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { foldCheckEvents, isSeriousFinding, type CheckResultEvent } from './check-results.ts';
import { CheckResultsView } from './check-results-view.tsx';
import { mount } from './test-dom.tsx';

const finding = {
  tool: 'eslint-security',
  rule: 'security/detect-eval-with-expression',
  severity: 'high' as const,
  path: 'src/a.ts',
  line: 3,
  message: 'eval of an expression',
  hunkId: '0-0',
};

describe('foldCheckEvents', () => {
  it('keeps one entry per check with its live output and findings, in the order checks appeared', () => {
    const events: CheckResultEvent[] = [
      { type: 'check', check: 'install', status: 'skipped', summary: 'no lockfile' },
      { type: 'check', check: 'test', status: 'running' },
      { type: 'output', check: 'test', stream: 'stdout', text: 'ok 1\n' },
      { type: 'output', check: 'test', stream: 'stderr', text: 'not ok 2\n' },
      { type: 'check', check: 'test', status: 'failed', summary: 'exit code 1', output: 'tail only' },
      { type: 'check', check: 'security', status: 'running' },
      { type: 'check', check: 'security', status: 'failed', summary: '1 high' },
      { type: 'finding', ...finding },
      { type: 'done' },
    ];
    expect(foldCheckEvents(events)).toEqual([
      {
        check: 'install',
        status: 'skipped',
        durationMs: undefined,
        summary: 'no lockfile',
        output: '',
        findings: [],
      },
      {
        check: 'test',
        status: 'failed',
        durationMs: undefined,
        summary: 'exit code 1',
        output: 'ok 1\nnot ok 2\n',
        findings: [],
      },
      {
        check: 'security',
        status: 'failed',
        durationMs: undefined,
        summary: '1 high',
        output: '',
        findings: [finding],
      },
    ]);
  });

  it("shows the final event's output tail when nothing streamed (a task's checks), and a re-run starts over", () => {
    const events: CheckResultEvent[] = [
      { type: 'check', check: 'typecheck', status: 'running' },
      { type: 'check', check: 'typecheck', status: 'failed', output: 'TS2322 first round' },
      { type: 'finding', ...finding, tool: 'tsc', rule: 'TS2322', severity: 'high' },
      { type: 'output', text: 'model text, not a check' },
      { type: 'check', check: 'typecheck', status: 'running' },
      { type: 'check', check: 'typecheck', status: 'passed', summary: 'no type errors' },
    ];
    expect(foldCheckEvents(events)).toEqual([
      {
        check: 'typecheck',
        status: 'passed',
        durationMs: undefined,
        summary: 'no type errors',
        output: '',
        findings: [],
      },
    ]);
    expect(foldCheckEvents(events.slice(0, 3))[0]?.output).toBe('TS2322 first round');
  });

  it('calls secrets and critical or high findings serious, medium and low not', () => {
    expect(isSeriousFinding({ tool: 'secretlint', severity: 'low' })).toBe(true);
    expect(isSeriousFinding({ tool: 'eslint-security', severity: 'high' })).toBe(true);
    expect(isSeriousFinding({ tool: 'eslint-security', severity: 'medium' })).toBe(false);
  });
});

describe('CheckResultsView', () => {
  it('names each state in words and opens the output of a failed check', () => {
    const el = mount(
      <CheckResultsView
        checks={foldCheckEvents([
          { type: 'check', check: 'test', status: 'running' },
          { type: 'output', check: 'test', stream: 'stdout', text: 'AssertionError: 2 !== 5' },
          { type: 'check', check: 'test', status: 'failed', summary: 'exit code 1', durationMs: 1500 },
          { type: 'check', check: 'lint', status: 'skipped', summary: 'no ESLint config' },
        ])}
      />,
    );
    const test = el.querySelector('[data-check="test"]');
    expect(test?.textContent).toContain('Tests');
    expect(test?.textContent).toContain('Failed');
    expect(test?.querySelector('[role="status"]')?.getAttribute('aria-label')).toBe('Tests: Failed in 1.5 s');
    expect(test?.querySelector('details')?.open).toBe(true);
    expect(test?.querySelector('pre')?.textContent).toBe('AssertionError: 2 !== 5');
    expect(el.querySelector('[data-check="lint"]')?.textContent).toContain('Skipped');
    expect(el.querySelector('[data-check="lint"] details')).toBeNull();
  });
});
