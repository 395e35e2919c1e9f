import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TaskTimeline } from './task-timeline.tsx';
import type { TimelineEvent } from './timeline-format.ts';

const at = '2026-01-01T10:00:00.000Z';
const utc = (d: Date | string) => new Date(d).toISOString().slice(11, 19);

const events: TimelineEvent[] = [
  { seq: 1, at, type: 'status', status: 'selecting-context' },
  {
    seq: 2,
    at,
    type: 'context',
    files: [
      { path: 'src/a.ts', reason: 'named', tokens: 300 },
      { path: 'src/b.ts', reason: 'import-neighbour', tokens: 40 },
    ],
    totalTokens: 340,
    budgetTokens: 8_000,
  },
  { seq: 3, at, type: 'output', text: 'src/a.ts\n<<<<<<< SEARCH' },
  { seq: 4, at, type: 'output', text: '\n=======' },
  { seq: 5, at, type: 'edit', path: 'src/a.ts', kind: 'modify', status: 'applied', rung: 'exact' },
  {
    seq: 6,
    at,
    type: 'validation',
    validator: 'security',
    path: 'src/a.ts',
    ok: false,
    diagnostics: [{ line: 4, col: 2, severity: 'error', message: 'eval is forbidden', rule: 'no-eval' }],
  },
  {
    seq: 7,
    at,
    type: 'proposal',
    summary: {
      files: [{ path: 'src/a.ts', kind: 'modify', hunks: 1, added: 2, removed: 1 }],
      hunks: 1,
      added: 2,
      removed: 1,
    },
  },
  {
    seq: 8,
    at,
    type: 'conflict',
    path: 'src/a.ts',
    hunkId: '0-0',
    reason: 'region-changed',
    ours: 'x',
    theirs: 'y',
  },
  { seq: 9, at, type: 'applied', by: 'u1', hunkIds: ['0-0'] },
  { seq: 10, at, type: 'error', code: 'LLM_TIMEOUT', message: 'model went quiet', retryable: true },
  {
    seq: 11,
    at,
    type: 'done',
    outcome: 'applied',
    tokensIn: 1_340,
    tokensOut: 210,
    costUsd: 0.0123,
    totalMs: 12_300,
    phaseMs: { streaming: 9_000 },
  },
];

function render() {
  return renderToStaticMarkup(
    <TaskTimeline events={events} userName={(id) => (id === 'u1' ? 'Alice' : id)} formatTime={utc} />,
  );
}

describe('TaskTimeline', () => {
  it('is a labelled ordered list with one item per event and one for the output run', () => {
    const html = render();
    expect(html).toMatch(/^<ol aria-label="Task timeline"/);
    expect(html.match(/<li data-type=/g)).toHaveLength(events.length - 1);
  });

  it('labels each entry in words and gives a machine-readable time', () => {
    const html = render();
    expect(html).toContain(
      '<strong>Status</strong> <time dateTime="2026-01-01T10:00:00.000Z">10:00:00</time>',
    );
    for (const label of [
      'Context',
      'Model output',
      'Edit',
      'Validation',
      'Proposal',
      'Conflict',
      'Applied',
      'Error',
      'Done',
    ]) {
      expect(html).toContain(`<strong>${label}</strong>`);
    }
  });

  it('collapses the streamed model output into a closed details block', () => {
    const html = render();
    expect(html).toContain('<details><summary>31 characters streamed (2 chunks)</summary>');
    expect(html).not.toContain('<details open');
    expect(html).toContain('src/a.ts\n&lt;&lt;&lt;&lt;&lt;&lt;&lt; SEARCH\n=======');
  });

  it('lists context files with reason and tokens, and the total against the budget', () => {
    const html = render();
    expect(html).toContain(
      '<code style="font-family:ui-monospace, monospace;font-size:0.85em">src/b.ts</code> — import-neighbour, 40 tokens',
    );
    expect(html).toContain('2 files, 340 of 8,000 tokens');
  });

  it('shows diagnostics with location, severity and rule, and marks failures', () => {
    const html = render();
    expect(html).toContain('<li data-type="validation" data-failed="true">');
    expect(html).toContain('src/a.ts:4:2</code> error: eval is forbidden (no-eval)');
  });

  it('names who applied, error codes, and the run totals', () => {
    const html = render();
    expect(html).toContain('1 hunk by Alice');
    expect(html).toContain('LLM_TIMEOUT: model went quiet (retryable)');
    expect(html).toContain('<dt>Cost</dt><dd>$0.0123</dd>');
    expect(html).toContain('<dt>Total time</dt><dd>12.3 s</dd>');
    expect(html).toContain('<dd>1,340 in / 210 out</dd>');
    expect(html).toContain('streaming 9.0 s');
  });

  it('renders an empty list for a task with no events yet', () => {
    expect(renderToStaticMarkup(<TaskTimeline events={[]} />)).toBe(
      '<ol aria-label="Task timeline" style="list-style:decimal;padding-left:1.5rem"></ol>',
    );
  });
});
