import { describe, expect, it } from 'vitest';
import { computeChangeset } from '../changeset/compute-changeset.ts';
import { summarizeChangeset } from '../changeset/changeset-summary.ts';
import { eventLimits, taskEventSchema, taskEventTypes, type TaskEvent } from './task-event.ts';

const examples: TaskEvent[] = [
  { type: 'status', status: 'streaming' },
  { type: 'status', status: 'failed', message: 'model unreachable' },
  {
    type: 'context',
    files: [
      { path: 'src/a.ts', reason: 'named', tokens: 120 },
      { path: 'src/b.ts', reason: 'import-neighbour', tokens: 80 },
    ],
    totalTokens: 200,
    budgetTokens: 8000,
  },
  { type: 'output', text: 'src/a.ts\n```ts\n<<<<<<< SEARCH' },
  {
    type: 'edit',
    path: 'src/a.ts',
    kind: 'modify',
    format: 'search-replace',
    status: 'applied',
    rung: 'whitespace',
  },
  { type: 'edit', path: 'src/a.ts', kind: 'modify', status: 'failed', message: 'SEARCH block matched twice' },
  {
    type: 'validation',
    validator: 'syntax',
    path: 'src/a.ts',
    ok: false,
    diagnostics: [{ line: 3, col: 7, severity: 'error', message: "';' expected" }],
  },
  { type: 'test', command: 'npm test', ok: true, exitCode: 0, output: '1 passed', durationMs: 1532 },
  {
    type: 'test',
    command: 'pytest',
    ok: false,
    exitCode: null,
    output: 'killed: time limit',
    durationMs: 30000,
  },
  { type: 'check', check: 'typecheck', status: 'running' },
  {
    type: 'check',
    check: 'test',
    status: 'failed',
    durationMs: 2_310,
    summary: 'exit code 1',
    output: 'not ok 1 - adds\n# fail 1\n',
  },
  { type: 'check', check: 'install', status: 'skipped', summary: 'no lockfile' },
  {
    type: 'finding',
    tool: 'secretlint',
    rule: '@secretlint/secretlint-rule-aws',
    severity: 'critical',
    path: 'src/config.ts',
    line: 3,
    message: 'found AWS Secret Access Key: ****',
    hunkId: '0-0',
  },
  {
    type: 'proposal',
    summary: summarizeChangeset(
      computeChangeset(new Map([['a', 'x\n']]), new Map([['a', 'y\n']]), [], { taskId: 't' }),
    ),
  },
  { type: 'applied', by: 'user-1', hunkIds: ['0-0', '0-2'] },
  { type: 'conflict', path: 'src/a.ts', hunkId: '0-1', reason: 'region-changed', ours: 'a\n', theirs: 'b\n' },
  { type: 'rejected', by: 'u1', hunkIds: ['0-2'] },
  { type: 'follow-up', revision: 2, prompt: 'Also handle the timeout case', by: 'u1', commentIds: ['c1'] },
  { type: 'overlap', taskId: 't2', prompt: 'Rename the client', state: 'proposed', paths: ['src/a.ts'] },
  { type: 'rolled-back', by: 'u1', restored: 2, conflicts: 0 },
  {
    type: 'comment',
    action: 'created',
    by: 'u2',
    commentId: 'c1',
    path: 'src/a.ts',
    hunkId: 'h1',
    excerpt: 'Why?',
  },
  { type: 'verdict', by: 'u2', verdict: 'approve', note: 'Looks right' },
  { type: 'commit', commit: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', branch: 'main' },
  { type: 'error', code: 'LLM_RATE_LIMITED', message: 'slow down', retryable: true },
  {
    type: 'done',
    outcome: 'proposed',
    tokensIn: 1200,
    tokensOut: 340,
    costUsd: 0.0042,
    totalMs: 9100,
    phaseMs: { 'selecting-context': 40, streaming: 8000, validating: 1060 },
  },
];

describe('taskEventSchema', () => {
  it('accepts one well-formed event of every type and returns it unchanged', () => {
    expect(new Set(examples.map((e) => e.type))).toEqual(new Set(taskEventTypes));
    for (const event of examples) expect(taskEventSchema.parse(event)).toEqual(event);
  });

  it('survives a JSON round trip, as it does through the event log', () => {
    const parsed = examples.map((e) => taskEventSchema.parse(JSON.parse(JSON.stringify(e))));
    expect(parsed).toEqual(examples);
  });

  it('rejects unknown types, unknown error codes and wrong enums', () => {
    const bad: unknown[] = [
      { type: 'telemetry', x: 1 },
      { type: 'error', code: 'TEAPOT', message: 'no', retryable: false },
      { type: 'status', status: 'thinking' },
      {
        type: 'context',
        files: [{ path: 'a', reason: 'vibes', tokens: 1 }],
        totalTokens: 1,
        budgetTokens: 2,
      },
      {
        type: 'done',
        outcome: 'proposed',
        tokensIn: -1,
        tokensOut: 0,
        costUsd: null,
        totalMs: 0,
        phaseMs: {},
      },
      {
        type: 'done',
        outcome: 'proposed',
        tokensIn: 0,
        tokensOut: 0,
        costUsd: null,
        totalMs: 0,
        phaseMs: { nap: 3 },
      },
      {
        type: 'validation',
        validator: 'x',
        path: 'a',
        ok: true,
        diagnostics: [{ line: 0, col: 1, severity: 'error', message: '' }],
      },
    ];
    for (const event of bad) expect(taskEventSchema.safeParse(event).success).toBe(false);
  });

  it('bounds every size so an oversized event is refused', () => {
    const long = (n: number) => 'x'.repeat(n + 1);
    const bad: unknown[] = [
      { type: 'output', text: long(eventLimits.outputText) },
      { type: 'output', text: '' },
      { type: 'status', status: 'failed', message: long(eventLimits.message) },
      { type: 'test', command: 'x', ok: true, exitCode: 0, output: long(eventLimits.excerpt), durationMs: 1 },
      { type: 'edit', path: long(eventLimits.path), kind: 'create', status: 'applied' },
      { type: 'check', check: 'test', status: 'failed', output: long(eventLimits.excerpt) },
      { type: 'check', check: 'audit', status: 'failed' },
      { type: 'check', check: 'lint', status: 'warned' },
      { type: 'finding', tool: 't', rule: 'r', severity: 'error', path: 'a', line: 1, message: 'm' },
      { type: 'finding', tool: 't', rule: 'r', severity: 'low', path: 'a', line: 0, message: 'm' },
      { type: 'applied', by: 'u', hunkIds: Array.from({ length: eventLimits.hunkIds + 1 }, () => '0-0') },
      {
        type: 'validation',
        validator: 'v',
        path: 'a',
        ok: false,
        diagnostics: Array.from({ length: eventLimits.diagnostics + 1 }, () => ({
          line: 1,
          col: 1,
          severity: 'info',
          message: '',
        })),
      },
    ];
    for (const event of bad) expect(taskEventSchema.safeParse(event).success).toBe(false);
  });

  it('still reads a log written before checks existed (test and validation events)', () => {
    // A task log as the server stored it before the `check` and `finding` events: one JSON value per row.
    const oldLog = [
      '{"type":"status","status":"validating"}',
      '{"type":"validation","validator":"syntax","path":"src/a.ts","ok":false,"diagnostics":[{"line":2,"col":5,"severity":"error","message":"\';\' expected","rule":"TS1005"}]}',
      '{"type":"test","command":"npm test","ok":false,"exitCode":1,"output":"1 failing","durationMs":820}',
      '{"type":"done","outcome":"proposed","tokensIn":10,"tokensOut":5,"costUsd":null,"totalMs":900,"phaseMs":{"validating":820}}',
    ];
    const events = oldLog.map((row) => taskEventSchema.parse(JSON.parse(row)));
    expect(events.map((e) => e.type)).toEqual(['status', 'validation', 'test', 'done']);
  });
});
