// The orchestrator under load, with the replay provider at full speed: (1) what parsing, applying, validating and
// diffing a 50-file changeset costs on top of the model's own stream, (2) how fast task events reach 50 live
// subscribers through the real server, (3) how exactly edit blocks derived from this repository's real commits
// apply, clean and with the whitespace slips models make. `pnpm bench orchestrator`; figures go to
// bench/results/orchestrator*.json.
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { measureAccuracy } from './orchestrator/accuracy.ts';
import { measureChangeset } from './orchestrator/changeset.ts';
import { fanOutRow, startFanOutBench, type FanOutRun } from './orchestrator/fanout.ts';
import { buildCorpus, hasGitHistory } from './orchestrator/git-corpus.ts';
import type { BenchResult } from './stats.ts';
import { percentiles, report, round } from './stats.ts';

/** Subscriber counts for the fan-out table (tRPC clients); the last one is the target scenario. */
const SUBSCRIBERS = [1, 10, 50];
/** Edit blocks in the fan-out answer: about two events each, so p99 rests on some 200 events, not one. */
const FANOUT_EDITS = 100;
/** Longer than the event log's 5 s safety-net poll, so an idle subscription shows what it reads per cycle. */
const IDLE_WINDOW_MS = 5_500;
/** Caps the accuracy corpus (newest history first) so that part stays well under a minute. */
const MAX_CORPUS_HUNKS = 1_500;

const repoDir = path.resolve(import.meta.dirname, '..');

function machine(): string {
  const [one = 0] = loadavg();
  return `load ${round(one, 1)} on ${cpus().length} cores`;
}

interface FanOutTargets {
  trpc: FanOutRun | undefined;
  socket: FanOutRun | undefined;
}

async function fanOut(): Promise<{ rows: Record<string, BenchResult>; target: FanOutTargets }> {
  const bench = await startFanOutBench();
  const rows: Record<string, BenchResult> = {};
  const target: FanOutTargets = { trpc: undefined, socket: undefined };
  try {
    for (const count of SUBSCRIBERS) {
      const run = await bench.runOnce(count, FANOUT_EDITS, 'trpc');
      rows[`${count} subscriber${count === 1 ? '' : 's'} (tRPC client, onData)`] = fanOutRow(run);
      target.trpc = run;
    }
    // The same load with bare sockets: delivery ends when the frame arrives; the tRPC clients' decoding, which on
    // this machine shares the two cores with the server, is left out.
    const count = SUBSCRIBERS.at(-1) ?? 50;
    target.socket = await bench.runOnce(count, FANOUT_EDITS, 'socket');
    rows[`${count} subscribers (socket, frame arrival)`] = fanOutRow(target.socket);
    // What one event costs the database when nothing else runs: the floor under the figures above.
    const append = percentiles(await bench.appendCost(200));
    const read = percentiles(await bench.readCost(200));
    rows['appendTaskEvent alone'] = { p50_ms: round(append.p50), p99_ms: round(append.p99) };
    rows['one catch-up read alone'] = { p50_ms: round(read.p50), p99_ms: round(read.p99) };
    const idle = await bench.idleReads(FANOUT_EDITS, IDLE_WINDOW_MS);
    rows['1 subscriber idle after done'] = {
      subscribers: 1,
      live_events: idle.events,
      note: `${idle.reads} event-log reads (${idle.empty} empty) in ${IDLE_WINDOW_MS / 1000} s of idling`,
    };
  } finally {
    await bench.close();
  }
  return { rows, target };
}

export async function run() {
  const started = performance.now();
  console.log(`\norchestrator bench: ${machine()} at start`);

  const changeset = await measureChangeset();
  report('orchestrator-changeset', changeset);

  const fan = await fanOut();
  report('orchestrator-fanout', fan.rows);

  let accuracy: Record<string, BenchResult> | undefined;
  if (hasGitHistory(repoDir)) {
    const corpus = buildCorpus({ repoDir, maxHunks: MAX_CORPUS_HUNKS });
    console.log(
      `\naccuracy corpus: ${corpus.blocks.length} blocks from ${corpus.hunksSeen} modified hunks of TypeScript ` +
        `files in ${corpus.commits} commits (${corpus.files.length} whole-file edits); skipped: ` +
        (JSON.stringify(corpus.skipped) === '{}' ? 'none' : JSON.stringify(corpus.skipped)),
    );
    accuracy = measureAccuracy(corpus);
    report('orchestrator-accuracy', accuracy);
  } else {
    console.log('\naccuracy: skipped, this checkout has no git history to build the corpus from.');
  }

  const overhead = Object.entries(changeset).find(([name]) => name.startsWith('runTask minus stream'))?.[1];
  const phases = changeset['phases total (in process)'];
  const delivery = (run: FanOutRun | undefined) => {
    if (run === undefined) return 'not run';
    const row = fanOutRow(run);
    return `p99 ${String(row.p99_ms)} ms (p50 ${String(row.p50_ms)} ms)`;
  };
  const written = fan.target.socket ?? fan.target.trpc;
  const writtenRow = written && fanOutRow(written);
  report('orchestrator', {
    'changeset phases, 50 files (target: tens of ms)': {
      measured: `p50 ${String(phases?.p50_ms)} ms wall, ${String(phases?.cpu_p50_ms)} ms CPU`,
    },
    'runTask overhead over the stream (target: < 5% of model time)': {
      measured: `p50 ${String(overhead?.p50_ms)} ms wall, ${String(overhead?.cpu_p50_ms)} ms CPU; ${String(overhead?.note)}`,
    },
    [`event delivery, ${String(written?.subscribers)} subscribers (target: p99 < 10 ms)`]: {
      measured:
        `frame arrival ${delivery(fan.target.socket)}; tRPC onData ${delivery(fan.target.trpc)}; ` +
        `server's socket write p99 ${String(writtenRow?.to_socket_p99_ms)} ms; ` +
        `${String(writtenRow?.delivered_per_s)} deliveries/s; subscribers' thread at ` +
        `${written?.prioritized ? 'raised' : 'normal'} priority`,
    },
    'well-formed real-commit blocks applied exactly (target: 100%)': {
      measured:
        accuracy === undefined
          ? 'skipped (no git history)'
          : `${String(accuracy['exact (well-formed)']?.['exact %'])}%`,
    },
    machine: { measured: `${machine()} at end, ${round((performance.now() - started) / 1000, 0)} s total` },
  });
}
