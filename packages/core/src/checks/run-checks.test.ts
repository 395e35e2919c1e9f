import { describe, expect, it, vi } from 'vitest';
import { computeChangeset } from '../changeset/compute-changeset.ts';
import { AppError } from '../errors.ts';
import { taskEventSchema } from '../events/task-event.ts';
import { FakeSandbox } from '../sandbox/fake.ts';
import type { SandboxRunSpec } from '../sandbox/types.ts';
import { planChecks } from './plan.ts';
import { runChecks, type CheckEvent, type RunChecksInput } from './run-checks.ts';
import { fakeToolsSandbox, toolchain } from './test/fake-tools.ts';

const MANIFEST = JSON.stringify({ type: 'module', scripts: { test: 'node --test' } });
const TSCONFIG = '{ "compilerOptions": { "strict": true, "noEmit": true } }';
const MATH = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
const HANDLER =
  'export function handle(req: { query: { x: string } }): unknown {\n  return eval(req.query.x);\n}\n';
const CONFIG =
  "export const aws = {\n  accessKeyId: 'AKIA2E0A8F3B244C9986',\n  secretAccessKey: 'g7Hk2pQ9vX4mLr8ZtW1yB6nC3sJ5dF0aE2uK7oPq',\n};\n";

function project(extra: [string, string][] = []): Map<string, string> {
  return new Map([['package.json', MANIFEST], ['tsconfig.json', TSCONFIG], ['src/math.ts', MATH], ...extra]);
}

async function run(
  files: Map<string, string>,
  changed: string[],
  overrides: Partial<RunChecksInput> = {},
): Promise<{ events: CheckEvent[]; outcome: Awaited<ReturnType<typeof runChecks>> }> {
  const events: CheckEvent[] = [];
  const outcome = await runChecks({
    sandbox: fakeToolsSandbox(),
    files,
    plan: planChecks({ files, changed }),
    signal: new AbortController().signal,
    onEvent: (event) => {
      events.push(event);
    },
    toolchain,
    ...overrides,
  });
  for (const event of events) expect(taskEventSchema.safeParse(event).error).toBeUndefined();
  return { events, outcome };
}

