// The whole pipeline against a real loopback provider (the replay server) through the production LLM client:
// nothing between runTask and the socket is stubbed.
import { describe, expect, it, type TestContext } from 'vitest';
import { taskEventSchema, type TaskEvent, type TaskEventOf, type TaskEventType } from '../events/index.ts';
import { createLlmClient, costOf, type LlmProviderKind, type PriceTable } from '../llm/index.ts';
import { messagesOf, replay, startReplayServer, type ReplayServer } from '../llm/testing/index.ts';
import { syntaxValidator } from '../validate/index.ts';
import { runTask } from './run-task.ts';
import type { RunTaskDeps, RunTaskInput } from './types.ts';

const FENCE = '```';

const MATH = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
const GREET = "export function greet(name: string): string {\n  return 'Hello ' + name;\n}\n";
const CONFIG = 'export const a = {\n  enabled: false,\n};\nexport const b = {\n  enabled: false,\n};\n';
const SERVER = 'export function start(port: number): void {\n  if (port > 0) {\n    listen(port);\n  }\n}\n';

function workspace(): Map<string, string> {
  return new Map([
    ['src/math.ts', MATH],
    ['src/greet.ts', GREET],
    ['src/config.ts', CONFIG],
    ['src/server.ts', SERVER],
    ['src/index.ts', "export * from './math.ts';\nexport * from './greet.ts';\n"],
    ['README.md', '# Demo\n\nA tiny library.\n'],
  ]);
}

function block(path: string, search: string, replace: string): string {
  return `${path}\n${FENCE}ts\n<<<<<<< SEARCH\n${search}=======\n${replace}>>>>>>> REPLACE\n${FENCE}\n`;
}

const SUBTRACT = '\nexport function subtract(a: number, b: number): number {\n  return a - b;\n}\n';
const GREET_NEW = '  return `Hello, ${name}!`;\n';
const UTIL =
  'export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));\n';

const HAPPY_ANSWER = [
  "I'll add `subtract`, make the greeting friendlier and add a small util module.\n",
  block('src/math.ts', MATH, MATH + SUBTRACT),
  block('src/greet.ts', "  return 'Hello ' + name;\n", GREET_NEW),
  block('src/util.ts', '', UTIL),
].join('\n');

interface Harness {
  server: ReplayServer;
  events: TaskEvent[];
  controller: AbortController;
  deps: RunTaskDeps;
  input: RunTaskInput;
}

async function harness(
  context: TestContext,
  options: { provider?: LlmProviderKind; model?: string; onEvent?: (event: TaskEvent) => void } = {},
): Promise<Harness> {
  const server = await startReplayServer();
  context.onTestFinished(() => server.close());
  const model = options.model ?? 'gpt-4o-mini';
  const llm = createLlmClient({
    provider: options.provider ?? 'openai-compatible',
    baseUrl: `${server.url}/v1`,
    apiKey: 'test-key',
    model,
    timeoutMs: 5_000,
    maxRetries: 0,
  });
  const events: TaskEvent[] = [];
  const controller = new AbortController();
  return {
    server,
    events,
    controller,
    deps: {
      llm,
      model,
      emit: (event) => {
        events.push(event);
        options.onEvent?.(event);
      },
      validators: [syntaxValidator],
      signal: controller.signal,
      outputFlushMs: 5,
    },
    input: {
      taskId: 'task-1',
      prompt: 'Add subtract to src/math.ts and tidy src/greet.ts.',
      files: workspace(),
    },
  };
}

function expectValidEvents(events: readonly TaskEvent[]): void {
  for (const event of events) expect(taskEventSchema.safeParse(event).error).toBeUndefined();
  expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
  expect(events.at(-1)?.type).toBe('done');
}

function ofType<T extends TaskEventType>(events: readonly TaskEvent[], type: T): TaskEventOf<T>[] {
  return events.filter((e): e is TaskEventOf<T> => e.type === type);
}

function statuses(events: readonly TaskEvent[]): string[] {
  return ofType(events, 'status').map((e) => e.status);
}

