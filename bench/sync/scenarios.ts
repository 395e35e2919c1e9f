// The three loads, written once against any server: live fan-out in one room, many small rooms, and the initial
// sync of a large workspace. Latency is measured in this process, from the writer's local insert to each
// receiver's observer, so it includes both client-side Yjs work and the server; the clients are the same for every
// server except the provider class Hocuspocus requires.
import * as Y from 'yjs';
import { percentiles, round, type BenchResult } from '../stats.ts';
import type { SyncClient } from './clients.ts';
import { mapLimit, paced, sleep, until, withTimeout } from './load.ts';
import type { ProcessStats } from './server-process.ts';

export interface Server {
  stats(): ProcessStats;
  newRoom(): Promise<string>;
  /**
   * Starts the server process again on the same data, as a deployment holds its workspaces before anyone opens
   * them: Tandem creates a room through its API (database rows, an audit entry), and the memory those requests
   * leave behind is not the cost of a room being edited. A no-op for servers whose rooms are only names.
   */
  restart(): Promise<void>;
  connect(room: string): SyncClient;
}

const PATH = 'bench.txt';
const SYNC_TIMEOUT_MS = 30_000;

/** Each edit appends `~<seq>;`, so a receiver can tell which edit it is looking at from the text alone. */
const marker = /~(\d+);/g;

async function synced(clients: readonly SyncClient[]) {
  await withTimeout(Promise.all(clients.map((c) => c.synced)), SYNC_TIMEOUT_MS, 'clients to sync');
}

/** Writer creates the shared text and everyone waits until all receivers have it, so timed edits are plain inserts. */
async function shareText(writer: SyncClient, receivers: readonly SyncClient[]): Promise<Y.Text> {
  const text = new Y.Text('start;');
  writer.files.set(PATH, text);
  await until(() => receivers.every((r) => r.files.has(PATH)), SYNC_TIMEOUT_MS, 'receivers to see the file');
  return text;
}

/** Records, per received edit, the time since its writer inserted it. `sent` is shared with the writer. */
function listen(
  receiver: SyncClient,
  sent: number[],
  warmup: number,
  samples: number[],
  onSample: (sentAt: number, latency: number) => void = () => undefined,
) {
  const seen = { count: 0 };
  const text = receiver.files.get(PATH);
  if (!text) throw new Error('receiver lacks the shared text');
  text.observe((event) => {
    const now = performance.now();
    for (const op of event.delta) {
      if (typeof op.insert !== 'string') continue;
      for (const match of op.insert.matchAll(marker)) {
        const seq = Number(match[1]);
        seen.count++;
        const at = sent[seq];
        if (seq >= warmup && at !== undefined) {
          samples.push(now - at);
          onSample(at, now - at);
        }
      }
    }
  });
  return seen;
}

function latencyColumns(samples: number[], expected: number) {
  const p = percentiles(samples);
  return {
    samples: p.n,
    p50_ms: round(p.p50),
    p99_ms: round(p.p99),
    max_ms: round(p.max),
    lost: expected - p.n,
  };
}

export interface FanOutLoad {
  clients: number;
  editsPerSecond: number;
  seconds: number;
  /** Leading edits left out of the figures (connection warm-up, JIT). */
  warmupEdits: number;
  drainMs: number;
}

/** One writer and `clients - 1` receivers in one room; the writer edits at a steady rate. */
export async function fanOut(server: Server, load: FanOutLoad): Promise<BenchResult> {
  const room = await server.newRoom();
  const joinStart = performance.now();
  const writer = server.connect(room);
  const receivers = Array.from({ length: load.clients - 1 }, () => server.connect(room));
  await synced([writer, ...receivers]);
  const joinMs = performance.now() - joinStart;
  const text = await shareText(writer, receivers);

  const edits = Math.round(load.editsPerSecond * load.seconds);
  const sent: number[] = [];
  const samples: number[] = [];
  const seen = receivers.map((r) => listen(r, sent, load.warmupEdits, samples));
  const cpu = cpuMeter(server);
  await paced(edits, load.editsPerSecond, (seq) => {
    sent[seq] = performance.now();
    text.insert(text.length, `~${seq};`);
  });
  await until(() => seen.every((s) => s.count >= edits), load.drainMs, 'edits to arrive').catch(
    () => undefined,
  );
  return {
    ...latencyColumns(samples, (edits - load.warmupEdits) * receivers.length),
    server_cpu_pct: cpu(),
    /** All clients connecting at once until the last one has synced. */
    join_ms: round(joinMs, 0),
  };
}

