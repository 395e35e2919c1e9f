// Task-event fan-out through the real server: PGlite in memory, the task runner, the durable event log and the
// tRPC `task.events` subscription, each subscriber on its own WebSocket in a worker thread. The replay model
// streams at full speed from a thread of its own. Times are taken, without changing server code, at three points:
// when the server hands an event's seq to its task-event channel (a hook on the app's instance), when it writes the event to
// each subscriber's socket (a hook on `ws`'s send, which only server sockets use in this thread), and when each
// subscriber has it in the worker (`onData` for tRPC clients, the frame's arrival for bare sockets).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { createFile } from '../../packages/core/src/files/index.ts';
import { replay } from '../../packages/core/src/llm/testing/index.ts';
import { appendTaskEvent, listTaskEvents } from '../../apps/server/src/tasks/events.ts';
import { signedUpClient, startTestServer, type TestServer } from '../../apps/server/test/harness.ts';
import { wsTrpc } from '../../apps/server/test/trpc-ws.ts';
import type { BenchResult } from '../stats.ts';
import { percentiles, round } from '../stats.ts';
import type { ClientEvents, ClientKind, ClientsInput } from './fanout-clients.ts';
import { startReplayWorker, type ReplayWorker } from './replay-worker.ts';
import { tsWorker } from './ts-worker.ts';

const FENCE = '```';
const PROSE =
  'The next constant is read by the scheduler, so it moves one step up to keep the ordering intact. ';
/** Lets every subscriber connect and replay the log before the first token, so what follows is live. */
const THINK_MS = 2_000;

const now = () => performance.timeOrigin + performance.now();

export interface FanOutRun {
  subscribers: number;
  kind: ClientKind;
  /** Whether the subscribers' thread ran at a raised scheduling priority (see fanout-clients.ts). */
  prioritized: boolean;
  liveEvents: number;
  /** (event, subscriber) pairs delivered live. */
  deliveries: number;
  /** Publish to the client's onData, per delivery. */
  latency: number[];
  /** Publish to the server's socket write, per delivery. */
  toSocket: number[];
  /** Client receipt minus the event's stored `at` (append time, millisecond resolution). */
  sinceAppend: number[];
  spanMs: number;
  producedPerS: number;
  orderErrors: number;
  /** Event-log reads (subscribers' catch-up) and other statements (appends: one each). */
  dbReads: number;
  dbOther: number;
  /** Mean time a statement took, waiting for the single PGlite connection included. */
  dbQueryMs: number;
  /** Event-log reads that found nothing new. */
  dbEmptyReads: number;
  /** The server thread's event-loop delay while the task streamed. */
  loopDelayP99: number;
  loopDelayMax: number;
  cpuPct: number;
}

/** Each edit block yields an `output` event (the prose before it) and an `edit` event. */
function answer(edits: number): string {
  const parts = ['I will bump each constant by one.\n'];
  for (let i = 0; i < edits; i++) {
    parts.push(
      `\n${PROSE.repeat(3)}\n\nsrc/values.ts\n${FENCE}ts\n<<<<<<< SEARCH\nexport const value${i} = ${i};\n=======\n` +
        `export const value${i} = ${i + 1};\n>>>>>>> REPLACE\n${FENCE}\n`,
    );
  }
  return parts.join('');
}

const valuesFile = (edits: number): string =>
  Array.from({ length: edits }, (_, i) => `export const value${i} = ${i};\n`).join('');

function runClients(input: ClientsInput): Promise<ClientEvents> {
  return new Promise((resolve, reject) => {
    const worker = tsWorker(new URL('./fanout-clients.ts', import.meta.url), input);
    worker.once('message', (message: ClientEvents) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`orchestrator bench: client worker exited with ${code}`));
    });
  });
}

export interface FanOutBench {
  server: TestServer;
  llm: ReplayWorker;
  runOnce: (subscribers: number, edits: number, kind?: ClientKind) => Promise<FanOutRun>;
  /** Milliseconds of one subscriber's catch-up read (`listTaskEvents` after the last seen seq), run alone. */
  readCost: (samples: number) => Promise<number[]>;
  /** Milliseconds of one `appendTaskEvent` (one statement + publish), run alone with nobody listening. */
  appendCost: (samples: number) => Promise<number[]>;
  /**
   * Event-log reads made by one subscriber that watched a task live and stays connected after `done`, during
   * `windowMs` of idling: nothing new can arrive, so every read is wasted.
   */
  idleReads: (edits: number, windowMs: number) => Promise<{ events: number; reads: number; empty: number }>;
  close: () => Promise<void>;
}