describe('runTask: happy path', () => {
  it.for([
    ['openai-compatible', 'gpt-4o-mini'],
    ['anthropic', 'claude-haiku-4-5'],
  ] as const)('streams, applies, validates and proposes over %s', async ([provider, model], context) => {
    const h = await harness(context, { provider, model });
    h.server.enqueue([
      replay.text(HAPPY_ANSWER, { chunks: 40 }),
      replay.finish({ usage: { inputTokens: 1_234, outputTokens: 321 } }),
    ]);

    const result = await runTask(h.input, h.deps);

    expectValidEvents(h.events);
    expect(result.outcome).toBe('proposed');
    const types = h.events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['status', 'context']);
    const first = (type: TaskEventType): number => types.indexOf(type);
    expect(first('context')).toBeLessThan(first('output'));
    expect(first('output')).toBeLessThan(first('edit'));
    expect(first('edit')).toBeLessThan(first('validation'));
    expect(first('validation')).toBeLessThan(first('proposal'));
    expect(first('proposal')).toBeLessThan(types.length - 1);
    expect(statuses(h.events)).toEqual([
      'selecting-context',
      'prompting',
      'streaming',
      'validating',
      'proposed',
    ]);

    // Each edit event comes after the output that carried its block, and all output adds up to the answer.
    types.forEach((type, index) => {
      if (type !== 'edit') return;
      const before = ofType(h.events.slice(0, index), 'output')
        .map((e) => e.text)
        .join('');
      const editsSoFar = ofType(h.events.slice(0, index + 1), 'edit').length;
      expect(before.split('>>>>>>> REPLACE').length - 1).toBeGreaterThanOrEqual(editsSoFar);
    });
    expect(
      ofType(h.events, 'output')
        .map((e) => e.text)
        .join(''),
    ).toBe(HAPPY_ANSWER);

    expect(ofType(h.events, 'context')[0]?.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['src/math.ts', 'src/greet.ts']),
    );
    expect(ofType(h.events, 'edit')).toEqual([
      {
        type: 'edit',
        path: 'src/math.ts',
        kind: 'modify',
        format: 'search-replace',
        status: 'applied',
        rung: 'exact',
      },
      {
        type: 'edit',
        path: 'src/greet.ts',
        kind: 'modify',
        format: 'search-replace',
        status: 'applied',
        rung: 'exact',
      },
      { type: 'edit', path: 'src/util.ts', kind: 'create', format: 'search-replace', status: 'applied' },
    ]);
    expect(ofType(h.events, 'validation').map((e) => [e.path, e.ok])).toEqual([
      ['src/greet.ts', true],
      ['src/math.ts', true],
      ['src/util.ts', true],
    ]);

    expect(result.changeset?.files).toEqual([
      {
        path: 'src/greet.ts',
        kind: 'modify',
        baseHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        hunks: [
          expect.objectContaining({
            id: '0-0',
            oldStart: 2,
            oldLines: 1,
            newStart: 2,
            newLines: 1,
            oldText: "  return 'Hello ' + name;\n",
            newText: GREET_NEW,
            status: 'pending',
          }),
        ],
      },
      {
        path: 'src/math.ts',
        kind: 'modify',
        baseHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
        hunks: [
          expect.objectContaining({
            id: '1-0',
            oldStart: 4,
            oldLines: 0,
            newStart: 4,
            newLines: 4,
            oldText: '',
            newText: SUBTRACT,
          }),
        ],
      },
      {
        path: 'src/util.ts',
        kind: 'create',
        baseHash: null,
        hunks: [expect.objectContaining({ id: '2-0', oldLines: 0, newLines: 1, newText: UTIL })],
      },
    ]);
    expect(ofType(h.events, 'proposal')[0]?.summary).toEqual({
      files: [
        { path: 'src/greet.ts', kind: 'modify', hunks: 1, added: 1, removed: 1 },
        { path: 'src/math.ts', kind: 'modify', hunks: 1, added: 4, removed: 0 },
        { path: 'src/util.ts', kind: 'create', hunks: 1, added: 1, removed: 0 },
      ],
      hunks: 3,
      added: 6,
      removed: 1,
    });
    expect(result.files.get('src/math.ts')).toBe(MATH + SUBTRACT);
    expect(result.files.get('src/util.ts')).toBe(UTIL);

    // The prompt carried the named files fenced under their paths, and the request last.
    const user = messagesOf(h.server.requests[0]).find((m) => m.role === 'user');
    expect(user?.text).toContain(`src/math.ts\n${FENCE}ts\n${MATH}${FENCE}`);
    expect(user?.text.trimEnd().endsWith(h.input.prompt)).toBe(true);

    // Accounting is what the provider reported, priced from the table.
    const done = ofType(h.events, 'done')[0];
    expect(result.usage).toEqual({ inputTokens: 1_234, outputTokens: 321, estimated: false });
    expect(done).toMatchObject({ outcome: 'proposed', tokensIn: 1_234, tokensOut: 321 });
    const expected = costOf(model, { inputTokens: 1_234, outputTokens: 321 });
    expect(expected).toBeGreaterThan(0);
    expect(done?.costUsd).toBeCloseTo(expected, 12);
    expect(result.costUsd).toBeCloseTo(expected, 12);
    expect(Object.keys(done?.phaseMs ?? {}).sort()).toEqual(
      ['applying', 'prompting', 'selecting-context', 'streaming', 'validating'].sort(),
    );
    const phaseSum = Object.values(done?.phaseMs ?? {}).reduce((a, b) => a + b, 0);
    expect(phaseSum).toBeLessThanOrEqual((done?.totalMs ?? 0) + 0.001);
  });

  it('ends with no-changes when the model answers without edits', async (context) => {
    const h = await harness(context);
    h.server.enqueue([replay.text('The code already does that; nothing to change.')]);
    const result = await runTask(h.input, h.deps);
    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'no-changes', changeset: null, calls: 1 });
    expect(statuses(h.events).at(-1)).toBe('done');
  });
});

