// Orchestration overhead for a 50-file changeset: each phase on its own (parse the streamed answer, apply the
// blocks, syntax-validate the changed files, compute the changeset), then the whole `runTask` against the replay
// server at full speed, minus the time the same stream takes to drain through the production LLM client alone.
// Every run gets a freshly generated workspace, so per-text caches (token counts) do not flatter later runs.
import { computeChangeset } from '../../packages/core/src/changeset/index.ts';
import { countTokens } from '../../packages/core/src/context/index.ts';
import { applyEdits, createEditParser, type ParsedEdit } from '../../packages/core/src/edits/index.ts';
import type { TaskEvent } from '../../packages/core/src/events/index.ts';
import { createLlmClient, type LlmClient } from '../../packages/core/src/llm/index.ts';
import { replay, startReplayServer, type ReplayServer } from '../../packages/core/src/llm/testing/index.ts';
import { runTask } from '../../packages/core/src/orchestrator/index.ts';
import { runValidators, syntaxValidator } from '../../packages/core/src/validate/index.ts';
import type { BenchResult } from '../stats.ts';
import { percentiles, round } from '../stats.ts';
import { measureMemory, type MemoryDelta } from './memory.ts';
import { syntheticWorkspace, type SyntheticWorkspace } from './workspace.ts';

/** Characters per streamed delta: about one token, as providers send them. */
const DELTA_CHARS = 4;
const PHASE_WARMUP = 8;
const PHASE_RUNS = 20;
const TASK_WARMUP = 2;
const TASK_RUNS = 10;
/**
 * Memory is measured on separate runs: the forced full collections around them cost the TypeScript parser its
 * optimized code (validation CPU went up 2-5x in timed runs that had them).
 */
const MEMORY_RUNS = 3;
/** Runs stop early (after at least MIN_RUNS) once a part used its time, so a loaded machine stays in budget. */
const PHASE_BUDGET_MS = 20_000;
const TASK_BUDGET_MS = 40_000;
const MIN_RUNS = 3;
/** A fast hosted model's output speed, to put the overhead in proportion. */
const REAL_MODEL_TOKENS_PER_S = 100;

function fail(message: string): never {
  throw new Error(`orchestrator bench: ${message}`);
}

function parseStreamed(answer: string): ParsedEdit[] {
  const parser = createEditParser();
  const edits: ParsedEdit[] = [];
  for (let at = 0; at < answer.length; at += DELTA_CHARS)
    edits.push(...parser.push(answer.slice(at, at + DELTA_CHARS)));
  edits.push(...parser.end());
  if (parser.problems.length > 0) fail(`parse problems: ${parser.problems[0]?.message ?? ''}`);
  return edits;
}

/** Wall and CPU milliseconds since `start()`: CPU time stays meaningful when other work shares the cores. */
interface Lap {
  wall: number;
  cpu: number;
}

function start(): () => Lap {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
  };
}

interface PhaseTimes {
  parse: Lap;
  apply: Lap;
  validate: Lap;
  changeset: Lap;
  total: Lap;
}

async function phasesOnce(ws: SyntheticWorkspace): Promise<PhaseTimes> {
  const total = start();
  let lap = start();
  const edits = parseStreamed(ws.answer);
  const parse = lap();
  lap = start();
  const applied = applyEdits(ws.files, edits);
  const apply = lap();
  lap = start();
  const files = new Map([...ws.files, ...applied.files]);
  const results = await runValidators([syntaxValidator], { files, changed: [...applied.files.keys()] });
  const validate = lap();
  lap = start();
  const changeset = computeChangeset(ws.files, applied.files, applied.deleted, { taskId: 'bench' });
  const changesetLap = lap();
  const totalLap = total();

  if (edits.length !== ws.blocks) fail(`parsed ${edits.length} of ${ws.blocks} blocks`);
  if (applied.results.some((r) => r.status !== 'applied')) fail('a block did not apply');
  for (const [path, text] of applied.files)
    if (ws.expected.get(path) !== text) fail(`${path} came out wrong`);
  if (results.length !== applied.files.size || results.some((r) => !r.ok)) fail('validation did not pass');
  if (changeset.files.length !== applied.files.size) fail('changeset misses files');
  return { parse, apply, validate, changeset: changesetLap, total: totalLap };
}

