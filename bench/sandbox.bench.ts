// Sandbox start-up overhead: an empty command (`true`) through the real bwrap sandbox, 50 times after a warm-up,
// next to the same command spawned directly, so the figure separates the sandbox's cost from this machine's
// process start-up. With per-run cgroups (as the server runs here) and with rlimits only. Wall times swing with the
// machine's load, so the CPU time the runs' processes used (children's user + system time, from /proc/self/stat)
// is given per run too: that figure does not depend on how busy the machine is. Target: overhead under 50 ms at
// p50. Then full checks of a ~50-file TypeScript project with a warm dependency cache (sandbox/warm-checks.ts;
// target under 10 s at p50) and their share of a task's wall time. `pnpm bench sandbox`; figures go to
// bench/results/sandbox.json and bench/results/sandbox-checks.json.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBwrapSandbox, type BwrapSandboxOptions } from '../apps/server/src/sandbox/bwrap.ts';
import { measureWarmChecks } from './sandbox/warm-checks.ts';
import { percentiles, report, round } from './stats.ts';

const RUNS = 50;
const WARMUP = 5;

/** CPU time of reaped children (cutime + cstime), in ms; clock ticks are 10 ms on Linux. */
function childCpuMs(): number {
  // Fields after the command name (which may hold spaces) start at the state, field 3; cutime and cstime are 16, 17.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

async function timed(once: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i += 1) await once();
  const samples: number[] = [];
  const cpuBefore = childCpuMs();
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  return { ...percentiles(samples), cpuMsPerRun: (childCpuMs() - cpuBefore) / RUNS };
}

const spawnTrue = () =>
  new Promise<void>((resolve, reject) => {
    const child = spawn('true', [], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });

export async function run() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-sandbox-bench-'));
  try {
    const base: BwrapSandboxOptions = { searchPath: process.env.PATH ?? '/usr/bin:/bin', dataDir };
    const baseline = await timed(spawnTrue);
    const results: Record<string, Record<string, number | string>> = {
      'spawn true (no sandbox)': { ...baseline, overheadP50: 0, overheadP99: 0 },
    };
    for (const [name, options] of [
      ['sandbox, cgroups', base],
      ['sandbox, rlimits only', { ...base, cgroupRoot: false as const }],
    ] as const) {
      const sandbox = createBwrapSandbox(options);
      const status = await sandbox.ready;
      if (!status.available) throw new Error(`sandbox unavailable: ${status.reason ?? ''}`);
      const samples = await timed(async () => {
        const result = await sandbox.run({ command: ['true'], files: new Map() });
        if (result.end !== 'exit' || result.exitCode !== 0) throw new Error(`true failed: ${result.stderr}`);
      });
      results[`${name} (${status.limitsBy.split(' ')[0] ?? ''})`] = {
        ...samples,
        overheadP50: samples.p50 - baseline.p50,
        overheadP99: samples.p99 - baseline.p99,
      };
    }
    for (const row of Object.values(results)) {
      for (const [key, value] of Object.entries(row))
        if (typeof value === 'number') row[key] = round(value, 1);
    }
    report('sandbox', results);
    report('sandbox-checks', await measureWarmChecks());
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