describe('runTask: applying', () => {
  it('applies sloppy output through the whitespace and indentation rungs', async (context) => {
    const h = await harness(context);
    const answer = [
      // Trailing spaces and a blank edge line the file does not have.
      block(
        'src/greet.ts',
        '\nexport function greet(name: string): string {   \n',
        "export function greet(name: string = 'you'): string {\n",
      ),
      // The model lost the block's indentation.
      block(
        'src/server.ts',
        'if (port > 0) {\n  listen(port);\n}\n',
        'if (port > 0 && port < 65_536) {\n  listen(port);\n}\n',
      ),
    ].join('\n');
    h.server.enqueue([replay.text(answer, { chunks: 25 })]);

    const result = await runTask(h.input, h.deps);

    expectValidEvents(h.events);
    expect(ofType(h.events, 'edit').map((e) => [e.path, e.status, e.rung])).toEqual([
      ['src/greet.ts', 'applied', 'whitespace'],
      ['src/server.ts', 'applied', 'indentation'],
    ]);
    expect(result.files.get('src/greet.ts')).toBe(GREET.replace('name: string)', "name: string = 'you')"));
    expect(result.files.get('src/server.ts')).toBe(SERVER.replace('port > 0', 'port > 0 && port < 65_536'));
    expect(result.outcome).toBe('proposed');
  });

  it('refuses an edit outside the workspace and keeps the rest', async (context) => {
    const h = await harness(context);
    h.server.enqueue([
      replay.text(
        block('../escape.ts', '', 'export const pwned = true;\n') +
          '\n' +
          block('src/greet.ts', "  return 'Hello ' + name;\n", GREET_NEW),
      ),
    ]);
    const result = await runTask(h.input, { ...h.deps, limits: { maxReflections: 0 } });
    expectValidEvents(h.events);
    expect(ofType(h.events, 'edit').map((e) => [e.path, e.status])).toEqual([
      ['../escape.ts', 'failed'],
      ['src/greet.ts', 'applied'],
    ]);
    expect(ofType(h.events, 'edit')[0]?.message).toMatch(/^INVALID_PATH: /);
    expect([...result.files.keys()].some((p) => p.includes('..') || p.includes('escape'))).toBe(false);
    expect(result.changeset?.files.map((f) => f.path)).toEqual(['src/greet.ts']);
    expect(result.failedEdits).toMatchObject([{ code: 'INVALID_PATH' }]);
  });
});