describe('runChecks', () => {
  it('passes a good change, running each planned check once, the test run asking for a slot first', async () => {
    const sandbox = fakeToolsSandbox();
    const files = project();
    const { events, outcome } = await run(files, ['src/math.ts'], { sandbox });
    // Results stay in the plan's order, whichever check ended first.
    expect(outcome.results.map((r) => [r.check, r.status])).toEqual([
      ['install', 'skipped'],
      ['typecheck', 'passed'],
      ['lint', 'skipped'],
      ['test', 'passed'],
      ['security', 'passed'],
    ]);
    const states = (check: string) =>
      events
        .filter((e) => e.type === 'check' && e.check === check)
        .map((e) => e.type === 'check' && e.status);
    expect(states('install')).toEqual(['skipped']);
    expect(states('lint')).toEqual(['skipped']);
    for (const check of ['typecheck', 'test', 'security'])
      expect(states(check)).toEqual(['running', 'passed']);
    expect(sandbox.runs.map((r) => r.command.slice(0, 2).join(' '))).toEqual([
      'sh -c',
      'node /opt/toolchain/node_modules/typescript/bin/tsc',
      'node /opt/toolchain/node_modules/eslint/bin/eslint.js',
      'node /opt/toolchain/node_modules/secretlint/bin/secretlint.js',
    ]);
    // Every run got the clean environment and the toolchain.
    for (const spec of sandbox.runs)
      expect(Object.keys(spec.env ?? {}).sort()).toEqual(['CI', 'FORCE_COLOR', 'HOME', 'NO_COLOR', 'PATH']);
    expect(sandbox.runs.at(-1)?.mounts).toEqual(toolchain.mounts);
  });

  it('fails the type check on a real type error and reports it as a finding on its hunk', async () => {
    const before = project();
    const files = project([['src/math.ts', `${MATH}export const total: number = add(1, '2');\n`]]);
    const changeset = computeChangeset(before, files, [], { taskId: 't' });
    const { events, outcome } = await run(files, ['src/math.ts'], { changeset });
    const typecheck = outcome.results.find((r) => r.check === 'typecheck');
    expect(typecheck).toMatchObject({ status: 'failed', summary: '1 type error' });
    expect(typecheck?.output).toContain("src/math.ts(4,37): error TS2345: Argument of type 'string'");
    const finding = events.find((e) => e.type === 'finding');
    expect(finding).toMatchObject({
      tool: 'tsc',
      rule: 'TS2345',
      severity: 'high',
      path: 'src/math.ts',
      line: 4,
      hunkId: '0-0',
    });
  });

  it('finds eval and a hard-coded AWS key in the changed files only, and fails the scan', async () => {
    const files = project([
      ['src/handler.ts', HANDLER],
      ['src/config.ts', CONFIG],
      ['src/old.ts', 'export const x = eval("1");\n'],
    ]);
    const { outcome } = await run(files, ['src/handler.ts', 'src/config.ts']);
    const security = outcome.results.find((r) => r.check === 'security');
    expect(security?.status).toBe('failed');
    expect(security?.summary).toBe('1 critical, 1 high');
    expect(security?.findings.map((f) => [f.tool, f.severity, f.path, f.line])).toEqual([
      ['secretlint', 'critical', 'src/config.ts', 3],
      ['eslint-security', 'high', 'src/handler.ts', 2],
    ]);
  });

  it('reports a failing test with the end of its output', async () => {
    const sandbox = fakeToolsSandbox({ test: () => 'add adds' });
    const { outcome } = await run(project(), ['src/math.ts'], { sandbox });
    expect(outcome.results.find((r) => r.check === 'test')).toMatchObject({
      status: 'failed',
      summary: 'tests failed (exit code 1)',
      output: expect.stringContaining('not ok 1 - add adds') as unknown,
    });
  });

  it('turns limits into timeout and error, keeping the output', async () => {
    const sandbox = new FakeSandbox((spec) =>
      spec.command[0] === 'sh'
        ? { end: 'timeout', exitCode: null, signal: 'SIGKILL', durationMs: 30_000, stdout: 'still running\n' }
        : { end: 'memory', exitCode: null, signal: 'SIGKILL' },
    );
    const { outcome } = await run(project(), ['src/math.ts'], { sandbox });
    expect(outcome.results.map((r) => [r.check, r.status, r.summary])).toEqual([
      ['install', 'skipped', 'no lockfile'],
      ['typecheck', 'error', 'stopped at the memory limit'],
      ['lint', 'skipped', 'no ESLint config'],
      ['test', 'timeout', 'stopped at the time limit after 30000 ms'],
      ['security', 'error', 'stopped at the memory limit'],
    ]);
    expect(outcome.results[3]?.output).toBe('still running\n');
  });

  it('starts no run after a refusal: the checks it stopped end error naming SANDBOX_UNAVAILABLE', async () => {
    let calls = 0;
    const sandbox = new FakeSandbox(() => {
      calls++;
      sandbox.refuse('bwrap: setting up uid map: Permission denied');
      return { exitCode: 0 };
    });
    const { outcome } = await run(project(), ['src/math.ts'], { sandbox });
    expect(calls).toBe(1);
    expect(outcome.unavailable).toContain('Permission denied');
    // The test run asked first and ran; the type check and the scan, started beside it, were refused.
    expect(outcome.results.map((r) => [r.check, r.status])).toEqual([
      ['install', 'skipped'],
      ['typecheck', 'error'],
      ['lint', 'skipped'],
      ['test', 'passed'],
      ['security', 'error'],
    ]);
    expect(outcome.results[1]?.summary).toMatch(/^SANDBOX_UNAVAILABLE: .*Permission denied/);
    expect(outcome.results[4]?.summary).toMatch(/^SANDBOX_UNAVAILABLE: .*Permission denied/);
  });

  it('runs the checks after the install at the same time, and returns when the last one ends', async () => {
    const pending: (() => void)[] = [];
    const sandbox = new FakeSandbox(
      () => new Promise<{ exitCode: number }>((resolve) => pending.push(() => resolve({ exitCode: 1 }))),
    );
    let ended = false;
    const running = run(project(), ['src/math.ts'], { sandbox }).then((result) => {
      ended = true;
      return result;
    });
    await vi.waitFor(() => expect(sandbox.runs).toHaveLength(3));
    // The test run, the type check and the scan's first tool are all under way before any has ended.
    expect(sandbox.runs.map((r) => r.command[0])).toEqual(['sh', 'node', 'node']);
    for (let i = 0; i < 3; i++) pending.shift()?.();
    await vi.waitFor(() => expect(sandbox.runs).toHaveLength(4)); // the scan's second tool
    expect(ended).toBe(false);
    pending.shift()?.();
    const { outcome } = await running;
    expect(outcome.results.map((r) => r.check)).toEqual(['install', 'typecheck', 'lint', 'test', 'security']);
  });

  it('runs nothing when the sandbox says it is unavailable from the start', async () => {
    const sandbox = fakeToolsSandbox();
    sandbox.refuse('bwrap not found on PATH');
    const { outcome } = await run(project(), ['src/math.ts'], { sandbox });
    expect(sandbox.runs).toEqual([]);
    expect(outcome.results.filter((r) => r.status === 'error')).toHaveLength(3);
  });

  it('waits for a sandbox that is still checking itself instead of reading that as unavailable', async () => {
    const sandbox = fakeToolsSandbox();
    sandbox.refuse('The sandbox self-check has not finished yet.');
    let finish = () => {};
    const checking = new Promise<void>((resolve) => (finish = resolve));
    sandbox.ready = checking.then(() => sandbox.accept());
    const running = run(project(), ['src/math.ts'], { sandbox });
    finish();
    const { outcome } = await running;
    expect(outcome.unavailable).toBeUndefined();
    expect(outcome.results.map((r) => r.status)).toEqual([
      'skipped',
      'passed',
      'skipped',
      'passed',
      'passed',
    ]);
  });

  it('installs first and mounts the dependencies into the checks that need them; a failed install skips them', async () => {
    const files = new Map([
      [
        'package.json',
        JSON.stringify({
          scripts: { test: 'vitest run' },
          devDependencies: { typescript: '5', eslint: '9' },
        }),
      ],
      ['package-lock.json', '{}'],
      ['tsconfig.json', TSCONFIG],
      ['eslint.config.js', 'export default [];\n'],
      ['src/math.ts', MATH],
    ]);
    const deps = [{ source: '/cache/abc/node_modules', target: '/work/node_modules' }];
    const sandbox = new FakeSandbox((spec: SandboxRunSpec) => {
      const report = spec.command[spec.command.indexOf('--output-file') + 1];
      return spec.command.includes('--output-file') && report !== undefined
        ? { exitCode: 0, collected: new Map([[report, '[]']]) }
        : spec.command.includes('--output')
          ? {
              exitCode: 0,
              collected: new Map([[spec.command[spec.command.indexOf('--output') + 1] ?? '', '[]']]),
            }
          : { exitCode: 0 };
    });
    const lockfiles: string[] = [];
    const { outcome } = await run(files, ['src/math.ts'], {
      sandbox,
      installDependencies: ({ lockfile }) => {
        lockfiles.push(lockfile);
        return Promise.resolve({ status: 'passed', mounts: deps, durationMs: 1200 });
      },
    });
    expect(lockfiles).toEqual(['package-lock.json']);
    expect(outcome.results.map((r) => [r.check, r.status])).toEqual([
      ['install', 'passed'],
      ['typecheck', 'passed'],
      ['lint', 'passed'],
      ['test', 'passed'],
      ['security', 'passed'],
    ]);
    const commands = sandbox.runs.map((r) => r.command.slice(0, 2).join(' '));
    expect(commands).toContain('node node_modules/typescript/bin/tsc');
    expect(commands).toContain('node node_modules/eslint/bin/eslint.js');
    for (const spec of sandbox.runs) expect(spec.mounts).toEqual(expect.arrayContaining(deps));

    const failed = await run(files, ['src/math.ts'], {
      sandbox,
      installDependencies: () =>
        Promise.resolve({ status: 'timeout', mounts: [], durationMs: 120_000, summary: 'npm ci timed out' }),
    });
    expect(failed.outcome.results.map((r) => [r.check, r.status, r.summary])).toEqual([
      ['install', 'timeout', 'npm ci timed out'],
      ['typecheck', 'skipped', 'dependencies were not installed: the install ended timeout'],
      ['lint', 'skipped', 'dependencies were not installed: the install ended timeout'],
      ['test', 'skipped', 'dependencies were not installed: the install ended timeout'],
      ['security', 'passed', 'no findings'],
    ]);
  });

  it('checks advisories through the registry sandbox when the manifest changed', async () => {
    const files = new Map([
      ['package.json', JSON.stringify({ dependencies: { lodash: '4.17.15' } })],
      ['package-lock.json', '{"lockfileVersion":3}'],
    ]);
    const registrySandbox = new FakeSandbox((spec) => ({
      exitCode: 1,
      stdout: JSON.stringify({
        auditReportVersion: 2,
        vulnerabilities: {
          lodash: {
            name: 'lodash',
            severity: 'high',
            via: [
              {
                title: 'Command Injection in lodash',
                url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm',
                severity: 'high',
                range: '<4.17.21',
              },
            ],
            fixAvailable: true,
          },
        },
      }),
      collected: new Map([['seen', [...spec.files.keys()].join(',')]]),
    }));
    const { outcome } = await run(files, ['package.json'], { registrySandbox });
    expect(registrySandbox.runs[0]?.command).toEqual(['npm', 'audit', '--json', '--package-lock-only']);
    expect([...(registrySandbox.runs[0]?.files.keys() ?? [])]).toEqual(['package.json', 'package-lock.json']);
    const security = outcome.results.find((r) => r.check === 'security');
    expect(security).toMatchObject({ status: 'failed', summary: '1 high' });
    expect(security?.findings[0]).toMatchObject({
      tool: 'npm-audit',
      path: 'package-lock.json',
      severity: 'high',
    });

    const without = await run(files, ['package.json']);
    expect(without.outcome.results.find((r) => r.check === 'security')?.summary).toBe(
      'no findings; dependency advisories not checked: no registry access is configured',
    );
  });

  it('rejects with CANCELLED when cancelled, without running more', async () => {
    const controller = new AbortController();
    const sandbox = new FakeSandbox(() => {
      controller.abort();
      return { end: 'cancelled', exitCode: null, signal: 'SIGKILL' };
    });
    const files = project();
    await expect(
      runChecks({
        sandbox,
        files,
        plan: planChecks({ files, changed: ['src/math.ts'] }),
        signal: controller.signal,
        onEvent: () => undefined,
        toolchain,
      }),
    ).rejects.toThrow(new AppError('CANCELLED', 'The checks were cancelled.'));
    expect(sandbox.runs).toHaveLength(1);
  });
});
