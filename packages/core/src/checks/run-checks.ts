// Runs a check plan through a Sandbox, one check after another, and says how each ended. Decisions:
// - Sequential: a type checker and a test runner each want a core, and the order (install first) matters.
// - Nothing runs outside the sandbox. When it refuses (SANDBOX_UNAVAILABLE) the refused check and every one
//   after it end `error` with the reason, and nothing is retried elsewhere.
// - A tool that ended normally is judged by its report (tsc's errors, ESLint's and secretlint's JSON), a test run
//   by its exit code; a run a limit stopped is `timeout` (wall or CPU time) or `error` (memory, output, signal).
// - The security scan fails only on critical or high findings; medium and low are shown, not blocking.
// - Findings are capped per check; the summary counts what was cut.
import type { Changeset } from '../changeset/changeset.ts';
import { AppError, isAppError } from '../errors.ts';
import { eventLimits, type TaskEventOf } from '../events/task-event.ts';
import type {
  Sandbox,
  SandboxLimits,
  SandboxMount,
  SandboxResult,
  SandboxRunSpec,
} from '../sandbox/types.ts';
import {
  clip,
  compareFindings,
  findingLimits,
  type CheckName,
  type CheckStatus,
  type Finding,
} from './findings.ts';
import { findingsOnPaths, mapFindingsToHunks } from './map-hunks.ts';
import {
  outputTail,
  parseEslintJson,
  parseNpmAuditJson,
  parseSecretlintJson,
  parseTscOutput,
} from './parse-tools.ts';
import type { CheckPlan, CheckPlanEntry, PlannedCheck } from './plan.ts';

/** The security toolchain (ESLint with security plugins, secretlint, TypeScript) as the sandbox sees it. */
export interface CheckToolchain {
  /** Path inside the sandbox of the toolchain directory (with its `node_modules`, ESLint and secretlint configs). */
  dir: string;
  /** Read-only mounts that make `dir` (and whatever its symlinks point at) visible in the sandbox. */
  mounts: readonly SandboxMount[];
}

export type FinishedStatus = Exclude<CheckStatus, 'running'>;

export interface InstallOutcome {
  status: Exclude<FinishedStatus, 'skipped'>;
  /** Mounts that put the installed dependencies under /work (e.g. `/work/node_modules`), read-only. */
  mounts: readonly SandboxMount[];
  durationMs: number;
  summary?: string;
  output?: string;
}

/**
 * Installs the work tree's dependencies outside the no-network checks (the server's job: a registry-only
 * sandbox, a cache by lockfile hash) and says how to mount them.
 */
export type InstallDependencies = (input: {
  files: ReadonlyMap<string, string>;
  lockfile: string;
  signal: AbortSignal;
}) => Promise<InstallOutcome>;

export type CheckEvent = TaskEventOf<'check'> | TaskEventOf<'finding'>;

export interface RunChecksInput {
  sandbox: Sandbox;
  files: ReadonlyMap<string, string>;
  plan: CheckPlan;
  signal: AbortSignal;
  onEvent: (event: CheckEvent) => void | Promise<void>;
  /** What each check's commands print, as it arrives (already bounded by the sandbox), for a live terminal. */
  onOutput?: (check: CheckName, chunk: string, stream: 'stdout' | 'stderr') => void;
  toolchain?: CheckToolchain;
  installDependencies?: InstallDependencies;
  /** A sandbox that can reach the package registry (and nothing else), for dependency advisories. */
  registrySandbox?: Sandbox;
  /** Puts findings on the proposal's hunks. */
  changeset?: Changeset;
  limits?: Partial<Record<CheckName, Partial<SandboxLimits>>>;
}

export interface CheckResult {
  check: CheckName;
  status: FinishedStatus;
  durationMs: number;
  summary: string;
  /** The end of the output, bounded like the event's. */
  output: string | undefined;
  findings: Finding[];
}

export interface ChecksOutcome {
  results: CheckResult[];
  findings: Finding[];
  /** Set when the sandbox refused to run: why, as it said. */
  unavailable: string | undefined;
}