function timing(laps: Lap[], extra: BenchResult = {}): BenchResult {
  const wall = percentiles(laps.map((l) => l.wall));
  const cpu = percentiles(laps.map((l) => l.cpu));
  return {
    runs: wall.n,
    p50_ms: round(wall.p50),
    p99_ms: round(wall.p99),
    cpu_p50_ms: round(cpu.p50),
    cpu_p99_ms: round(cpu.p99),
    ...extra,
  };
}

function memoryColumns(deltas: MemoryDelta[]): BenchResult {
  const median = (values: number[]) => percentiles(values).p50;
  return {
    heap_mb: round(median(deltas.map((d) => d.heapMb)), 1),
    retained_mb: round(median(deltas.map((d) => d.retainedMb)), 1),
    rss_mb: round(median(deltas.map((d) => d.rssMb)), 1),
  };
}

async function measurePhases(): Promise<Record<string, BenchResult>> {
  for (let i = 0; i < PHASE_WARMUP; i++) await phasesOnce(syntheticWorkspace(50, 1000 + i));
  const times: PhaseTimes[] = [];
  const shape = syntheticWorkspace(50, 1);
  const deadline = performance.now() + PHASE_BUDGET_MS;
  for (let i = 0; i < PHASE_RUNS && (i < MIN_RUNS || performance.now() < deadline); i++) {
    times.push(await phasesOnce(i === 0 ? shape : syntheticWorkspace(50, 1 + i)));
  }
  const memory: MemoryDelta[] = [];
  for (let i = 0; i < MEMORY_RUNS; i++) {
    const ws = syntheticWorkspace(50, 500 + i);
    memory.push((await measureMemory(() => phasesOnce(ws))).memory);
  }
  const col = (key: keyof PhaseTimes) => times.map((t) => t[key]);
  const files = shape.files.size - 1;
  return {
    [`parse, streamed in ${DELTA_CHARS}-char deltas (${round(shape.answer.length / 1024, 0)} KiB answer)`]:
      timing(col('parse')),
    [`applyEdits (${shape.blocks} blocks, ${files} files)`]: timing(col('apply')),
    [`runValidators (syntax, ${files} files)`]: timing(col('validate')),
    computeChangeset: timing(col('changeset')),
    'phases total (in process)': timing(col('total'), memoryColumns(memory)),
  };
}

function llmFor(server: ReplayServer): LlmClient {
  return createLlmClient({
    provider: 'openai-compatible',
    baseUrl: `${server.url}/v1`,
    apiKey: 'bench-key',
    model: 'replay-model',
    timeoutMs: 60_000,
    maxRetries: 0,
  });
}

function script(answer: string, outputTokens: number) {
  return [
    replay.text(answer, { chunks: Math.ceil(answer.length / DELTA_CHARS) }),
    replay.finish({ usage: { inputTokens: 30_000, outputTokens } }),
  ];
}

/** Drains the same stream through the production client with a prompt of the same size: the "model time". */
async function streamAlone(server: ReplayServer, llm: LlmClient, answer: string, promptChars: number) {
  server.enqueue(script(answer, countTokens(answer)));
  const lap = start();
  let chars = 0;
  for await (const chunk of llm.stream({
    system: 'bench',
    messages: [{ role: 'user', content: 'x'.repeat(promptChars) }],
    maxOutputTokens: 32_000,
    signal: new AbortController().signal,
  })) {
    if (chunk.type !== 'finish') chars += chunk.text.length;
  }
  const used = lap();
  if (chars !== answer.length) fail(`stream delivered ${chars} of ${answer.length} chars`);
  return used;
}

