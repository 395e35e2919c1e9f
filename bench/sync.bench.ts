// Yjs sync server under load on loopback: Tandem (persist-then-broadcast, PGlite on disk, and PostgreSQL when
// DATABASE_URL is set) against Hocuspocus 4 (in memory, and persisting into PGlite after its debounce) and the
// classic y-websocket server, each bundled and in its own child process on plain Node, driven by real Yjs clients in
// this process. `pnpm bench sync`; figures go to bench/results/sync-*.json.
import { loadavg } from 'node:os';
import type { BenchResult } from './stats.ts';
import { report } from './stats.ts';
import { isInterrupted, onCleanup } from './sync/cleanup.ts';
import type { SyncClient } from './sync/clients.ts';
import { withTimeout } from './sync/load.ts';
import { fanOut, initialSync, manyRooms, type Server } from './sync/scenarios.ts';
import { targets, type Target } from './sync/targets.ts';

/** 1. Fan-out: clients in one room (one of them the writer), edit rate and duration. */
const FANOUT_CLIENTS = [2, 20, 100];
const FANOUT_EDITS_PER_SECOND = 50;
const FANOUT_SECONDS = 3;
const FANOUT_WARMUP_EDITS = 10;

/** 2. Many small rooms: a writer and a peer in each. */
const ROOMS = 200;
const ROOM_EDITS_PER_SECOND = 2;
const ROOM_SECONDS = 5;
const ROOM_CONNECT_CONCURRENCY = 25;
const ROOM_IDLE_SETTLE_MS = 12_000;

/** 3. Initial sync of a large workspace. */
const INITIAL_FILES = 500;
const INITIAL_BYTES = 10 * 1024 * 1024;
const INITIAL_FILES_PER_UPDATE = 25;
const INITIAL_RUNS = 3;
const UNLOAD_WAIT_MS = 1_500;

const DRAIN_MS = 10_000;
/** Per server and load, setup included; a stuck run is reported as an error and the next one goes on. */
const LOAD_TIMEOUT_MS = 120_000;

type Load = (server: Server, target: Target) => Promise<Record<string, BenchResult>>;

const loads: { table: string; run: Load }[] = [
  {
    table: 'sync-fanout',
    run: async (server) => {
      const rows: Record<string, BenchResult> = {};
      for (const clients of FANOUT_CLIENTS) {
        rows[`${clients} clients`] = await fanOut(server, {
          clients,
          editsPerSecond: FANOUT_EDITS_PER_SECOND,
          seconds: FANOUT_SECONDS,
          warmupEdits: FANOUT_WARMUP_EDITS,
          drainMs: DRAIN_MS,
        });
      }
      return rows;
    },
  },
  {
    table: 'sync-rooms',
    run: async (server) => ({
      [`${ROOMS} rooms x 2`]: await manyRooms(server, {
        rooms: ROOMS,
        editsPerSecondPerRoom: ROOM_EDITS_PER_SECOND,
        seconds: ROOM_SECONDS,
        connectConcurrency: ROOM_CONNECT_CONCURRENCY,
        idleSettleMs: ROOM_IDLE_SETTLE_MS,
        drainMs: DRAIN_MS,
      }),
    }),
  },
  {
    table: 'sync-initial',
    run: async (server, target) => ({
      [`${INITIAL_FILES} files`]: await initialSync(server, target.persistent, {
        files: INITIAL_FILES,
        totalBytes: INITIAL_BYTES,
        filesPerUpdate: INITIAL_FILES_PER_UPDATE,
        runs: INITIAL_RUNS,
        unloadWaitMs: UNLOAD_WAIT_MS,
      }),
    }),
  },
];

/** Runs one load on a freshly started server, so memory figures and rooms never carry over between loads. */
async function measure(target: Target, load: Load): Promise<Record<string, BenchResult>> {
  const clients: SyncClient[] = [];
  const destroyClients = onCleanup({ sync: () => clients.splice(0).forEach((c) => c.destroy()) });
  const startedAt = performance.now();
  const running = await target.start();
  console.error(`  ${target.name} started in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  try {
    const server: Server = {
      stats: () => running.stats(),
      newRoom: () => running.newRoom(),
      restart: async () => {
        await running.restart?.();
      },
      connect: (room) => {
        const client = running.connect(room);
        clients.push(client);
        return client;
      },
    };
    return await withTimeout(load(server, target), LOAD_TIMEOUT_MS, target.name);
  } finally {
    await destroyClients();
    await running.stop();
  }
}

export async function run() {
  // y-websocket's provider adds one process 'exit' listener per instance.
  process.setMaxListeners(Math.max(process.getMaxListeners(), ROOMS * 2 + 50));
  // SYNC_BENCH_SERVERS=hocuspocus,pglite runs only the servers whose names contain one of the words.
  const only = (process.env.SYNC_BENCH_SERVERS ?? '').split(',').filter(Boolean);
  const servers = targets(process.env.DATABASE_URL || undefined).filter(
    (t) => only.length === 0 || only.some((word) => t.name.includes(word)),
  );
  // SYNC_BENCH_LOADS=sync-rooms runs only the named tables.
  const loadNames = (process.env.SYNC_BENCH_LOADS ?? '').split(',').filter(Boolean);
  for (const { table, run: load } of loads.filter(
    (l) => loadNames.length === 0 || loadNames.includes(l.table),
  )) {
    const rows: Record<string, BenchResult> = {};
    for (const target of servers) {
      if (isInterrupted()) break;
      const started = performance.now();
      try {
        for (const [name, row] of Object.entries(await measure(target, load)))
          rows[`${target.name} · ${name}`] = row;
      } catch (error) {
        rows[target.name] = { error: error instanceof Error ? error.message : String(error) };
      }
      // Figures from a busy machine are not comparable; the load average says how busy it was.
      const busy = loadavg()
        .map((l) => l.toFixed(1))
        .join(' ');
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.error(`${table}: ${target.name} done in ${seconds} s (load average ${busy})`);
    }
    // Interrupted: the signal handler cleans up and exits; half a table must not overwrite the last good one.
    if (isInterrupted()) return;
    report(table, rows);
  }
}
