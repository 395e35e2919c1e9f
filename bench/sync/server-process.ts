// Starts one sync server as a child process and reads its memory and CPU time from /proc, so each server is measured alone.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { assertNotInterrupted, onCleanup } from './cleanup.ts';

export interface ProcessStats {
  rssMb: number;
  /** High-water mark of the resident set since the process started. */
  peakMb: number;
  /** User + system CPU time the process has used so far (an in-process database included, PostgreSQL not). */
  cpuSeconds: number;
}

export interface ServerProcess {
  url: string;
  pid: number;
  stats(): ProcessStats;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

/**
 * Every server runs as production JavaScript on plain Node, as `pnpm start` runs Tandem: under tsx each would carry
 * about 45 MB of loader and transpiled sources. All entries are bundled together once per bench run with the
 * server's own build (into apps/server, where the bundle resolves the packages it leaves external); returns the
 * file to run for `entry`.
 */
export async function compiled(entry: string): Promise<string> {
  build ??= (async () => {
    const { buildServer } = await import('../../apps/server/build.ts');
    const entries = readdirSync(entriesDir).filter((file) => file.endsWith('-server.ts'));
    await buildServer({
      entryPoints: Object.fromEntries(
        entries.map((file) => [path.basename(file, '.ts'), path.join(entriesDir, file)]),
      ),
      outdir: compiledDir,
    });
  })();
  await build;
  return path.join(compiledDir, `${path.basename(entry, '.ts')}.js`);
}

const entriesDir = path.join(import.meta.dirname, 'servers');
const compiledDir = path.join(repoRoot, 'apps/server/dist-bench');
let build: Promise<void> | undefined;

export async function startServer(
  entry: string,
  env: Record<string, string>,
  nodeOptions: readonly string[] = [],
  startTimeoutMs = 60_000,
): Promise<ServerProcess> {
  assertNotInterrupted();
  const extra = process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeOptions, ...extra, await compiled(entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${entry}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = onCleanup({
    sync: () => child.kill('SIGKILL'),
    async: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  });

  // Kept for the error message if the server dies; pipes are drained all along so it never blocks on a full one.
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
  };
  createInterface({ input: child.stderr }).on('line', keep);
  if (process.env.BENCH_SERVER_LOG) {
    const { createWriteStream } = await import('node:fs');
    const out = createWriteStream(process.env.BENCH_SERVER_LOG);
    child.stdout.on('data', (d: Buffer) => out.write(d));
    child.stderr.on('data', (d: Buffer) => out.write(d));
  }
  const lines = createInterface({ input: child.stdout });

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${entry} did not start in ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${entry} exited (${signal ?? code}) before listening:\n${tail.join('\n')}`));
      });
      lines.on('line', (line) => {
        keep(line);
        try {
          const parsed = JSON.parse(line) as { url?: unknown };
          if (typeof parsed.url === 'string') {
            clearTimeout(timer);
            resolve(parsed.url);
          }
        } catch {
          // Not JSON: ordinary output.
        }
      });
    });
    return {
      url,
      pid,
      stats: () => readStats(pid),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// Linux reports CPU time in clock ticks of USER_HZ, which is 100 on every mainstream architecture.
const TICKS_PER_SECOND = 100;

/** Memory and CPU time of any process on this machine, from /proc. */
export function readStats(pid: number): ProcessStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, cpuSeconds: ticks / TICKS_PER_SECOND };
}