async function taskOnce(server: ReplayServer, llm: LlmClient, ws: SyntheticWorkspace, taskId: string) {
  const outputTokens = countTokens(ws.answer);
  server.enqueue(script(ws.answer, outputTokens));
  const events: TaskEvent[] = [];
  const lap = start();
  const result = await runTask(
    { taskId, prompt: 'Add a cancellation check to one query of every store.', files: ws.files },
    {
      llm,
      model: 'replay-model',
      emit: (event) => {
        events.push(event);
      },
      validators: [syntaxValidator],
      signal: new AbortController().signal,
      limits: { maxOutputTokens: 32_000 },
    },
  );
  const used = lap();
  if (result.outcome !== 'proposed') fail(`runTask ended ${result.outcome}: ${result.error?.message ?? ''}`);
  if (result.changeset?.files.length !== ws.expected.size - 1) fail('runTask proposed the wrong files');
  for (const [path, text] of ws.expected)
    if (result.files.get(path) !== text) fail(`runTask left ${path} wrong`);
  const promptChars = server.requests.at(-1)?.rawBody.length ?? 0;
  return { used, result, events: events.length, outputTokens, promptChars };
}

async function measureTask(): Promise<Record<string, BenchResult>> {
  const server = await startReplayServer();
  try {
    const llm = llmFor(server);
    for (let i = 0; i < TASK_WARMUP; i++) {
      const ws = syntheticWorkspace(50, 2000 + i);
      const run = await taskOnce(server, llm, ws, `warm-${i}`);
      await streamAlone(server, llm, ws.answer, run.promptChars);
    }
    const task: Lap[] = [];
    const stream: Lap[] = [];
    const overhead: Lap[] = [];
    const phases = new Map<string, number[]>();
    const memory: MemoryDelta[] = [];
    let events = 0;
    let outputTokens = 0;
    const deadline = performance.now() + TASK_BUDGET_MS;
    for (let i = 0; i < TASK_RUNS && (i < MIN_RUNS || performance.now() < deadline); i++) {
      const ws = syntheticWorkspace(50, 3000 + i);
      const run = await taskOnce(server, llm, ws, `task-${i}`);
      const alone = await streamAlone(server, llm, ws.answer, run.promptChars);
      task.push(run.used);
      stream.push(alone);
      overhead.push({ wall: run.used.wall - alone.wall, cpu: run.used.cpu - alone.cpu });
      events = run.events;
      outputTokens = run.outputTokens;
      for (const [phase, ms] of Object.entries(run.result.phaseMs)) {
        phases.set(phase, [...(phases.get(phase) ?? []), ms]);
      }
    }
    for (let i = 0; i < MEMORY_RUNS; i++) {
      const ws = syntheticWorkspace(50, 4000 + i);
      memory.push((await measureMemory(() => taskOnce(server, llm, ws, `memory-${i}`))).memory);
    }
    const realModelMs = (outputTokens / REAL_MODEL_TOKENS_PER_S) * 1000;
    const overheadP50 = percentiles(overhead.map((o) => o.wall)).p50;
    const rows: Record<string, BenchResult> = {
      [`replay stream alone (${outputTokens} output tokens, full speed)`]: timing(stream),
      [`runTask end to end (${events} events)`]: timing(task, memoryColumns(memory)),
      'runTask minus stream = orchestration overhead': timing(overhead, {
        note: `${round((overheadP50 / realModelMs) * 100, 2)}% of a ${REAL_MODEL_TOKENS_PER_S} tok/s model (${round(realModelMs / 1000, 0)} s)`,
      }),
    };
    for (const [phase, samples] of phases) {
      const p = percentiles(samples);
      rows[`  runTask phase: ${phase} (wall)`] = { runs: p.n, p50_ms: round(p.p50), p99_ms: round(p.p99) };
    }
    return rows;
  } finally {
    await server.close();
  }
}

export async function measureChangeset(): Promise<Record<string, BenchResult>> {
  return { ...(await measurePhases()), ...(await measureTask()) };
}
