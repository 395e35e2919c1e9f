// Full checks of a ~50-file TypeScript project with a warm dependency cache, through the same pipeline a "Run
// checks" press and a task use (core runChecks with the server's bwrap sandbox, toolchain and install cache):
// install (from the cache), type check with the project's TypeScript, its own ESLint, its tests, the security
// scan. Then whole tasks on the same project with the replay model, for the checks' share of a task's wall time.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { taskChecks } from '../../apps/server/src/checks/task-checks.ts';
import { createBwrapSandbox } from '../../apps/server/src/sandbox/bwrap.ts';
import { prepareDependencies } from '../../apps/server/src/sandbox/dependencies.ts';
import { planWorkspaceChecks, runChecks } from '../../packages/core/src/checks/index.ts';
import { searchReplaceBlock } from '../../packages/core/src/llm/testing/index.ts';
import { createLlmClient } from '../../packages/core/src/llm/index.ts';
import { replay, startReplayServer } from '../../packages/core/src/llm/testing/index.ts';
import { runTask } from '../../packages/core/src/orchestrator/index.ts';
import { syntaxValidator } from '../../packages/core/src/validate/index.ts';
import type { BenchResult } from '../stats.ts';
import { percentiles, round } from '../stats.ts';
import { tsProject } from './ts-project.ts';

const CHECK_RUNS = 5;
const TASK_RUNS = 3;
/** The target: warm checks of such a project under 10 s. */
export const WARM_CHECKS_TARGET_MS = 10_000;

export async function measureWarmChecks(): Promise<Record<string, BenchResult>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-warm-checks-'));
  // The sandbox's nobody must pass through to the cache, as through a data directory the server makes.
  chmodSync(dir, 0o711);
  try {
    const sandbox = createBwrapSandbox({ searchPath: process.env.PATH ?? '/usr/bin:/bin', dataDir: dir });
    const status = await sandbox.ready;
    if (!status.available) throw new Error(`sandbox unavailable: ${status.reason ?? ''}`);
    // Only warned to when the toolchain is missing, which the checks passing rules out.
    const logger = { warn: () => undefined } as unknown as Parameters<typeof taskChecks>[1];
    const files = tsProject();

    const coldStarted = performance.now();
    const cold = await prepareDependencies(sandbox, files);
    if (cold.status !== 'installed') throw new Error(`install ${cold.status}: ${cold.output}`);
    const coldMs = performance.now() - coldStarted;

    const perCheck = new Map<string, number[]>();
    const samples: number[] = [];
    for (let i = 0; i <= CHECK_RUNS; i += 1) {
      const started = performance.now();
      const outcome = await runChecks({
        sandbox,
        files,
        plan: planWorkspaceChecks(files),
        signal: new AbortController().signal,
        ...taskChecks(sandbox, logger),
        onEvent: () => undefined,
      });
      const wall = performance.now() - started;
      const notPassed = outcome.results.filter((r) => r.status !== 'passed');
      if (notPassed.length > 0) {
        throw new Error(
          `checks did not pass: ${notPassed.map((r) => `${r.check} ${r.status} ${r.summary} ${(r.output ?? '').slice(0, 400)}`).join('; ')}`,
        );
      }
      if (i === 0) continue; // warm-up: the first run after the install
      samples.push(wall);
      for (const r of outcome.results)
        perCheck.set(r.check, [...(perCheck.get(r.check) ?? []), r.durationMs]);
    }

    const llm = await startReplayServer();
    const taskWall: number[] = [];
    const taskChecksMs: number[] = [];
    try {
      for (let i = 0; i < TASK_RUNS; i += 1) {
        let checksStarted: number | undefined;
        let checksEnded: number | undefined;
        llm.enqueue([
          replay.text(
            searchReplaceBlock(
              'src/mod-3.ts',
              '  return base * options.factor + 3;',
              '  return base * options.factor + 30;',
            ),
          ),
        ]);
        const result = await runTask(
          { taskId: `bench-${i}`, prompt: 'Make step 3 add 30.', files },
          {
            llm: createLlmClient({
              provider: 'openai-compatible',
              baseUrl: `${llm.url}/v1`,
              apiKey: 'bench-key',
              model: 'replay-model',
              timeoutMs: 60_000,
              maxRetries: 0,
            }),
            model: 'replay-model',
            // The checks run side by side, so their share is the span from the first check event to the last.
            emit: (event) => {
              if (event.type !== 'check') return;
              const now = performance.now();
              checksStarted ??= now;
              checksEnded = now;
            },
            validators: [syntaxValidator],
            sandbox,
            checks: taskChecks(sandbox, logger),
            signal: new AbortController().signal,
          },
        );
        if (result.outcome !== 'proposed' || !result.firstRoundPassed) {
          throw new Error(`the task did not pass at once: ${result.outcome} ${result.error?.message ?? ''}`);
        }
        taskWall.push(result.totalMs);
        taskChecksMs.push((checksEnded ?? 0) - (checksStarted ?? 0));
      }
    } finally {
      await llm.close();
    }

    const p = percentiles(samples);
    const rows: Record<string, BenchResult> = {
      'cold install (once, from the registry)': { n: 1, p50: round(coldMs, 0), note: `${files.size} files` },
      'warm full checks (install from cache + typecheck + lint + test + security)': {
        n: p.n,
        p50: round(p.p50, 0),
        p99: round(p.p99, 0),
        max: round(p.max, 0),
        target: `< ${WARM_CHECKS_TARGET_MS} ms`,
        met: p.p50 < WARM_CHECKS_TARGET_MS ? 'yes' : 'no',
        // Sandboxed processes, as many at once as the sandbox has slots: the figure moves with how busy the machine is.
        note: `load ${round(loadavg()[0] ?? 0, 1)} on ${cpus().length} cores at the end`,
      },
    };
    for (const [check, values] of perCheck) {
      const c = percentiles(values);
      rows[`  ${check}`] = { n: c.n, p50: round(c.p50, 0), p99: round(c.p99, 0), max: round(c.max, 0) };
    }
    const wall = percentiles(taskWall);
    const shares = taskWall.map((w, i) => (taskChecksMs[i] ?? 0) / w);
    rows['task with checks (replay model, answers at once)'] = {
      n: wall.n,
      p50: round(wall.p50, 0),
      max: round(wall.max, 0),
      checksShareP50: `${round(percentiles(shares).p50 * 100, 1)}%`,
      note: 'model time ~0 here: with a real model the share is lower',
    };
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