describe('runTask: reflection', () => {
  it('feeds an ambiguous match back and succeeds on the second try', async (context) => {
    const h = await harness(context);
    const first = block('src/config.ts', '  enabled: false,\n', '  enabled: true,\n');
    const second = block(
      'src/config.ts',
      'export const b = {\n  enabled: false,\n',
      'export const b = {\n  enabled: true,\n',
    );
    h.server.enqueue([
      replay.text(first, { chunks: 5 }),
      replay.finish({ usage: { inputTokens: 1_000, outputTokens: 100 } }),
    ]);
    h.server.enqueue([
      replay.text(second, { chunks: 5 }),
      replay.finish({ usage: { inputTokens: 1_500, outputTokens: 50 } }),
    ]);

    const result = await runTask(h.input, h.deps);

    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'proposed', calls: 2, failedEdits: [], firstRoundPassed: false });
    expect(ofType(h.events, 'edit').map((e) => e.status)).toEqual(['failed', 'applied']);
    expect(statuses(h.events)).toEqual([
      'selecting-context',
      'prompting',
      'streaming',
      'reflecting',
      'streaming',
      'validating',
      'proposed',
    ]);
    const messages = messagesOf(h.server.requests[1]);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    const feedback = messages.at(-1)?.text ?? '';
    expect(feedback).toContain('EDIT_AMBIGUOUS');
    expect(feedback).toContain('matches 2 places in src/config.ts (lines 2, 5)');
    expect(messages.at(-2)?.text).toBe(first);
    expect(result.files.get('src/config.ts')).toBe(
      CONFIG.replace(/enabled: false,\n\};\n$/, 'enabled: true,\n};\n'),
    );

    // Accounting sums both calls.
    expect(result.usage).toEqual({ inputTokens: 2_500, outputTokens: 150, estimated: false });
    const done = ofType(h.events, 'done')[0];
    expect(done).toMatchObject({ tokensIn: 2_500, tokensOut: 150 });
    expect(done?.costUsd).toBeCloseTo(costOf('gpt-4o-mini', { inputTokens: 2_500, outputTokens: 150 }), 12);
    expect(Object.keys(done?.phaseMs ?? {})).toContain('reflecting');
  });

  it('reflects on a syntax error in an edit and validates the fix', async (context) => {
    const h = await harness(context);
    h.server.enqueue([replay.text(block('src/math.ts', '  return a + b;\n', '  return (a + b;\n'))]);
    h.server.enqueue([replay.text(block('src/math.ts', '  return (a + b;\n', '  return (a + b);\n'))]);

    const result = await runTask(h.input, h.deps);

    expectValidEvents(h.events);
    const validations = ofType(h.events, 'validation');
    expect(validations.map((e) => [e.path, e.ok])).toEqual([
      ['src/math.ts', false],
      ['src/math.ts', true],
    ]);
    expect(validations[0]?.diagnostics[0]).toMatchObject({ line: 2, severity: 'error' });
    const feedback = messagesOf(h.server.requests[1]).at(-1)?.text ?? '';
    expect(feedback).toContain('# 1 file has errors after your edits');
    expect(feedback).toContain('## src/math.ts');
    expect(feedback).toContain('  return (a + b;\n');
    expect(result).toMatchObject({ outcome: 'proposed', calls: 2, failedValidations: [] });
    expect(result.files.get('src/math.ts')).toBe(MATH.replace('a + b;', '(a + b);'));
  });

  it('proposes what applied when reflections run out, reporting the edits that still fail', async (context) => {
    const h = await harness(context);
    const good = block('src/greet.ts', "  return 'Hello ' + name;\n", GREET_NEW);
    h.server.enqueue([
      replay.text(`${good}\n${block('src/math.ts', '  return a * b;\n', '  return a - b;\n')}`),
    ]);
    h.server.enqueue([replay.text(block('src/math.ts', '  return a / b;\n', '  return a - b;\n'))]);

    const result = await runTask(h.input, { ...h.deps, limits: { maxReflections: 1 } });

    expectValidEvents(h.events);
    expect(h.server.requests).toHaveLength(2);
    expect(ofType(h.events, 'edit').map((e) => [e.path, e.status])).toEqual([
      ['src/greet.ts', 'applied'],
      ['src/math.ts', 'failed'],
      ['src/math.ts', 'failed'],
    ]);
    expect(messagesOf(h.server.requests[1]).at(-1)?.text).toContain('do not send it again');
    expect(result.outcome).toBe('proposed');
    expect(result.changeset?.files.map((f) => f.path)).toEqual(['src/greet.ts']);
    expect(result.failedEdits).toMatchObject([{ path: 'src/math.ts', code: 'EDIT_NO_MATCH' }]);
    // The proposal itself says it is partial, with the edit that failed and why, for its review.
    expect(result.changeset?.unapplied).toEqual([
      {
        path: 'src/math.ts',
        code: 'EDIT_NO_MATCH',
        message: 'The SEARCH text does not match any lines in src/math.ts.',
      },
    ]);
    expect(ofType(h.events, 'status').at(-1)).toEqual({
      type: 'status',
      status: 'proposed',
      message: 'Proposed with unresolved problems after 1 reflection round: 1 edit could not be applied.',
    });
  });

  it('fails when no edit ever applies', async (context) => {
    const h = await harness(context);
    h.server.enqueue([replay.text(block('src/math.ts', '  return a * b;\n', '  return a - b;\n'))]);
    const result = await runTask(h.input, { ...h.deps, limits: { maxReflections: 0 } });
    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'failed', changeset: null, error: { code: 'EDIT_NO_MATCH' } });
    expect(ofType(h.events, 'error')).toEqual([
      {
        type: 'error',
        code: 'EDIT_NO_MATCH',
        message: "None of the model's edits could be applied.",
        retryable: false,
      },
    ]);
  });

  it('drops an edit cut off by the output limit and asks for it again', async (context) => {
    const h = await harness(context);
    const good = block('src/greet.ts', "  return 'Hello ' + name;\n", GREET_NEW);
    const cut = `src/math.ts\n${FENCE}ts\n<<<<<<< SEARCH\n  return a + b;\n=======\n  return a +`;
    h.server.enqueue([
      replay.text(`${good}\n${cut}`, { chunks: 6 }),
      replay.finish({ finishReason: 'length' }),
    ]);
    h.server.enqueue([replay.text(block('src/math.ts', '  return a + b;\n', '  return a + b + 0;\n'))]);

    const result = await runTask(h.input, h.deps);

    expectValidEvents(h.events);
    expect(ofType(h.events, 'edit').map((e) => [e.path, e.status])).toEqual([
      ['src/greet.ts', 'applied'],
      ['src/math.ts', 'applied'],
    ]);
    const feedback = messagesOf(h.server.requests[1]).at(-1)?.text ?? '';
    expect(feedback).toContain('reached the output limit while writing the edit for src/math.ts');
    expect(result.files.get('src/math.ts')).toBe(MATH.replace('a + b;', 'a + b + 0;'));
    expect(result.changeset?.files.map((f) => f.path)).toEqual(['src/greet.ts', 'src/math.ts']);
  });
});

