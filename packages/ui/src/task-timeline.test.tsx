// @vitest-environment happy-dom
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TaskAnswer, TaskTimeline } from './task-timeline.tsx';
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

/** The rendered timeline as a DOM, so the checks read structure and text rather than markup details. */
function dom(): HTMLOListElement {
  const host = document.createElement('div');
  host.innerHTML = render();
  const list = host.querySelector('ol');
  if (!list) throw new Error('no list');
  return list;
}

const entries = (list: HTMLElement) => [...list.querySelectorAll<HTMLLIElement>(':scope > li')];
const entry = (list: HTMLElement, type: string) => {
  const found = entries(list).find((li) => li.dataset.type === type);
  if (!found) throw new Error(`no ${type} entry`);
  return found;
};

describe('TaskTimeline', () => {
  it('is a labelled ordered list with one item per event and one for the output run', () => {
    const list = dom();
    expect(list.getAttribute('aria-label')).toBe('Task timeline');
    expect(entries(list)).toHaveLength(events.length - 1);
  });

  it('labels each entry in words and gives a machine-readable time', () => {
    const list = dom();
    const status = entry(list, 'status');
    expect(status.querySelector('strong')?.textContent).toBe('Status');
    expect(status.querySelector('time')?.getAttribute('datetime')).toBe('2026-01-01T10:00:00.000Z');
    expect(status.querySelector('time')?.textContent).toBe('10:00:00');
    expect(entries(list).map((li) => li.querySelector('strong')?.textContent)).toEqual([
      'Status',
      'Context',
      'Model output',
      'Edit',
      'Validation',
      'Proposal',
      'Conflict',
      'Applied',
      'Error',
      'Done',
    ]);
  });

  it('collapses the streamed model output into a closed details block', () => {
    const output = entry(dom(), 'output');
    const details = output.querySelector('details');
    expect(details?.open).toBe(false);
    expect(details?.querySelector('summary')?.textContent).toBe('31 characters streamed (2 chunks)');
    expect(details?.querySelector('pre')?.textContent).toBe('src/a.ts\n<<<<<<< SEARCH\n=======');
  });

  it('lists context files with reason and tokens, and the total against the budget', () => {
    const context = entry(dom(), 'context');
    expect(context.textContent).toContain('2 files, 340 of 8,000 tokens');
    const files = [...context.querySelectorAll('ul > li')].map((li) => li.textContent);
    expect(files).toEqual(['src/a.ts — named, 300 tokens', 'src/b.ts — import-neighbour, 40 tokens']);
  });

  it('shows diagnostics with location, severity and rule, and marks failures', () => {
    const list = dom();
    const validation = entry(list, 'validation');
    expect(validation.dataset.failed).toBe('true');
    expect(validation.querySelector('ul > li')?.textContent).toBe(
      'src/a.ts:4:2 error: eval is forbidden (no-eval)',
    );
    expect(entry(list, 'edit').dataset.failed).toBeUndefined();
  });

  it('names who applied, error codes, and the run totals', () => {
    const list = dom();
    expect(entry(list, 'applied').textContent).toContain('1 hunk by Alice');
    expect(entry(list, 'error').textContent).toContain('LLM_TIMEOUT: model went quiet (retryable)');
    const done = entry(list, 'done').textContent;
    expect(done).toContain('applied, 1,340 tokens in / 210 out, $0.0123, 12.3 s');
    expect(done).toContain('streaming 9.0 s');
  });

  it('renders an empty list for a task with no events yet', () => {
    const host = document.createElement('div');
    host.innerHTML = renderToStaticMarkup(<TaskTimeline events={[]} />);
    expect(host.querySelector('ol')?.getAttribute('aria-label')).toBe('Task timeline');
    expect(host.querySelectorAll('li')).toHaveLength(0);
  });
});

describe('TaskAnswer', () => {
  const at = '2026-01-01T10:00:00.000Z';
  it("shows the model's explanation, without its edit blocks, as the task's summary", () => {
    const html = renderToStaticMarkup(
      <TaskAnswer
        events={[
          { type: 'output', text: 'Rounded to cents.\n\nsrc/p.ts\n```ts\nexport {};\n```\n', seq: 1, at },
        ]}
      />,
    );
    expect(html).toContain('<section aria-label="Summary"');
    expect(html).toContain('Rounded to cents.</p>');
    expect(html).not.toContain('export {}');
  });

  it('shows nothing when the model said nothing besides its edits', () => {
    expect(renderToStaticMarkup(<TaskAnswer events={[]} />)).toBe('');
  });
});
