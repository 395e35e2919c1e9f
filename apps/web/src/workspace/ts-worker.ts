// The language worker: TypeScript's language service (ts-service.ts) off the page's main thread, so checking a big
// file never delays typing. The standard library's .d.ts files are bundled as lazy chunks and fetched from this
// server only when the options need them; nothing comes from the network beyond the app itself.
//
// Messages are handled one at a time, in order, so a question always sees every sync sent before it. A diagnostics
// question is answered in two parts: the lines on screen at once, then the whole file, worked out a slice at a time
// in the background (`pump`) while the message queue is idle. A newer diagnostics question about the same file
// supersedes the older one wherever it is (queued or half checked), so the worker never spends a whole-file check on
// text that is already gone.
import {
  HeldSync,
  type TsDiagnostic,
  type TsWorkerRequest,
  type TsWorkerResponse,
} from '@tandem/ui/ts-language';
import { referencedLibs, rootLibs, TsService, type CheckStep } from './ts-service.ts';

const libLoaders = import.meta.glob<string>('../../node_modules/typescript/lib/lib.*.d.ts', {
  query: '?raw',
  import: 'default',
});
const loaderByName = new Map(
  Object.entries(libLoaders).map(([file, load]) => [file.slice(file.lastIndexOf('/') + 1), load]),
);

const libs = new Map<string, string>();
const service = new TsService(libs);

/** Loads the libs `names` need, following their references; an unknown name (a typo in tsconfig) is skipped. */
async function loadLibs(names: string[]): Promise<void> {
  let wave = names.filter((name) => !libs.has(name));
  while (wave.length > 0) {
    const texts = await Promise.all(
      wave.map(async (name) => [name, await loaderByName.get(name)?.()] as const),
    );
    const next = new Set<string>();
    for (const [name, text] of texts) {
      if (text === undefined) continue;
      libs.set(name, text);
      for (const ref of referencedLibs(text)) if (!libs.has(ref)) next.add(ref);
    }
    wave = [...next];
  }
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<TsWorkerRequest>) => void) | null;
  postMessage(message: TsWorkerResponse): void;
};

const post = (message: TsWorkerResponse) => scope.postMessage(message);
const fail = (id: number, error: unknown) =>
  post({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });

/** The latest diagnostics question per file, noted as it arrives (before the queue reaches it). */
const newestCheck = new Map<string, number>();
/** Whole-file checks under way, by question id, each a generator stopped between two slices. */
const checks = new Map<number, { path: string; steps: Generator<CheckStep, TsDiagnostic[]> }>();

let queue: Promise<void> = Promise.resolve();
/** Messages received and not yet handled: while there are any, the background check waits. */
let waiting = 0;

const held = new HeldSync();

async function handle(request: TsWorkerRequest): Promise<void> {
  if (request.type === 'sync') {
    const whole = held.take(request);
    if (whole) service.update(whole.files, whole.removed);
    return;
  }
  const { id, query } = request;
  try {
    service.update(request.files);
    held.supersede(request.files);
    if (query.kind === 'diagnostics' && newestCheck.get(query.path) !== id) {
      post({ type: 'superseded', id });
      return;
    }
    await loadLibs(rootLibs(service.optionsFor(query.path)));
    if (query.kind !== 'diagnostics') {
      post({ type: 'answer', id, kind: query.kind, result: service.answer(query) });
      return;
    }
    if (newestCheck.get(query.path) !== id) {
      post({ type: 'superseded', id });
      return;
    }
    const steps = service.checkFile(query.path, query.ranges);
    // The first step now: the region answer, or (a small file, or nothing changed) the whole answer.
    const first = steps.next();
    if (first.done) {
      post({ type: 'answer', id, kind: 'diagnostics', result: first.value });
      return;
    }
    if (first.value.kind === 'region') post({ type: 'region', id, result: first.value.result });
    checks.set(id, { path: query.path, steps });
    startPump();
  } catch (error) {
    fail(id, error);
  }
}

/** A macrotask: messages that arrived meanwhile are delivered before it (both are posted messages, in order). */
const channel = new MessageChannel();
const resumers: (() => void)[] = [];
channel.port1.onmessage = () => resumers.shift()?.();
const nextTask = () =>
  new Promise<void>((resolve) => {
    resumers.push(resolve);
    channel.port2.postMessage(null);
  });

let pumping = false;

function startPump(): void {
  if (pumping) return;
  pumping = true;
  void pump().finally(() => {
    pumping = false;
  });
}

/** Works the whole-file checks forward one slice at a time, letting every message in between go first. */
async function pump(): Promise<void> {
  while (checks.size > 0) {
    await nextTask();
    while (waiting > 0) await queue;
    for (const [id, check] of checks) {
      if (newestCheck.get(check.path) !== id) {
        checks.delete(id);
        post({ type: 'superseded', id });
        continue;
      }
      try {
        const step = check.steps.next();
        if (step.done) {
          checks.delete(id);
          post({ type: 'answer', id, kind: 'diagnostics', result: step.value });
        }
      } catch (error) {
        checks.delete(id);
        fail(id, error);
      }
      break;
    }
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'query' && request.query.kind === 'diagnostics') {
    newestCheck.set(request.query.path, request.id);
  }
  waiting++;
  queue = queue
    .then(() => handle(request))
    .catch(() => undefined)
    .finally(() => {
      waiting--;
    });
};