describe('runTask: stopping', () => {
  it('cancels mid-stream: aborts the HTTP request and ends cancelled', async (context) => {
    const h: Harness = await harness(context, {
      onEvent: (event) => {
        if (event.type === 'output') h.controller.abort();
      },
    });
    h.server.enqueue([replay.text(HAPPY_ANSWER, { chunks: 200, intervalMs: 10 })]);

    const result = await runTask(h.input, h.deps);

    const request = h.server.requests[0];
    await request?.closed;
    expect(request?.clientAborted).toBe(true);
    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'cancelled', changeset: null });
    expect(ofType(h.events, 'error')).toEqual([]);
    expect(h.events.slice(-2)).toMatchObject([
      { type: 'status', status: 'cancelled' },
      { type: 'done', outcome: 'cancelled' },
    ]);
    // Tokens were streamed, so the call is counted from the local estimate.
    expect(result.usage.estimated).toBe(true);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('treats a deadline signal as a timeout failure, not a cancel', async (context) => {
    // What AbortSignal.timeout() does when it fires, triggered at a known point instead of by the clock.
    const h: Harness = await harness(context, {
      onEvent: (event) => {
        if (event.type === 'output') h.controller.abort(new DOMException('deadline', 'TimeoutError'));
      },
    });
    h.server.enqueue([replay.text('Looking at the code'), replay.stall()]);

    const result = await runTask(h.input, h.deps);

    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'LLM_TIMEOUT' } });
    expect(ofType(h.events, 'error')).toMatchObject([{ code: 'LLM_TIMEOUT', retryable: true }]);
    const request = h.server.requests[0];
    await request?.closed;
    expect(request?.clientAborted).toBe(true);
  });

  it('turns a provider 401 into an LLM_AUTH error and a failed run', async (context) => {
    const h = await harness(context);
    h.server.enqueue([replay.unauthorized()]);

    const result = await runTask(h.input, h.deps);

    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'failed', changeset: null, error: { code: 'LLM_AUTH' } });
    expect(ofType(h.events, 'error')).toEqual([
      {
        type: 'error',
        code: 'LLM_AUTH',
        message: expect.stringContaining('401') as string,
        retryable: false,
      },
    ]);
    expect(h.events.slice(-2)).toMatchObject([
      { type: 'status', status: 'failed' },
      { type: 'done', outcome: 'failed', tokensIn: 0, tokensOut: 0, costUsd: 0 },
    ]);
    expect(h.server.requests).toHaveLength(1);
  });

  it('aborts mid-stream with BUDGET_EXCEEDED once the task budget runs out', async (context) => {
    // One dollar per output token: the budget of $30 runs out a few dozen tokens into the answer.
    const priceTable: PriceTable = { pricey: { inputPerMTok: 0, outputPerMTok: 1_000_000 } };
    const h = await harness(context, { model: 'pricey' });
    h.server.enqueue([replay.text(HAPPY_ANSWER, { chunks: 120, intervalMs: 2 })]);

    const result = await runTask(h.input, { ...h.deps, priceTable, limits: { taskBudgetUsd: 30 } });

    const request = h.server.requests[0];
    await request?.closed;
    expect(request?.clientAborted).toBe(true);
    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'failed', changeset: null, error: { code: 'BUDGET_EXCEEDED' } });
    expect(ofType(h.events, 'error')).toMatchObject([{ code: 'BUDGET_EXCEEDED', retryable: false }]);
    expect(ofType(h.events, 'proposal')).toEqual([]);
    expect(result.costUsd).toBeGreaterThan(30);
    expect(result.costUsd).toBeLessThan(60);
    expect(
      ofType(h.events, 'output')
        .map((e) => e.text)
        .join('').length,
    ).toBeLessThan(HAPPY_ANSWER.length);
  });

  it('refuses to send a prompt that alone breaks the token budget', async (context) => {
    const h = await harness(context);
    const result = await runTask(h.input, { ...h.deps, limits: { taskBudgetTokens: 50 } });
    expectValidEvents(h.events);
    expect(result).toMatchObject({ outcome: 'failed', calls: 0, error: { code: 'BUDGET_EXCEEDED' } });
    expect(h.server.requests).toHaveLength(0);
  });

  it('stops the model call and rejects when the event log cannot be written', async (context) => {
    const boom = new Error('event store unavailable');
    const h = await harness(context);
    h.server.enqueue([replay.text(HAPPY_ANSWER, { chunks: 200, intervalMs: 3 })]);
    const emit: RunTaskDeps['emit'] = async (event) => {
      if (event.type === 'edit') throw boom;
      await h.deps.emit(event);
    };

    await expect(runTask(h.input, { ...h.deps, emit })).rejects.toBe(boom);

    const request = h.server.requests[0];
    await request?.closed;
    expect(request?.clientAborted).toBe(true);
    expect(h.events.some((e) => e.type === 'done')).toBe(false);
  });
});