export async function startFanOutBench(): Promise<FanOutBench> {
  const llm = await startReplayWorker();
  const server = await startTestServer('pglite', {
    env: {
      TANDEM_LLM_PROVIDER: 'openai-compatible',
      TANDEM_LLM_BASE_URL: `${llm.url}/v1`,
      TANDEM_LLM_API_KEY: 'bench-key',
      TANDEM_LLM_MODEL: 'replay-model',
    },
    limits: {
      mutationsPerUser: { points: 1e6, duration: 60 },
      tasksPerUser: { points: 1e6, duration: 60 },
    },
  });
  const owner = await signedUpClient(server.url, 'Owner');
  const cookie = owner.jar.header();
  const deps = server.app.deps;

  let traced = '';
  const published = new Map<number, number>();
  const events = deps.channels.taskEvents;
  const publish = events.publish.bind(events);
  events.publish = (taskId, message, options) => {
    if (taskId === traced) published.set(message.seq, now());
    return publish(taskId, message, options);
  };

  let tracing = false;
  const written = new Map<number, number[]>();
  const proto = WebSocket.prototype as unknown as { send: (this: WebSocket, ...args: unknown[]) => void };
  const send = proto.send;
  proto.send = function (this: WebSocket, ...args: unknown[]) {
    const [data] = args;
    if (tracing && typeof data === 'string') {
      const seq = /"seq":(\d+)/.exec(data)?.[1];
      if (seq !== undefined) written.set(Number(seq), [...(written.get(Number(seq)) ?? []), now()]);
    }
    send.apply(this, args);
  };

  // Counts what reaches PGlite: drizzle sends every statement outside a transaction to `query`.
  type Client = Record<'query', (...args: unknown[]) => Promise<unknown>>;
  const client = (deps.db as unknown as { $client: Client }).$client;
  const db = { queries: 0, reads: 0, queryMs: 0, emptyReads: 0 };
  const query = client.query.bind(client);
  client.query = async (...args) => {
    db.queries++;
    const text = String(args[0]);
    const read = text.startsWith('select') && text.includes('"task_events"');
    if (read) db.reads++;
    const started = performance.now();
    try {
      const result = await query(...args);
      const rows = (result as { rows?: unknown[] }).rows;
      if (read && rows?.length === 0) db.emptyReads++;
      return result;
    } finally {
      db.queryMs += performance.now() - started;
    }
  };

  // Closed clients leave the server a moment later; their subscriptions would read along with the next run.
  const settled = async () => {
    for (let i = 0; i < 500; i++) {
      const gauge = await deps.metrics.wsConnections.get();
      if (gauge.values.every((v) => v.labels.endpoint !== 'trpc' || v.value === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('orchestrator bench: WebSocket clients did not disconnect');
  };
  let lastTaskId = '';

  const runOnce = async (count: number, edits: number, kind: ClientKind = 'trpc'): Promise<FanOutRun> => {
    const ws = await owner.trpc.workspace.create.mutate({ name: `fan-out ${count}` });
    await deps.rooms.transact(ws.id, (doc) => createFile(doc, 'src/values.ts', valuesFile(edits)));
    const text = answer(edits);
    llm.enqueue([
      replay.delay(THINK_MS),
      replay.text(text, { chunks: Math.ceil(text.length / 8) }),
      replay.finish({ usage: { inputTokens: 2_000, outputTokens: Math.ceil(text.length / 4) } }),
    ]);
    published.clear();
    written.clear();
    const { taskId } = await owner.trpc.task.create.mutate({
      workspaceId: ws.id,
      prompt: 'Bump every value',
    });
    traced = taskId;
    lastTaskId = taskId;
    tracing = true;
    const clients = runClients({ url: server.url, cookie, taskId, count, kind });

    // Counters start with the model's first token, after the subscribers' initial replay.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    let counted = { ...db };
    let cpu = process.cpuUsage();
    let wall = performance.now();
    const startCounting = setTimeout(() => {
      counted = { ...db };
      cpu = process.cpuUsage();
      wall = performance.now();
      loop.enable();
    }, THINK_MS);
    let result: ClientEvents;
    try {
      result = await clients;
      await deps.runner.idle();
    } finally {
      clearTimeout(startCounting);
      loop.disable();
      tracing = false;
    }
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - wall;
    await settled();

    // Live: published after the slowest subscriber had its first event, so its server subscription existed.
    const firstSeen = result.received.map((events) => events[1] ?? Infinity);
    const readyAt = Math.max(...firstSeen);
    const live = [...published].filter(([, at]) => at > readyAt);
    const liveSeqs = new Set(live.map(([seq]) => seq));
    const publishTimes = live.map(([, at]) => at);
    const firstPublish = Math.min(...publishTimes);
    const lastPublish = Math.max(...publishTimes);
    const latency: number[] = [];
    const sinceAppend: number[] = [];
    let lastReceive = 0;
    let orderErrors = 0;
    for (const events of result.received) {
      for (let i = 0; i < events.length; i += 3) {
        const seq = events[i] ?? 0;
        if (seq !== i / 3 + 1) orderErrors++;
        const at = published.get(seq);
        if (!liveSeqs.has(seq) || at === undefined) continue;
        const receivedAt = events[i + 1] ?? 0;
        latency.push(receivedAt - at);
        sinceAppend.push(events[i + 2] ?? 0);
        lastReceive = Math.max(lastReceive, receivedAt);
      }
    }
    const toSocket: number[] = [];
    for (const seq of liveSeqs) {
      const at = published.get(seq) ?? 0;
      for (const sent of written.get(seq) ?? []) toSocket.push(sent - at);
    }
    const statements = db.queries - counted.queries;
    return {
      subscribers: count,
      kind,
      prioritized: result.prioritized,
      liveEvents: liveSeqs.size,
      deliveries: latency.length,
      latency,
      toSocket,
      sinceAppend,
      spanMs: lastReceive - firstPublish,
      producedPerS: liveSeqs.size / ((lastPublish - firstPublish) / 1000),
      orderErrors,
      dbReads: db.reads - counted.reads,
      dbOther: statements - (db.reads - counted.reads),
      dbQueryMs: statements === 0 ? 0 : (db.queryMs - counted.queryMs) / statements,
      dbEmptyReads: db.emptyReads - counted.emptyReads,
      loopDelayP99: loop.percentile(99) / 1e6,
      loopDelayMax: loop.max / 1e6,
      cpuPct: ((used.user + used.system) / 1000 / wallMs) * 100,
    };
  };

  const readCost = async (samples: number): Promise<number[]> => {
    const [last] = (await listTaskEvents(deps.db, lastTaskId, 0, 100_000)).slice(-1);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await listTaskEvents(deps.db, lastTaskId, (last?.seq ?? 1) - 1);
      times.push(performance.now() - started);
    }
    return times;
  };

  const appendCost = async (samples: number): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await appendTaskEvent(deps.db, deps.channels.taskEvents, lastTaskId, { type: 'output', text: PROSE });
      times.push(performance.now() - started);
    }
    return times;
  };

  const idleReads = async (edits: number, windowMs: number) => {
    const ws = await owner.trpc.workspace.create.mutate({ name: 'idle subscriber' });
    await deps.rooms.transact(ws.id, (doc) => createFile(doc, 'src/values.ts', valuesFile(edits)));
    const text = answer(edits);
    // Paced like a model, so the subscriber wakes once per event rather than catching up in batches.
    llm.enqueue([replay.delay(500), replay.text(text, { chunks: edits * 4, intervalMs: 5 })]);
    const { taskId } = await owner.trpc.task.create.mutate({
      workspaceId: ws.id,
      prompt: 'Bump every value',
    });
    const subscriber = wsTrpc(server.url, cookie);
    let events = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        subscriber.trpc.task.events.subscribe(
          { taskId, lastEventId: null },
          {
            onData: (tracked) => {
              events++;
              if ((tracked.data as unknown as { type: string }).type === 'done') resolve();
            },
            onError: reject,
          },
        );
      });
      await deps.runner.idle();
      const before = { ...db };
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      return { events, reads: db.reads - before.reads, empty: db.emptyReads - before.emptyReads };
    } finally {
      await subscriber.close();
      await settled();
    }
  };

  return {
    server,
    llm,
    runOnce,
    readCost,
    appendCost,
    idleReads,
    close: async () => {
      proto.send = send;
      await server.close();
      await llm.close();
    },
  };
}

export function fanOutRow(run: FanOutRun): BenchResult {
  const p = percentiles(run.latency);
  const s = percentiles(run.toSocket);
  const a = percentiles(run.sinceAppend);
  return {
    subscribers: run.subscribers,
    live_events: run.liveEvents,
    produced_per_s: round(run.producedPerS, 0),
    delivered_per_s: round(run.deliveries / (run.spanMs / 1000), 0),
    p50_ms: round(p.p50),
    p99_ms: round(p.p99),
    max_ms: round(p.max),
    to_socket_p50_ms: round(s.p50),
    to_socket_p99_ms: round(s.p99),
    from_append_p99_ms: round(a.p99, 0),
    order_errors: run.orderErrors,
    db_reads_per_event: round(run.dbReads / run.liveEvents, 1),
    db_other_per_event: round(run.dbOther / run.liveEvents, 1),
    empty_reads_pct: round((run.dbEmptyReads / Math.max(1, run.dbReads)) * 100, 0),
    db_stmt_ms: round(run.dbQueryMs, 2),
    loop_delay_p99_ms: round(run.loopDelayP99, 0),
    cpu_pct: round(run.cpuPct, 0),
    subscriber_priority: run.prioritized ? 'raised' : 'normal',
  };
}
