// The page's side of the language worker: one worker per workspace document, started when the first TypeScript or
// JavaScript file opens. It keeps the worker's copy of the workspace's script files and project configs in step with
// the live Y.Doc: every member's edits reach it, debounced, and a question about the open file carries that file's
// text when it changed, so an answer is never about an older keystroke of it. A keystroke's question goes at once
// and alone: other files' edits keep their own pace (SYNC_DELAY_MS) and never ride along on it.
//
// Other files' texts are read and sent a slice at a time (SLICE_MS), each slice its own task: a peer's replace-all
// over 1,000 files used to hold this page's main thread for the whole copy (toString and structured clone of 10 MB),
// so the page showed the peer's edit only after it. The worker holds the slices and applies them together.
import { listStoredFiles, getStoredFile, observeStoredFiles } from '@tandem/core';
import {
  isProjectConfigPath,
  isScriptPath,
  TsSuperseded,
  type ScriptFile,
  type TsAnswers,
  type TsAskOptions,
  type TsLanguageClient,
  type TsQuery,
  type TsWorkerRequest,
  type TsWorkerResponse,
} from '@tandem/ui/ts-language';
import * as Y from 'yjs';

/**
 * How long other files' edits wait before the worker hears of them (the open file's go with each question). Each
 * sync makes the worker build its program again and the open file's check start over, so a peer typing elsewhere
 * is heard in batches, not per keystroke.
 */
const SYNC_DELAY_MS = 250;

/** How long one slice of reading other files' texts may take before the rest waits for a later task. */
const SLICE_MS = 8;
/** And how much text one slice carries at most, which bounds the copy to the worker that ends it. */
const SLICE_CHARS = 1_000_000;

/** Questions whose answer spans the workspace: other files' pending edits are sent first so it is current. */
const WORKSPACE_WIDE = new Set<TsQuery['kind']>(['definition', 'references']);

interface Pending extends TsAskOptions {
  resolve: (value: TsAnswers[TsQuery['kind']]) => void;
  reject: (error: Error) => void;
}

/** The worker as the client uses it: a real Worker in the page, any message port in tests. */
export interface TsWorkerPort {
  postMessage(request: TsWorkerRequest): void;
  onmessage: ((event: MessageEvent<TsWorkerResponse>) => void) | null;
  onerror?: ((event: ErrorEvent) => void) | null;
  terminate(): void;
}

const startWorker = (): TsWorkerPort =>
  new Worker(new URL('./ts-worker.ts', import.meta.url), { type: 'module', name: 'typescript' });

export class WorkspaceTsClient implements TsLanguageClient {
  private readonly sent = new Map<string, string>();
  private readonly paths = new Map<Y.Text, string>();
  private readonly dirty = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(paths: readonly string[]) => void>();
  private version = 0;
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private rescanNeeded = true;
  /** Files to read and send, in slices; removals not sent yet; what the slices so far brought, for listeners. */
  private readonly queue = new Set<string>();
  private removals: string[] = [];
  private readonly heard = new Set<string>();
  private sliceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The worker holds slices of an unfinished sync. */
  private holding = false;
  /** The first sync is complete: until then a question waits for the whole of it, as an answer needs imports. */
  private started = false;
  private readonly stop: () => void;

  constructor(
    private readonly doc: Y.Doc,
    private readonly worker: TsWorkerPort = startWorker(),
  ) {
    this.worker.onmessage = (event: MessageEvent<TsWorkerResponse>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.failAll(new Error(event.message || 'The language worker stopped'));
    };
    const unobserve = observeStoredFiles(doc, () => {
      this.rescanNeeded = true;
      this.schedule();
    });
    const onTransaction = (transaction: Y.Transaction) => {
      for (const type of transaction.changed.keys()) {
        const path = type instanceof Y.Text ? this.paths.get(type) : undefined;
        if (path !== undefined) this.dirty.add(path);
      }
      if (this.dirty.size > 0) this.schedule();
    };
    doc.on('afterTransaction', onTransaction);
    this.stop = () => {
      unobserve();
      doc.off('afterTransaction', onTransaction);
    };
    this.flush();
  }

  ask<K extends TsQuery['kind']>(
    query: Extract<TsQuery, { kind: K }>,
    text: string,
    options: TsAskOptions = {},
  ): Promise<TsAnswers[K]> {
    if (WORKSPACE_WIDE.has(query.kind) || !this.started) this.flush(true);
    const files = this.changed([{ path: query.path, text }]);
    const id = this.nextId++;
    return new Promise<TsAnswers[K]>((resolve, reject) => {
      this.pending.set(id, { ...options, resolve: resolve as Pending['resolve'], reject });
      this.post({ type: 'query', id, query, files });
    });
  }

