// The language worker: TypeScript's language service (ts-service.ts) off the page's main thread, so checking a big
// file never delays typing. The standard library's .d.ts files are bundled as lazy chunks and fetched from this
// server only when the options need them; nothing comes from the network beyond the app itself.
import type { ScriptFile, TsWorkerRequest, TsWorkerResponse } from '@tandem/ui/ts-language';
import { referencedLibs, rootLibs, TsService } from './ts-service.ts';

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

// Messages are handled one at a time, in order: a query always sees every sync sent before it.
let queue: Promise<void> = Promise.resolve();
let configured: string | null | undefined;

async function handle(request: TsWorkerRequest): Promise<void> {
  if (request.type === 'sync') {
    if (request.tsconfig !== configured) {
      configured = request.tsconfig;
      await loadLibs(rootLibs(service.configure(request.tsconfig)));
    }
    service.update(request.files, request.removed);
    return;
  }
  if (configured === undefined) {
    configured = null;
    await loadLibs(rootLibs(service.configure(null)));
  }
  try {
    service.update(request.files satisfies ScriptFile[]);
    const { query } = request;
    // Typing faster than a big file checks queues several checks of it; only the newest text's answer can still be
    // shown (the editor drops answers for a document that changed since), so the older ones are not worked out.
    if (query.kind === 'diagnostics' && newestCheck.get(query.path) !== request.id) {
      scope.postMessage({ type: 'answer', id: request.id, kind: query.kind, result: [] });
      return;
    }
    const result = service.answer(query);
    scope.postMessage({ type: 'answer', id: request.id, kind: request.query.kind, result });
  } catch (error) {
    scope.postMessage({
      type: 'failed',
      id: request.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

/** The latest diagnostics question per file, noted as it arrives (before the queue reaches it). */
const newestCheck = new Map<string, number>();

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'query' && request.query.kind === 'diagnostics') {
    newestCheck.set(request.query.path, request.id);
  }
  queue = queue.then(() => handle(request)).catch(() => undefined);
};
