// The orchestrator with sandboxed checks: a replayed model over the real loopback provider, and a FakeSandbox
// playing the tools (the real TypeScript compiler for the type check). Failures must reach the model as a
// reflection round and the proposal must carry the last results.
import { describe, expect, it, type TestContext } from 'vitest';
import { mayAutoApply } from '../checks/index.ts';
import { fakeToolsSandbox, toolchain, type FakeToolsOptions } from '../checks/test/fake-tools.ts';
import { taskEventSchema, type TaskEvent, type TaskEventOf } from '../events/index.ts';
import { createLlmClient } from '../llm/index.ts';
import { replay, startReplayServer, type ReplayRequest, type ReplayServer } from '../llm/testing/index.ts';
import { FakeSandbox } from '../sandbox/fake.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { syntaxValidator } from '../validate/index.ts';
import { runTask } from './run-task.ts';
import type { RunTaskDeps, RunTaskInput } from './types.ts';

const FENCE = '```';
const MATH = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';

function block(path: string, search: string, replace: string): string {
  return `${path}\n${FENCE}ts\n<<<<<<< SEARCH\n${search}=======\n${replace}>>>>>>> REPLACE\n${FENCE}\n`;
}

function project(): Map<string, string> {
  return new Map([
    ['package.json', JSON.stringify({ type: 'module', scripts: { test: 'node --test' } })],
    ['tsconfig.json', '{ "compilerOptions": { "strict": true, "noEmit": true } }'],
    ['src/math.ts', MATH],
  ]);
}

interface Harness {
  server: ReplayServer;
  events: TaskEvent[];
  deps: RunTaskDeps;
  input: RunTaskInput;
}

async function harness(context: TestContext, sandbox: Sandbox | undefined): Promise<Harness> {
  const server = await startReplayServer();
  context.onTestFinished(() => server.close());
  const events: TaskEvent[] = [];
  return {
    server,
    events,
    deps: {
      llm: createLlmClient({
        provider: 'openai-compatible',
        baseUrl: `${server.url}/v1`,
        apiKey: 'test-key',
        model: 'gpt-4o-mini',
        timeoutMs: 5_000,
        maxRetries: 0,
      }),
      model: 'gpt-4o-mini',
      emit: (event) => {
        events.push(event);
      },
      validators: [syntaxValidator],
      signal: new AbortController().signal,
      outputFlushMs: 5,
      ...(sandbox === undefined ? {} : { sandbox }),
      checks: { toolchain },
    },
    input: { taskId: 'task-1', prompt: 'Add a total to src/math.ts.', files: project() },
  };
}

function ofType<T extends TaskEvent['type']>(events: readonly TaskEvent[], type: T): TaskEventOf<T>[] {
  return events.filter((e): e is TaskEventOf<T> => e.type === type);
}

function checkLog(events: readonly TaskEvent[]): string[] {
  return ofType(events, 'check').map((e) => `${e.check}:${e.status}`);
}

function lastUserMessage(request: ReplayRequest | undefined): string {
  const body = request?.body as { messages?: { role: string; content: unknown }[] } | undefined;
  const content = body?.messages?.at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content);
}

function expectValid(events: readonly TaskEvent[]): void {
  for (const event of events) expect(taskEventSchema.safeParse(event).error).toBeUndefined();
  expect(events.at(-1)?.type).toBe('done');
}

