import type { TaskEvent } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import {
  answerSummary,
  formatClock,
  formatCost,
  formatDuration,
  groupTimeline,
  latestRevision,
  summarizeEvent,
  type TimelineEvent,
} from './timeline-format.ts';

describe('formatCost', () => {
  it.each([
    [null, 'cost unknown'],
    [0, '$0.00'],
    [0.00004, '< $0.0001'],
    [0.0042, '$0.0042'],
    [0.0123, '$0.0123'],
    [0.5, '$0.5000'],
    [1.234, '$1.23'],
    [1234.5, '$1,234.50'],
  ] as const)('%s -> %s', (usd, text) => {
    expect(formatCost(usd)).toBe(text);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [849.6, '850 ms'],
    [1_000, '1.0 s'],
    [12_345, '12.3 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
    [3_600_000, '1 h'],
    [3_720_000, '1 h 2 min'],
  ])('%s ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatClock', () => {
  it('pads local hours, minutes and seconds', () => {
    expect(formatClock(new Date(2026, 0, 2, 3, 4, 5))).toBe('03:04:05');
  });
  it('shows nothing for an unparseable time rather than "NaN"', () => {
    expect(formatClock('not a date')).toBe('');
  });
});

const summary = { files: [{ path: 'a.ts', kind: 'modify' as const, hunks: 2, added: 5, removed: 1 }] };
const names = (id: string) => (id === 'u1' ? 'Alice' : id);

describe('summarizeEvent', () => {
  it.each<[TaskEvent, string]>([
    [{ type: 'status', status: 'streaming' }, 'The model is answering'],
    [{ type: 'status', status: 'selecting-context' }, 'Choosing the files to show the model'],
    [{ type: 'status', status: 'failed', message: 'model gone' }, 'Failed: model gone'],
    [
      {
        type: 'context',
        files: [{ path: 'a.ts', reason: 'named', tokens: 120 }],
        totalTokens: 1_200,
        budgetTokens: 8_000,
      },
      '1 file, 1,200 of 8,000 tokens',
    ],
    [{ type: 'output', text: 'hello' }, '5 characters'],
    [
      { type: 'edit', path: 'a.ts', kind: 'modify', status: 'applied', rung: 'whitespace' },
      'modify a.ts applied, whitespace match',
    ],
    [
      { type: 'edit', path: 'a.ts', kind: 'modify', status: 'failed', message: 'no match' },
      'modify a.ts failed: no match',
    ],
    [
      { type: 'validation', validator: 'syntax', path: 'a.ts', ok: true, diagnostics: [] },
      'syntax passed on a.ts',
    ],
    [
      {
        type: 'validation',
        validator: 'security',
        path: 'a.ts',
        ok: false,
        diagnostics: [
          { line: 1, col: 1, severity: 'error', message: 'eval' },
          { line: 2, col: 1, severity: 'error', message: 'eval' },
          { line: 3, col: 1, severity: 'warning', message: 'x' },
        ],
      },
      'security failed on a.ts (2 errors, 1 warning)',
    ],
    [
      { type: 'test', command: 'pnpm test', ok: false, exitCode: null, output: '', durationMs: 30_000 },
      'pnpm test failed (killed, 30.0 s)',
    ],
    [
      { type: 'test', command: 'pnpm test', ok: true, exitCode: 0, output: 'ok', durationMs: 1_500 },
      'pnpm test passed (exit 0, 1.5 s)',
    ],
    [
      { type: 'check', check: 'typecheck', status: 'failed', durationMs: 2_100, summary: '2 type errors' },
      'typecheck failed (2.1 s): 2 type errors',
    ],
    [{ type: 'check', check: 'lint', status: 'running' }, 'lint running'],
    [
      {
        type: 'finding',
        tool: 'eslint-security',
        rule: 'no-eval',
        severity: 'high',
        path: 'src/a.ts',
        line: 4,
        message: '`eval` can be harmful.',
      },
      'high src/a.ts:4: `eval` can be harmful. (no-eval)',
    ],
    [
      { type: 'proposal', summary: { ...summary, hunks: 2, added: 5, removed: 1 } },
      '2 hunks in 1 file (+5 −1)',
    ],
    [{ type: 'applied', by: 'u1', hunkIds: ['0-0'] }, '1 hunk by Alice'],
    [{ type: 'rejected', by: 'u2', hunkIds: ['0-0', '0-1'] }, '2 hunks by u2'],
    [{ type: 'rolled-back', by: 'u1', restored: 3, conflicts: 1 }, 'by Alice: 3 restored, 1 conflict'],
    [
      { type: 'comment', action: 'created', by: 'u1', commentId: 'c1', path: 'a.ts', excerpt: 'Why?' },
      'Alice commented on a.ts: “Why?”',
    ],
    [
      { type: 'comment', action: 'resolved', by: 'u1', commentId: 'c1', path: 'a.ts' },
      'Alice resolved a thread on a.ts',
    ],
    [{ type: 'verdict', by: 'u1', verdict: 'approve' }, 'Alice approved'],
    [
      { type: 'verdict', by: 'u1', verdict: 'request-changes', note: 'Tests?' },
      'Alice requested changes: “Tests?”',
    ],
    [
      { type: 'conflict', path: 'a.ts', hunkId: '0-1', reason: 'region-changed', ours: 'a', theirs: 'b' },
      'a.ts (hunk 0-1): region changed',
    ],
    [
      { type: 'commit', commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', branch: 'main' },
      'Committed 4b825dc on main',
    ],
    [
      { type: 'commit', error: { code: 'CONFLICT', message: 'Another commit was made.' } },
      'Not committed: CONFLICT: Another commit was made.',
    ],
    [
      { type: 'error', code: 'LLM_TIMEOUT', message: 'no reply', retryable: true },
      'LLM_TIMEOUT: no reply (retryable)',
    ],
    [
      {
        type: 'done',
        outcome: 'applied',
        tokensIn: 12_000,
        tokensOut: 800,
        costUsd: 0.0042,
        totalMs: 65_000,
        phaseMs: {},
      },
      'applied, 12,000 tokens in / 800 out, $0.0042, 1 min 5 s',
    ],
  ])('%j', (event, text) => {
    expect(summarizeEvent(event, names)).toBe(text);
  });
});

describe('groupTimeline', () => {
  const at = '2026-01-01T00:00:00.000Z';
  it('folds consecutive output deltas into one item and keeps other events in order', () => {
    const events: TimelineEvent[] = [
      { seq: 1, at, type: 'status', status: 'streaming' },
      { seq: 2, at, type: 'output', text: 'Hel' },
      { seq: 3, at, type: 'output', text: 'lo' },
      { seq: 4, at, type: 'status', status: 'applying' },
      { seq: 5, at, type: 'output', text: '!' },
    ];
    expect(groupTimeline(events)).toEqual([
      { kind: 'event', event: events[0] },
      { kind: 'output', seq: 2, at, text: 'Hello', count: 2 },
      { kind: 'event', event: events[3] },
      { kind: 'output', seq: 5, at, text: '!', count: 1 },
    ]);
  });
  it('does not mutate the events it is given', () => {
    const events: TimelineEvent[] = [
      { seq: 1, at, type: 'output', text: 'a' },
      { seq: 2, at, type: 'output', text: 'b' },
    ];
    groupTimeline(events);
    expect(events[0]).toEqual({ seq: 1, at, type: 'output', text: 'a' });
  });
});

describe('answerSummary', () => {
  it('joins the streamed output and keeps only the prose around the edits', () => {
    const at = '2026-01-01T10:00:00.000Z';
    const events: TimelineEvent[] = [
      { type: 'output', text: 'I will raise the ', seq: 1, at },
      { type: 'output', text: 'timeout.\n\nsrc/timeout.ts\n```ts\n<<<<<<< SEARCH\n', seq: 2, at },
      {
        type: 'output',
        text: 'const t = 1;\n=======\nconst t = 2;\n>>>>>>> REPLACE\n```\nDone.\n',
        seq: 3,
        at,
      },
      { type: 'status', status: 'proposed', seq: 4, at },
    ];
    expect(answerSummary(events)).toBe('I will raise the timeout.\n\nDone.');
  });
});

describe('a continued task', () => {
  const at = '2026-01-01T10:00:00.000Z';
  const events: TimelineEvent[] = [
    { type: 'output', text: 'Swapped the operands.', seq: 1, at },
    {
      type: 'done',
      outcome: 'proposed',
      tokensIn: 1,
      tokensOut: 1,
      costUsd: null,
      totalMs: 5,
      phaseMs: {},
      seq: 2,
      at,
    },
    {
      type: 'follow-up',
      revision: 2,
      prompt: 'Also shout the name',
      by: 'u1',
      commentIds: ['c1'],
      seq: 3,
      at,
    },
    { type: 'output', text: 'Also shouting the name.', seq: 4, at },
  ];

  it('summarizes the latest revision only and knows its number', () => {
    expect(answerSummary(events)).toBe('Also shouting the name.');
    expect(answerSummary(events.slice(0, 2))).toBe('Swapped the operands.');
    expect(latestRevision(events)).toBe(2);
    expect(latestRevision(events.slice(0, 2))).toBe(1);
  });

  it('says who asked for which revision, and names another task on the same files', () => {
    expect(summarizeEvent(events[2] as TaskEvent, () => 'Ada')).toBe(
      'Ada asked for revision 2: Also shout the name (addressing 1 comment)',
    );
    expect(
      summarizeEvent({
        type: 'overlap',
        taskId: 't2',
        prompt: 'Rename',
        state: 'proposed',
        paths: ['src/a.ts'],
      }),
    ).toMatch(/^Another task \(proposed\) also touches src\/a\.ts: “Rename”\./);
  });
});