/** Share of one core the server process used from now until the returned function is called. */
function cpuMeter(server: Server): () => number {
  const cpu = server.stats().cpuSeconds;
  const wall = performance.now();
  return () => round(((server.stats().cpuSeconds - cpu) * 100_000) / (performance.now() - wall), 0);
}

export interface RoomsLoad {
  rooms: number;
  editsPerSecondPerRoom: number;
  seconds: number;
  /** Rooms connecting at the same time while setting up. */
  connectConcurrency: number;
  /**
   * How long the server sits with no clients before its idle memory is read. V8 shrinks the heaps of a process that
   * has gone quiet about 8 s after its last activity (its memory reducer); before that, a server that did more at
   * startup (migrations, an embedded database) reads up to 30 MB above what it settles at.
   */
  idleSettleMs: number;
  drainMs: number;
}

/**
 * The server's resident memory as the median of a second's samples: a single reading moves by several MB with where
 * each heap is in its collection cycle, which alone made the per-room figure vary twofold between identical runs.
 */
async function steadyRss(server: Server): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 21; i++) {
    if (i > 0) await sleep(50);
    samples.push(server.stats().rssMb);
  }
  return percentiles(samples).p50;
}

/** `rooms` rooms with a writer and a peer each, all editing at once; also the server's memory before and after. */
export async function manyRooms(server: Server, load: RoomsLoad): Promise<BenchResult> {
  const rooms = await mapLimit(
    Array.from({ length: load.rooms }, (_v, i) => i),
    8,
    () => server.newRoom(),
  );
  await server.restart();
  await sleep(load.idleSettleMs);
  const idle = await steadyRss(server);
  const pairs = await mapLimit(rooms, load.connectConcurrency, async (room) => {
    const writer = server.connect(room);
    const peer = server.connect(room);
    await synced([writer, peer]);
    return { writer, peer, text: await shareText(writer, [peer]) };
  });
  const loaded = await steadyRss(server);

  const edits = Math.round(load.editsPerSecondPerRoom * load.seconds);
  const samples: number[] = [];
  // Latency of the first and the last second of edits: a server that keeps up has the same in both, one that falls
  // behind builds a queue and the last second is worse.
  const start = performance.now();
  const firstSecond: number[] = [];
  const lastSecond: number[] = [];
  const onSample = (sentAt: number, latency: number) => {
    if (sentAt - start < 1000) firstSecond.push(latency);
    else if (sentAt - start >= (load.seconds - 1) * 1000) lastSecond.push(latency);
  };
  const cpu = cpuMeter(server);
  const seen = await Promise.all(
    pairs.map(async ({ peer, text }) => {
      const sent: number[] = [];
      const seenByPeer = listen(peer, sent, 1, samples, onSample);
      // Rooms start at random phases, as independent users would, rather than in lock-step bursts.
      const offset = Math.random() * (1000 / load.editsPerSecondPerRoom);
      await paced(
        edits,
        load.editsPerSecondPerRoom,
        (seq) => {
          sent[seq] = performance.now();
          text.insert(text.length, `~${seq};`);
        },
        offset,
      );
      return seenByPeer;
    }),
  );
  await until(() => seen.every((s) => s.count >= edits), load.drainMs, 'edits to arrive').catch(
    () => undefined,
  );
  const cpuPct = cpu();
  const after = server.stats();
  return {
    clients: pairs.length * 2,
    ...latencyColumns(samples, (edits - 1) * pairs.length),
    p50_first_s_ms: round(percentiles(firstSecond).p50),
    p50_last_s_ms: round(percentiles(lastSecond).p50),
    server_cpu_pct: cpuPct,
    rss_idle_mb: round(idle, 1),
    rss_loaded_mb: round(loaded, 1),
    rss_after_mb: round(after.rssMb, 1),
    rss_peak_mb: round(after.peakMb, 1),
    kb_per_room: round(((loaded - idle) * 1024) / load.rooms, 1),
  };
}

export interface InitialSyncLoad {
  files: number;
  totalBytes: number;
  /** Files per seeding transaction, so no single update exceeds a server's message limit. */
  filesPerUpdate: number;
  runs: number;
  /** How long the room is left without clients before the cold load, so the server unloads it. */
  unloadWaitMs: number;
}

/** Deterministic, source-like ASCII (so characters are bytes), distinct per file. */
export function fileContent(index: number, chars: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let line = 0; length < chars; line++) {
    const text = `export const value_${index}_${line} = ${(index * 7919 + line * 104729) % 1_000_003}; // filler\n`;
    lines.push(text);
    length += text.length;
  }
  return lines.join('').slice(0, chars);
}