const PATH = '/work/node_modules/.bin:/usr/local/bin:/usr/bin:/bin';
const ENV = { PATH, HOME: '/tmp', CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
const REPORT_DIR = '.tandem-checks';

export async function runChecks(input: RunChecksInput): Promise<ChecksOutcome> {
  return new ChecksRun(input).run();
}

class ChecksRun {
  readonly #input: RunChecksInput;
  readonly #results: CheckResult[] = [];
  #unavailable: string | undefined;
  #dependencyMounts: readonly SandboxMount[] | undefined;
  #dependenciesMissing = 'dependencies were not installed';

  constructor(input: RunChecksInput) {
    this.#input = input;
  }

  async run(): Promise<ChecksOutcome> {
    // A run that starts while the server is still starting waits for the self-check rather than reading its
    // "not finished yet" as a refusal.
    await this.#input.sandbox.ready;
    const status = this.#input.sandbox.status();
    if (!status.available) this.#unavailable = status.reason ?? 'the sandbox is unavailable';
    // The install comes first: every other check may need what it installs. The rest do not depend on each other, so
    // they start together and the sandbox's slots (its per-instance concurrency, first come first served) decide how
    // many run at once; the test run usually takes longest, so it asks for a slot first. Checks that end without a
    // run (skipped, or no sandbox) say so at once, in the plan's order.
    const planned = this.#input.plan.entries.map((entry) => entry.check);
    for (const entry of this.#input.plan.entries) {
      if (entry.check !== 'install' || (await this.#endedUnrun(entry))) continue;
      if (entry.status === 'planned') await this.#runEntry(entry);
    }
    const runnable: PlannedCheck[] = [];
    for (const entry of this.#input.plan.entries) {
      if (entry.check === 'install' || (await this.#endedUnrun(entry))) continue;
      if (entry.status === 'planned') runnable.push(entry);
    }
    runnable.sort((a, b) => START_ORDER.indexOf(a.check) - START_ORDER.indexOf(b.check));
    // Settled, not all: a cancelled or failed run returns only when none of its checks is still going.
    const settled = await Promise.allSettled(runnable.map((entry) => this.#runEntry(entry)));
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    this.#results.sort((a, b) => planned.indexOf(a.check) - planned.indexOf(b.check));
    return {
      results: this.#results,
      findings: this.#results.flatMap((r) => r.findings),
      unavailable: this.#unavailable,
    };
  }

  /** Ends a check that will not run (skipped, no sandbox, no dependencies), saying why; false when it should run. */
  async #endedUnrun(entry: CheckPlanEntry): Promise<boolean> {
    this.#throwIfCancelled();
    if (entry.status === 'skipped') {
      await this.#finish(entry.check, { status: 'skipped', durationMs: 0, summary: entry.reason });
    } else if (this.#unavailable !== undefined) {
      await this.#finish(entry.check, {
        status: 'error',
        durationMs: 0,
        summary: `SANDBOX_UNAVAILABLE: ${this.#unavailable}; not run`,
      });
    } else if (
      'needsDependencies' in entry &&
      entry.needsDependencies &&
      this.#dependencyMounts === undefined
    ) {
      await this.#finish(entry.check, {
        status: 'skipped',
        durationMs: 0,
        summary: this.#dependenciesMissing,
      });
    } else return false;
    return true;
  }

  async #runEntry(entry: PlannedCheck): Promise<void> {
    await this.#emit({ type: 'check', check: entry.check, status: 'running' });
    const started = performance.now();
    let outcome: Omit<CheckResult, 'check'>;
    try {
      outcome = await this.#runOne(entry);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'SANDBOX_UNAVAILABLE') throw error;
      this.#unavailable = error.message;
      outcome = {
        status: 'error',
        durationMs: performance.now() - started,
        summary: `SANDBOX_UNAVAILABLE: ${error.message}`,
        output: undefined,
        findings: [],
      };
    }
    await this.#finish(entry.check, outcome);
  }

  async #runOne(entry: PlannedCheck): Promise<Omit<CheckResult, 'check'>> {
    switch (entry.check) {
      case 'install':
        return this.#install(entry.lockfile);
      case 'typecheck':
        return this.#typecheck(entry);
      case 'lint':
        return this.#lint(entry);
      case 'test':
        return this.#test(entry.command);
      case 'security':
        return this.#security(entry);
    }
  }

  async #install(lockfile: string): Promise<Omit<CheckResult, 'check'>> {
    const install = this.#input.installDependencies;
    if (install === undefined) {
      this.#dependenciesMissing = 'dependencies were not installed: no installer is configured';
      return done('skipped', 0, 'no dependency installer is configured', undefined);
    }
    const outcome = await install({ files: this.#input.files, lockfile, signal: this.#input.signal });
    if (outcome.status === 'passed') this.#dependencyMounts = outcome.mounts;
    else this.#dependenciesMissing = `dependencies were not installed: the install ended ${outcome.status}`;
    return done(
      outcome.status,
      outcome.durationMs,
      outcome.summary ?? `installed from ${lockfile}`,
      outcome.output,
    );
  }

  async #typecheck(
    entry: Extract<PlannedCheck, { check: 'typecheck' }>,
  ): Promise<Omit<CheckResult, 'check'>> {
    let command: string[];
    let mounts: readonly SandboxMount[] = [];
    if (entry.command !== undefined) command = ['sh', '-c', entry.command];
    else if (entry.workspaceTypescript) command = ['node', 'node_modules/typescript/bin/tsc', ...TSC_ARGS];
    else {
      const toolchain = this.#input.toolchain;
      if (toolchain === undefined)
        return done('error', 0, 'no TypeScript: the check toolchain is not configured', undefined);
      command = ['node', `${toolchain.dir}/node_modules/typescript/bin/tsc`, ...TSC_ARGS];
      // The toolchain's TypeScript is only there when its folders are mounted.
      mounts = toolchain.mounts;
    }
    const result = await this.#run('typecheck', { command, files: this.#input.files, mounts });
    const output = result.stdout + result.stderr;
    const stopped = stoppedBy(result);
    if (stopped !== undefined) return done(stopped.status, result.durationMs, stopped.summary, output);
    const findings = parseTscOutput(output);
    if (result.exitCode === 0)
      return done('passed', result.durationMs, 'no type errors', undefined, findings);
    return done(
      'failed',
      result.durationMs,
      findings.length > 0 ? count(findings.length, 'type error') : `exit code ${String(result.exitCode)}`,
      output,
      findings,
    );
  }

  async #lint(entry: Extract<PlannedCheck, { check: 'lint' }>): Promise<Omit<CheckResult, 'check'>> {
    const report = `${REPORT_DIR}/eslint.json`;
    const command =
      entry.command !== undefined
        ? ['sh', '-c', entry.command]
        : [
            'node',
            'node_modules/eslint/bin/eslint.js',
            '--format',
            'json',
            '--output-file',
            report,
            '--',
            ...entry.paths,
          ];
    const result = await this.#run('lint', { command, files: this.#input.files, collect: [report] });
    const output = result.stdout + result.stderr;
    const stopped = stoppedBy(result);
    if (stopped !== undefined) return done(stopped.status, result.durationMs, stopped.summary, output);
    if (entry.command !== undefined) {
      return result.exitCode === 0
        ? done('passed', result.durationMs, 'lint passed', undefined)
        : done('failed', result.durationMs, `exit code ${String(result.exitCode)}`, output);
    }
    const findings = parseEslintJson(result.collected.get(report) ?? '', { security: false });
    // ESLint exits 1 for lint errors and 2 when it could not run (a broken config, a missing plugin).
    if (findings === undefined || result.exitCode === 2) {
      return done(
        'error',
        result.durationMs,
        `ESLint could not run (exit code ${String(result.exitCode)})`,
        output,
      );
    }
    const errors = findings.filter((f) => f.severity !== 'low').length;
    return result.exitCode === 0
      ? done(
          'passed',
          result.durationMs,
          findings.length === 0 ? 'no problems' : count(findings.length, 'warning'),
          undefined,
          findings,
        )
      : done('failed', result.durationMs, count(errors, 'lint error'), output, findings);
  }

  async #test(command: string): Promise<Omit<CheckResult, 'check'>> {
    const result = await this.#run('test', { command: ['sh', '-c', command], files: this.#input.files });
    const output = result.stdout + result.stderr;
    const stopped = stoppedBy(result);
    if (stopped !== undefined) return done(stopped.status, result.durationMs, stopped.summary, output);
    return result.exitCode === 0
      ? done('passed', result.durationMs, 'tests passed', output)
      : done('failed', result.durationMs, `tests failed (exit code ${String(result.exitCode)})`, output);
  }

  async #security(entry: Extract<PlannedCheck, { check: 'security' }>): Promise<Omit<CheckResult, 'check'>> {
    const toolchain = this.#input.toolchain;
    if (toolchain === undefined)
      return done('error', 0, 'the security toolchain is not configured', undefined);
    const files = new Map<string, string>(this.#input.files).set(`${REPORT_DIR}/.keep`, '');
    const findings: Finding[] = [];
    const notes: string[] = [];
    const outputs: string[] = [];
    let durationMs = 0;
    let failure: { status: FinishedStatus; summary: string } | undefined;

    if (entry.scriptPaths.length > 0) {
      const report = `${REPORT_DIR}/security-eslint.json`;
      const result = await this.#run('security', {
        command: [
          'node',
          `${toolchain.dir}/node_modules/eslint/bin/eslint.js`,
          '--config',
          `${toolchain.dir}/eslint.config.js`,
          '--no-warn-ignored',
          '--format',
          'json',
          '--output-file',
          report,
          '--',
          ...entry.scriptPaths,
        ],
        files,
        mounts: toolchain.mounts,
        collect: [report],
      });
      durationMs += result.durationMs;
      const parsed = parseEslintJson(result.collected.get(report) ?? '', { security: true });
      const stopped = stoppedBy(result);
      if (stopped !== undefined || parsed === undefined || result.exitCode === 2) {
        failure = stopped ?? {
          status: 'error',
          summary: `the security rules could not run (exit code ${String(result.exitCode)})`,
        };
        outputs.push(result.stdout + result.stderr);
      } else findings.push(...parsed);
    }

    if (entry.paths.length > 0) {
      const report = `${REPORT_DIR}/secretlint.json`;
      const result = await this.#run('security', {
        command: [
          'node',
          `${toolchain.dir}/node_modules/secretlint/bin/secretlint.js`,
          '--secretlintrc',
          `${toolchain.dir}/.secretlintrc.json`,
          '--format',
          'json',
          '--output',
          report,
          ...entry.paths,
        ],
        files,
        mounts: toolchain.mounts,
        collect: [report],
      });
      durationMs += result.durationMs;
      const parsed = parseSecretlintJson(result.collected.get(report) ?? '');
      const stopped = stoppedBy(result);
      if (stopped !== undefined || parsed === undefined) {
        failure ??= stopped ?? {
          status: 'error',
          summary: `secret detection could not run (exit code ${String(result.exitCode)})`,
        };
        outputs.push(result.stdout + result.stderr);
      } else findings.push(...parsed);
    }

    if (entry.auditSkipped !== undefined) notes.push(entry.auditSkipped);
    if (entry.auditLockfile !== undefined) {
      const audit = await this.#audit(entry.auditLockfile);
      durationMs += audit.durationMs;
      if (audit.findings === undefined) notes.push(audit.note);
      else findings.push(...audit.findings);
    }

    const scanned = [
      ...findingsOnPaths(findings, entry.paths),
      ...findings.filter((f) => f.tool === 'npm-audit'),
    ];
    if (failure !== undefined) {
      return done(
        failure.status,
        durationMs,
        [failure.summary, ...notes].join('; '),
        outputs.join('\n'),
        scanned,
      );
    }
    const blocking = scanned.filter((f) => f.severity === 'critical' || f.severity === 'high');
    const summary = [scanned.length === 0 ? 'no findings' : severityCounts(scanned), ...notes].join('; ');
    return done(blocking.length > 0 ? 'failed' : 'passed', durationMs, summary, undefined, scanned);
  }

  async #audit(
    lockfile: string,
  ): Promise<
    { durationMs: number; findings: Finding[] } | { durationMs: number; findings: undefined; note: string }
  > {
    const registry = this.#input.registrySandbox;
    if (registry === undefined)
      return {
        durationMs: 0,
        findings: undefined,
        note: 'dependency advisories not checked: no registry access is configured',
      };
    const files = new Map<string, string>();
    for (const path of ['package.json', lockfile]) {
      const text = this.#input.files.get(path);
      if (text !== undefined) files.set(path, text);
    }
    let result: SandboxResult;
    try {
      result = await this.#run(
        'security',
        { command: ['npm', 'audit', '--json', '--package-lock-only'], files },
        registry,
      );
    } catch (error) {
      if (!isAppError(error) || error.code !== 'SANDBOX_UNAVAILABLE') throw error;
      return {
        durationMs: 0,
        findings: undefined,
        note: `dependency advisories not checked: ${error.message}`,
      };
    }
    const findings = stoppedBy(result) === undefined ? parseNpmAuditJson(result.stdout, lockfile) : undefined;
    return findings === undefined
      ? {
          durationMs: result.durationMs,
          findings: undefined,
          note: 'dependency advisories not checked: npm audit gave no report',
        }
      : { durationMs: result.durationMs, findings };
  }

  async #run(
    check: CheckName,
    spec: Omit<SandboxRunSpec, 'env' | 'signal'>,
    sandbox: Sandbox = this.#input.sandbox,
  ): Promise<SandboxResult> {
    this.#throwIfCancelled();
    const limits = this.#input.limits?.[check];
    const mounts = [...(spec.mounts ?? []), ...(this.#dependencyMounts ?? [])];
    const onOutput = this.#input.onOutput;
    const result = await sandbox.run({
      ...spec,
      ...(mounts.length === 0 ? {} : { mounts }),
      env: ENV,
      signal: this.#input.signal,
      ...(limits === undefined ? {} : { limits }),
      ...(onOutput === undefined
        ? {}
        : { onOutput: (chunk: string, stream: 'stdout' | 'stderr') => onOutput(check, chunk, stream) }),
    });
    if (result.end === 'cancelled') throw cancelled();
    return result;
  }

  async #finish(
    check: CheckName,
    outcome: Omit<CheckResult, 'check' | 'output' | 'findings'> & Partial<CheckResult>,
  ): Promise<void> {
    const mapped =
      this.#input.changeset === undefined
        ? (outcome.findings ?? [])
        : mapFindingsToHunks(outcome.findings ?? [], this.#input.changeset);
    const sorted = [...mapped].sort(compareFindings);
    const kept = sorted.slice(0, findingLimits.perCheck);
    const cut = sorted.length - kept.length;
    const summary = clip(
      cut > 0 ? `${outcome.summary} (${cut} more findings not shown)` : outcome.summary,
      eventLimits.message,
    );
    const output =
      outcome.output === undefined || outcome.output === ''
        ? undefined
        : outputTail(outcome.output, eventLimits.excerpt);
    const result: CheckResult = {
      check,
      status: outcome.status,
      durationMs: Math.max(0, outcome.durationMs),
      summary,
      output,
      findings: kept,
    };
    this.#results.push(result);
    await this.#emit({
      type: 'check',
      check,
      status: result.status,
      ...(result.status === 'skipped' ? {} : { durationMs: result.durationMs }),
      summary,
      ...(output === undefined ? {} : { output }),
    });
    for (const finding of kept) await this.#emit({ type: 'finding', ...finding });
  }

  async #emit(event: CheckEvent): Promise<void> {
    await this.#input.onEvent(event);
  }

  #throwIfCancelled(): void {
    if (this.#input.signal.aborted) throw cancelled();
  }
}

