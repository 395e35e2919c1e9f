// Archive work and everyone else's edits: latency of an edit between two y-websocket clients in one workspace while
// nothing else happens, during a 50 MB upload into another workspace, and during three parallel downloads of that
// workspace, in rounds. The server is the production bundle on plain Node with PGlite in a data folder, as
// `pnpm start` runs it; the clients run here. Target: p99 during archive work within 2x of idle. `pnpm bench
// archive`; figures go to bench/results/archive.json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { startOptions } from '../apps/server/build.ts';
import { randomBlobs, sourceTree, tarGz } from '../apps/server/test/archive-fixture.ts';
import { signedUpClient } from '../apps/server/test/harness.ts';
import { synced, timedEdit, until, yClient } from '../apps/server/test/yjs-client.ts';
import { onCleanup } from './sync/cleanup.ts';
import { compiled, startServer } from './sync/server-process.ts';
import { percentiles, report, round } from './stats.ts';

/** Pause between edits: a brisk typist, and enough samples for a p99 in a few seconds. */
const EDIT_INTERVAL_MS = 20;
/**
 * Rounds of idle time, upload and downloads, each into a new workspace, their samples pooled. One upload lasts about
 * 3 s, some 150 edits: its p99 was the second-slowest edit, and a single hiccup of the machine swung it by 2x from
 * run to run. Idle time in every round too, so that the machine's drift weighs on both sides alike.
 */
const ROUNDS = 3;
const IDLE_MS = 4_000;
/** Quiet time after the bulk workspace is deleted, before its memory is measured again. */
const RELEASE_MS = 20_000;

/**
 * What the uploader and the downloaders do, in a process of their own: they are other people on other machines,
 * and in the process that measures the peers' edits, reading 150 MB of downloads delayed those edits by itself.
 */
const transferScript = `
const [op, base, cookie, arg] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const check = async (response) => {
  if (!response.ok) throw new Error(op + ' failed: ' + response.status + ' ' + (await response.text()));
  return response;
};
if (op === 'upload') {
  await check(await fetch(base + '/upload', {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/gzip' },
    body: readFileSync(arg),
  }));
  console.log('[]');
} else {
  const one = async () => {
    const response = await check(await fetch(base + '/archive?format=zip', { headers: { cookie } }));
    let bytes = 0;
    for await (const chunk of response.body) bytes += chunk.byteLength;
    return bytes;
  };
  console.log(JSON.stringify(await Promise.all(Array.from({ length: Number(arg) }, one))));
}`;