  subscribe(listener: (paths: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.sliceTimer) clearTimeout(this.sliceTimer);
    this.worker.terminate();
    this.failAll(new Error('The workspace closed'));
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), SYNC_DELAY_MS);
  }

  /**
   * Queues what changed since the last sync (edited files, and on a listing change new and moved ones, and removals)
   * and sends it: a slice now and the rest in later tasks, or all of it now when `all` (a question needs it).
   */
  private flush(all = false): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.rescanNeeded) {
      this.rescanNeeded = false;
      const before = new Map(this.paths);
      this.paths.clear();
      const present = new Set<string>();
      for (const entry of listStoredFiles(this.doc)) {
        if (entry.kind !== 'text' || !(isScriptPath(entry.path) || isProjectConfigPath(entry.path))) continue;
        const file = getStoredFile(this.doc, entry.path);
        if (!file || file.binary) continue;
        present.add(entry.path);
        this.paths.set(file.text, entry.path);
        // A text the worker has under this path and that has not changed since (else it is dirty) stays as it is.
        if (before.get(file.text) !== entry.path || !this.sent.has(entry.path)) this.queue.add(entry.path);
      }
      for (const path of this.sent.keys()) {
        if (present.has(path)) continue;
        this.removals.push(path);
        this.sent.delete(path);
      }
    }
    for (const path of this.dirty) this.queue.add(path);
    this.dirty.clear();
    this.sendSlice(all);
  }

  private sendSlice(all: boolean): void {
    if (this.sliceTimer) clearTimeout(this.sliceTimer);
    this.sliceTimer = null;
    const read: { path: string; text: string }[] = [];
    const began = performance.now();
    let chars = 0;
    for (const path of this.queue) {
      if (!all && read.length > 0 && (chars >= SLICE_CHARS || performance.now() - began >= SLICE_MS)) break;
      this.queue.delete(path);
      const file = getStoredFile(this.doc, path);
      if (!file || file.binary) continue;
      const text = file.text.toString();
      chars += text.length;
      read.push({ path, text });
    }
    const files = this.changed(read);
    const removed = this.removals;
    this.removals = [];
    const more = this.queue.size > 0;
    if (files.length > 0 || removed.length > 0 || (this.holding && !more)) {
      this.post({ type: 'sync', files, removed, ...(more ? { more } : {}) });
      this.holding = more;
    }
    for (const file of files) this.heard.add(file.path);
    for (const path of removed) this.heard.add(path);
    if (more) {
      this.sliceTimer = setTimeout(() => this.sendSlice(false), 0);
      return;
    }
    this.started = true;
    if (this.heard.size === 0) return;
    const paths = [...this.heard];
    this.heard.clear();
    for (const listener of this.listeners) listener(paths);
  }

  /** The files whose text differs from what the worker has, versioned and remembered as sent. */
  private changed(files: { path: string; text: string }[]): ScriptFile[] {
    const out: ScriptFile[] = [];
    for (const { path, text } of files) {
      if (this.sent.get(path) === text) continue;
      this.sent.set(path, text);
      out.push({ path, text, version: ++this.version });
    }
    return out;
  }

  private post(request: TsWorkerRequest): void {
    this.worker.postMessage(request);
  }

  private receive(response: TsWorkerResponse): void {
    const waiting = this.pending.get(response.id);
    if (!waiting) return;
    if (response.type === 'region') {
      waiting.onRegion?.(response.result);
      return;
    }
    this.pending.delete(response.id);
    if (response.type === 'answer') waiting.resolve(response.result);
    else if (response.type === 'superseded') waiting.reject(new TsSuperseded());
    else waiting.reject(new Error(response.message));
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

const clients = new WeakMap<Y.Doc, WorkspaceTsClient>();

/** The workspace's language client, started on first use and stopped with the document. */
export function tsClientFor(doc: Y.Doc): WorkspaceTsClient {
  let client = clients.get(doc);
  if (!client) {
    const created = new WorkspaceTsClient(doc);
    doc.once('destroy', () => {
      created.dispose();
      clients.delete(doc);
    });
    clients.set(doc, created);
    client = created;
  }
  return client;
}