function whenComplete(client: SyncClient, files: number, chars: number, timeoutMs: number): Promise<number> {
  const complete = () => {
    if (client.files.size < files) return false;
    let total = 0;
    for (const text of client.files.values()) total += text.length;
    return total >= chars;
  };
  const done = new Promise<number>((resolve) => {
    if (complete()) {
      resolve(performance.now());
      return;
    }
    const onUpdate = () => {
      if (!complete()) return;
      client.doc.off('update', onUpdate);
      resolve(performance.now());
    };
    client.doc.on('update', onUpdate);
  });
  return withTimeout(done, timeoutMs, `all ${files} files to arrive`);
}

function seedFiles(doc: Y.Doc, from: number, to: number, perFile: number): void {
  const files = doc.getMap<Y.Text>('files');
  doc.transact(() => {
    for (let i = from; i < to; i++) {
      files.set(`src/file-${String(i).padStart(3, '0')}.ts`, new Y.Text(fileContent(i, perFile)));
    }
  });
}

/** `files` files in transactions of `perUpdate` files, one after another. */
function seedAll(doc: Y.Doc, files: number, perUpdate: number, perFile: number): void {
  for (let first = 0; first < files; first += perUpdate) {
    seedFiles(doc, first, Math.min(files, first + perUpdate), perFile);
  }
}

/**
 * This process's share of a seed and a first sync, done once without a server: building the files, encoding each
 * transaction's update and applying a whole workspace. Otherwise whichever server is timed first would also be timed
 * for the bench's own code being compiled (its seed took 150-200 ms longer than the same server's timed second).
 */
function warmUpClient(load: InitialSyncLoad, perFile: number): void {
  const doc = new Y.Doc();
  doc.on('update', () => undefined);
  seedAll(doc, load.files, load.filesPerUpdate, perFile);
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  doc.destroy();
  copy.destroy();
}

/**
 * One untimed, smaller round of the same on a room of its own: the first server timed was otherwise also timed for
 * this process's networking and sync-protocol code (and its own) being compiled, and read 40-80 ms slower than the
 * same server timed later. The room is left for the server to store and unload before the timed round.
 */
async function warmUpRound(server: Server, load: InitialSyncLoad, perFile: number): Promise<void> {
  const files = Math.max(1, Math.round(load.files / 10));
  const room = await server.newRoom();
  const seeder = server.connect(room);
  await synced([seeder]);
  seedAll(seeder.doc, files, load.filesPerUpdate, perFile);
  const reader = server.connect(room);
  await whenComplete(reader, files, files * perFile, 60_000);
  reader.destroy();
  seeder.destroy();
  await sleep(load.unloadWaitMs);
}

/**
 * Seeds a room with `files` files of `totalBytes` in all, then times fresh clients from connecting to holding every
 * file. The seeder stays connected (a server without persistence would drop the room otherwise); a server with
 * persistence is also timed cold, after its last client left and the room was unloaded.
 */
export async function initialSync(
  server: Server,
  persistent: boolean,
  load: InitialSyncLoad,
): Promise<BenchResult> {
  const perFile = Math.floor(load.totalBytes / load.files);
  const chars = perFile * load.files;
  warmUpClient(load, perFile);
  await warmUpRound(server, load, perFile);
  const room = await server.newRoom();
  const seeder = server.connect(room);
  await synced([seeder]);

  const seedStart = performance.now();
  for (let first = 0; first < load.files; first += load.filesPerUpdate) {
    seedFiles(seeder.doc, first, Math.min(load.files, first + load.filesPerUpdate), perFile);
    // Lets the socket write between updates, as a real upload would.
    await sleep(0);
  }
  const settle = server.connect(room);
  const seedMs = (await whenComplete(settle, load.files, chars, 60_000)) - seedStart;

  const warm: number[] = [];
  for (let run = 0; run < load.runs; run++) {
    const started = performance.now();
    const client = server.connect(room);
    warm.push((await whenComplete(client, load.files, chars, 60_000)) - started);
    client.destroy();
  }
  const rss = server.stats();

  let coldMs: number | string = 'n/a (in memory only)';
  if (persistent) {
    settle.destroy();
    seeder.destroy();
    await sleep(load.unloadWaitMs);
    const started = performance.now();
    const client = server.connect(room);
    coldMs = round((await whenComplete(client, load.files, chars, 60_000)) - started);
    client.destroy();
  }
  const p = percentiles(warm);
  return {
    files: load.files,
    mb: round(chars / 1024 / 1024, 1),
    seed_visible_ms: round(seedMs),
    warm_runs: p.n,
    warm_p50_ms: round(p.p50),
    warm_max_ms: round(p.max),
    cold_ms: coldMs,
    rss_mb: round(rss.rssMb, 1),
    rss_peak_mb: round(rss.peakMb, 1),
  };
}