/** Which of the checks after the install asks the sandbox for a slot first: the usually longest first. */
const START_ORDER: readonly CheckName[] = ['test', 'typecheck', 'lint', 'security'];

const TSC_ARGS = ['--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'];

function cancelled(): AppError {
  return new AppError('CANCELLED', 'The checks were cancelled.');
}

function done(
  status: FinishedStatus,
  durationMs: number,
  summary: string,
  output: string | undefined,
  findings: Finding[] = [],
): Omit<CheckResult, 'check'> {
  return { status, durationMs, summary, output, findings };
}

/** How a run a limit stopped ends as a check; undefined when the command exited by itself. */
function stoppedBy(result: SandboxResult): { status: FinishedStatus; summary: string } | undefined {
  switch (result.end) {
    case 'exit':
      return undefined;
    case 'timeout':
      return {
        status: 'timeout',
        summary: `stopped at the time limit after ${Math.round(result.durationMs)} ms`,
      };
    case 'cpu':
      return { status: 'timeout', summary: 'stopped at the CPU time limit' };
    case 'memory':
      return { status: 'error', summary: 'stopped at the memory limit' };
    case 'output':
      return {
        status: 'error',
        summary: `stopped: printed more than the output limit (${result.droppedOutputBytes} bytes dropped)`,
      };
    case 'signal':
      return { status: 'error', summary: `killed by ${result.signal ?? 'a signal'}` };
    case 'cancelled':
      return { status: 'error', summary: 'cancelled' };
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function severityCounts(findings: readonly Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return (['critical', 'high', 'medium', 'low'] as const)
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s) ?? 0} ${s}`)
    .join(', ');
}