function transfer(op: 'upload' | 'download', base: string, cookie: string, arg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', transferScript, op, base, cookie, arg],
      { maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${op}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

export async function run() {
  // ~70 MB of source and ~28 MB of barely compressible text: a 49 MB archive of 98 MB of files, just inside both
  // the 50 MB upload and the 100 MiB workspace limits.
  const archive = tarGz([...sourceTree(70 * 1024 * 1024), ...randomBlobs(28 * 1024 * 1024)]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-archive-bench-'));
  const removeDir = onCleanup({ sync: () => rmSync(dataDir, { recursive: true, force: true }) });
  const entry = path.join(import.meta.dirname, 'sync/servers/tandem-server.ts');
  const env = { BENCH_DATA_DIR: dataDir, BENCH_DATABASE_URL: '' };
  const prepared = spawnSync(process.execPath, [await compiled(entry)], {
    env: { ...process.env, ...env, BENCH_PREPARE_ONLY: '1' },
    encoding: 'utf8',
  });
  if (prepared.status !== 0) throw new Error(`preparing the database failed:\n${prepared.stderr}`);
  const server = await startServer(entry, env, startOptions());
  try {
    const owner = await signedUpClient(server.url, 'Bench');
    const cookie = owner.jar.header();
    const quietId = (await owner.trpc.workspace.create.mutate({ name: 'quiet' })).id;
    const writer = yClient(server.url, quietId, cookie);
    const reader = yClient(server.url, quietId, cookie);
    await Promise.all([synced(writer), synced(reader)]);
    writer.text('notes.md').insert(0, 'start\n');
    await until(() => reader.doc.getMap('files').has('notes.md'), 10_000, 'the notes file');
    let n = 0;
    // BENCH_ARCHIVE_TRACE names a file for every edit's start (the monotonic clock a server's --cpu-prof uses, in
    // µs), latency and phase, to line slow edits up with the server's profile.
    const trace: string[] = [];
    let phase = 'warm-up';
    const edit = async () => {
      const at = process.hrtime.bigint() / 1000n;
      const ms = await timedEdit(writer, reader, 'notes.md', `edit ${(n += 1)}\n`);
      trace.push(`${at} ${ms.toFixed(2)} ${phase}`);
      return ms;
    };

    /** Edit latencies until `work` settles; the work's own duration too. */
    const during = async (work: Promise<unknown>) => {
      const started = performance.now();
      let done = false;
      const finished = work.finally(() => (done = true));
      const samples: number[] = [];
      while (!done) {
        samples.push(await edit());
        await delay(EDIT_INTERVAL_MS);
      }
      await finished;
      return { samples, seconds: (performance.now() - started) / 1000 };
    };

    const archiveFile = path.join(dataDir, 'upload.tar.gz');
    writeFileSync(archiveFile, archive);
    const base = (workspaceId: string) => `${server.url}/api/workspaces/${workspaceId}`;
    const upload = (workspaceId: string) => transfer('upload', base(workspaceId), cookie, archiveFile);
    const downloads = (workspaceId: string, count: number) =>
      transfer('download', base(workspaceId), cookie, String(count));

    // Warm-up: connections, the quiet room, the JIT.
    await during(delay(2_000));
    const idle = { samples: [] as number[], seconds: 0 };
    const uploading = { samples: [] as number[], seconds: 0 };
    const downloading = { samples: [] as number[], seconds: 0 };
    const pool = (into: typeof idle, phase: typeof idle) => {
      into.samples.push(...phase.samples);
      into.seconds += phase.seconds / ROUNDS;
    };
    const sizes: number[] = [];
    let rssIdle = 0;
    let rssUploaded = 0;
    let rssDownloaded = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const bulkId = (await owner.trpc.workspace.create.mutate({ name: `bulk ${round + 1}` })).id;
      phase = 'idle';
      pool(idle, await during(delay(IDLE_MS)));
      rssIdle ||= server.stats().rssMb;
      phase = 'upload';
      pool(uploading, await during(upload(bulkId)));
      rssUploaded ||= server.stats().rssMb;
      phase = 'downloads';
      const answer = downloads(bulkId, 3).then((text) => sizes.push(...(JSON.parse(text) as number[])));
      pool(downloading, await during(answer));
      rssDownloaded ||= server.stats().rssMb;
      // Memory that comes back (after the last round): the workspace deleted, then quiet time for the collector.
      await owner.trpc.workspace.delete.mutate({ workspaceId: bulkId });
    }
    phase = 'release';
    await during(delay(RELEASE_MS));
    if (process.env.BENCH_ARCHIVE_TRACE)
      writeFileSync(process.env.BENCH_ARCHIVE_TRACE, trace.join('\n') + '\n');
    const rssDeleted = server.stats();
    writer.destroy();
    reader.destroy();

    const idleStats = percentiles(idle.samples);
    const row = (phase: { samples: number[]; seconds: number }, work: string) => {
      const stats = percentiles(phase.samples);
      return {
        work,
        edits: stats.n,
        'p50 ms': round(stats.p50),
        'p99 ms': round(stats.p99),
        'max ms': round(stats.max),
        'p99 / idle p99': round(stats.p99 / idleStats.p99),
        'seconds per round': round(phase.seconds, 1),
      };
    };
    const mb = (bytes: number) => `${round(bytes / 1e6, 1)} MB`;
    report('archive', {
      idle: row(idle, `none (${ROUNDS} rounds)`),
      upload: row(uploading, `tar.gz upload of ${mb(archive.length)} (${ROUNDS} rounds)`),
      downloads: row(downloading, `3 parallel zip downloads of ${mb(sizes[0] ?? 0)} (${ROUNDS} rounds)`),
    });
    report('archive-memory', {
      server: {
        'rss idle MB': round(rssIdle),
        'rss after upload MB': round(rssUploaded),
        'rss after downloads MB': round(rssDownloaded),
        [`rss ${RELEASE_MS / 1000} s after delete MB`]: round(rssDeleted.rssMb),
        'rss peak MB': round(rssDeleted.peakMb),
      },
    });
  } finally {
    await server.stop();
    await removeDir();
  }
}