describe('runTask with checks', { timeout: 20_000 }, () => {
  it('feeds a type error back and proposes the fix of round 2 with passing checks', async (context) => {
    const sandbox = fakeToolsSandbox();
    const h = await harness(context, sandbox);
    h.server.enqueue([
      replay.text(block('src/math.ts', '}\n', "}\nexport const total: number = add(1, '2');\n")),
    ]);
    h.server.enqueue([
      replay.text(
        block(
          'src/math.ts',
          "export const total: number = add(1, '2');\n",
          'export const total: number = add(1, 2);\n',
        ),
      ),
    ]);

    const result = await runTask(h.input, h.deps);

    expectValid(h.events);
    expect(result).toMatchObject({ outcome: 'proposed', calls: 2, firstRoundPassed: false });
    const feedback = lastUserMessage(h.server.requests[1]);
    expect(feedback).toContain('# 1 check failed on the files as they are after your edits');
    expect(feedback).toContain('## typecheck: failed (1 type error)');
    expect(feedback).toContain(
      "src/math.ts, line 4: high [TS2345]: Argument of type 'string' is not assignable",
    );
    expect(feedback).toContain("export const total: number = add(1, '2');");
    // Two rounds; within one the checks after the install run side by side, so only each check's own order is fixed.
    const statesOf = (check: string) =>
      checkLog(h.events)
        .filter((line) => line.startsWith(`${check}:`))
        .map((line) => line.slice(check.length + 1));
    expect(statesOf('install')).toEqual(['skipped', 'skipped']);
    expect(statesOf('lint')).toEqual(['skipped', 'skipped']);
    expect(statesOf('typecheck')).toEqual(['running', 'failed', 'running', 'passed']);
    for (const check of ['test', 'security'])
      expect(statesOf(check)).toEqual(['running', 'passed', 'running', 'passed']);
    expect(ofType(h.events, 'status').map((e) => e.message ?? e.status)).toContain(
      'Reflection 1 of 3: typecheck failed',
    );
    expect(result.files.get('src/math.ts')).toBe(`${MATH}export const total: number = add(1, 2);\n`);
    expect(result.checks.map((c) => [c.check, c.status])).toEqual([
      ['install', 'skipped'],
      ['typecheck', 'passed'],
      ['lint', 'skipped'],
      ['test', 'passed'],
      ['security', 'passed'],
    ]);
    expect(mayAutoApply(result)).toEqual({ allowed: true, reasons: [] });
  });

  it('says the first round passed when its edit passes every check at once', async (context) => {
    const h = await harness(context, fakeToolsSandbox());
    h.server.enqueue([
      replay.text(block('src/math.ts', '}\n', '}\nexport const total: number = add(1, 2);\n')),
    ]);

    const result = await runTask(h.input, h.deps);

    expectValid(h.events);
    expect(result).toMatchObject({ outcome: 'proposed', calls: 1, firstRoundPassed: true });
    expect(result.checks.find((c) => c.check === 'typecheck')?.status).toBe('passed');
  });

  it('feeds a failing test back with its output and proposes the fix', async (context) => {
    const tests: FakeToolsOptions = {
      test: (files) =>
        String(files.get('src/math.ts')).includes('a - b') ? 'add adds (expected 3, got -1)' : undefined,
    };
    const h = await harness(context, fakeToolsSandbox(tests));
    h.server.enqueue([replay.text(block('src/math.ts', '  return a + b;\n', '  return a - b;\n'))]);
    h.server.enqueue([replay.text(block('src/math.ts', '  return a - b;\n', '  return a + b;\n'))]);

    const result = await runTask(h.input, h.deps);

    expectValid(h.events);
    const feedback = lastUserMessage(h.server.requests[1]);
    expect(feedback).toContain('## test: failed (tests failed (exit code 1))');
    expect(feedback).toContain('not ok 1 - add adds (expected 3, got -1)');
    expect(result.calls).toBe(2);
    // The fix undid the change, so nothing is left to propose.
    expect(result.outcome).toBe('no-changes');
  });

  it('finds eval and a hard-coded AWS key, puts them on the hunks and blocks auto-apply', async (context) => {
    const h = await harness(context, fakeToolsSandbox());
    const handler =
      'export function handle(req: { query: { x: string } }): unknown {\n  return eval(req.query.x);\n}\n';
    const config =
      "export const aws = {\n  accessKeyId: 'AKIA2E0A8F3B244C9986',\n  secretAccessKey: 'g7Hk2pQ9vX4mLr8ZtW1yB6nC3sJ5dF0aE2uK7oPq',\n};\n";
    h.server.enqueue([
      replay.text(`${block('src/handler.ts', '', handler)}\n${block('src/config.ts', '', config)}`),
    ]);

    const result = await runTask(h.input, { ...h.deps, limits: { maxReflections: 0 } });

    expectValid(h.events);
    expect(result.outcome).toBe('proposed');
    const findings = ofType(h.events, 'finding');
    expect(findings.map((f) => [f.tool, f.severity, f.path, f.line, f.hunkId !== undefined])).toEqual([
      ['secretlint', 'critical', 'src/config.ts', 3, true],
      ['eslint-security', 'high', 'src/handler.ts', 2, true],
    ]);
    expect(result.findings).toHaveLength(2);
    const hunkIds = new Set(result.changeset?.files.flatMap((f) => f.hunks.map((hunk) => hunk.id)));
    for (const f of result.findings) expect(hunkIds.has(f.hunkId ?? '')).toBe(true);
    expect(mayAutoApply(result).allowed).toBe(false);
    expect(mayAutoApply(result).reasons).toEqual([
      'security failed: 1 critical, 1 high',
      '1 secret found (src/config.ts:3 @secretlint/secretlint-rule-aws)',
      '1 critical or high finding (src/handler.ts:2 no-eval)',
    ]);
    expect(ofType(h.events, 'status').at(-1)?.message).toBe(
      'Proposed with unresolved problems: checks failed: security (1 critical, 1 high).',
    );
  });

  it('asks the model to remove a secret, with the security advice', async (context) => {
    const h = await harness(context, fakeToolsSandbox());
    const config =
      "export const key = 'AKIA2E0A8F3B244C9986';\nexport const secret = 'g7Hk2pQ9vX4mLr8ZtW1yB6nC3sJ5dF0aE2uK7oPq';\n";
    h.server.enqueue([replay.text(block('src/config.ts', '', config))]);
    h.server.enqueue([
      replay.text(
        block(
          'src/config.ts',
          config,
          'export const secret = (env: { [name: string]: string | undefined }) => env.AWS_SECRET_ACCESS_KEY;\n',
        ),
      ),
    ]);
    const result = await runTask(h.input, h.deps);
    expectValid(h.events);
    expect(lastUserMessage(h.server.requests[1])).toContain('never put secrets in source');
    expect(result.findings).toEqual([]);
    expect(result.checks.find((c) => c.check === 'security')?.status).toBe('passed');
  });

  it('without a sandbox says SANDBOX_UNAVAILABLE once and proposes on syntax checks alone', async (context) => {
    const h = await harness(context, undefined);
    h.server.enqueue([replay.text(block('src/math.ts', '  return a + b;\n', '  return (a + b;\n'))]);
    h.server.enqueue([replay.text(block('src/math.ts', '  return (a + b;\n', '  return b + a;\n'))]);

    const result = await runTask(h.input, h.deps);

    expectValid(h.events);
    expect(result).toMatchObject({ outcome: 'proposed', calls: 2 });
    const checks = ofType(h.events, 'check');
    expect(checks.map((e) => `${e.check}:${e.status}`)).toEqual([
      'install:skipped',
      'typecheck:error',
      'lint:skipped',
      'test:error',
      'security:error',
    ]);
    expect(checks[1]?.summary).toBe('SANDBOX_UNAVAILABLE: no sandbox is configured on this server; not run');
    expect(ofType(h.events, 'validation').map((e) => e.ok)).toEqual([false, true]);
    expect(mayAutoApply(result).allowed).toBe(false);
  });

  it('stops trying the checks once the sandbox refuses mid-task', async (context) => {
    const sandbox = new FakeSandbox(() => {
      sandbox.refuse('self-check failed: the sandbox reached the network');
      return { exitCode: 0 };
    });
    const h = await harness(context, sandbox);
    h.server.enqueue([replay.text(block('src/math.ts', '  return a + b;\n', '  return b + a;\n'))]);

    const result = await runTask(h.input, h.deps);

    expectValid(h.events);
    expect(sandbox.runs).toHaveLength(1);
    expect(result).toMatchObject({ outcome: 'proposed', calls: 1 });
    // The test run asked for the sandbox first and ran; the checks started beside it were refused.
    expect(result.checks.find((c) => c.check === 'test')?.status).toBe('passed');
    for (const check of ['typecheck', 'security'])
      expect(result.checks.find((c) => c.check === check)?.summary).toContain('SANDBOX_UNAVAILABLE');
  });
});
