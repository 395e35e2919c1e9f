// The page's side of the language worker over a real Y.Doc, with the worker's end of a real MessageChannel standing in
// for the worker: what reaches it, in which messages, and when listeners hear of it.
import { createFile, importFiles } from '@tandem/core';
import type { TsWorkerRequest, TsWorkerResponse } from '@tandem/ui/ts-language';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { WorkspaceTsClient, type TsWorkerPort } from './ts-client.ts';

const FILES = 1000;
/** About 10 KB, as in `pnpm bench web`'s replace-all; the first line holds the word a replace-all changes. */
const source = (i: number) =>
  [
    `export const legacyName = 'm${i}';`,
    ...Array.from({ length: 250 }, (_, k) => `// line ${k} of m${i}`),
  ].join('\n');

type SyncRequest = Extract<TsWorkerRequest, { type: 'sync' }>;

/** A workspace of FILES script files, and a client whose worker end records what it is sent. */
function setUp() {
  const doc = new Y.Doc();
  importFiles(
    doc,
    Array.from({ length: FILES }, (_, i) => ({ path: `src/m${i}.ts`, content: source(i) })),
  );
  const channel = new MessageChannel();
  const received: TsWorkerRequest[] = [];
  channel.port2.onmessage = (event: MessageEvent<TsWorkerRequest>) => received.push(event.data);
  const port: TsWorkerPort = {
    postMessage: (request) => channel.port1.postMessage(request),
    set onmessage(handler: ((event: MessageEvent<TsWorkerResponse>) => void) | null) {
      channel.port1.onmessage = handler;
    },
    get onmessage() {
      return null;
    },
    terminate: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
  const client = new WorkspaceTsClient(doc, port);
  const heard: (readonly string[])[] = [];
  client.subscribe((paths) => heard.push(paths));
  return { doc, client, received, heard };
}

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

/** A client whose first sync has reached the worker and its listeners, with nothing received kept. */
async function afterFirstSync() {
  const set = setUp();
  dispose = () => set.client.dispose();
  await vi.waitFor(() => expect(set.heard).toHaveLength(1), { timeout: 10_000 });
  await vi.waitFor(() => expect(set.received.at(-1)).toMatchObject({ type: 'sync' }));
  set.received.length = 0;
  return set;
}

describe('WorkspaceTsClient', { timeout: 30_000 }, () => {
  it('sends a change to 1,000 files in slices the worker applies together, and tells listeners once', async () => {
    const { doc, received, heard } = await afterFirstSync();

    // A peer's replace-all: one transaction over every file.
    doc.transact(() => {
      doc.getMap<Y.Text>('files').forEach((text) => {
        text.delete(13, 10);
        text.insert(13, 'modernName');
      });
    });
    await vi.waitFor(() => expect(heard).toHaveLength(2), { timeout: 10_000 });
    const lastSync = () => received.filter((r): r is SyncRequest => r.type === 'sync').at(-1);
    await vi.waitFor(() => expect(lastSync()?.more).toBeUndefined());

    const syncs = received.filter((r): r is SyncRequest => r.type === 'sync');
    // Several slices, each a task of its own: only the last says no more follow.
    expect(syncs.length).toBeGreaterThan(1);
    expect(syncs.slice(0, -1).every((s) => s.more === true)).toBe(true);
    expect(syncs.at(-1)?.more).toBeUndefined();
    for (const sync of syncs) {
      expect(sync.files.reduce((n, f) => n + f.text.length, 0)).toBeLessThan(1_000_000 + 20_000);
    }
    const sent = syncs.flatMap((s) => s.files);
    expect(new Set(sent.map((f) => f.path)).size).toBe(FILES);
    expect(sent.every((f) => f.text.startsWith("export const modernName = 'm"))).toBe(true);
    expect([...(heard[1] ?? [])].sort()).toEqual(sent.map((f) => f.path).sort());
  });

  it('sends every file before the first question, even while its first sync is still in slices', async () => {
    const { client, received } = setUp();
    dispose = () => client.dispose();
    void client.ask({ kind: 'definition', path: 'src/m0.ts', pos: 0 }, source(0)).catch(() => undefined);
    await vi.waitFor(() => expect(received.some((r) => r.type === 'query')).toBe(true), { timeout: 10_000 });
    const before = received.slice(
      0,
      received.findIndex((r) => r.type === 'query'),
    ) as SyncRequest[];
    expect(new Set(before.flatMap((s) => s.files.map((f) => f.path))).size).toBe(FILES);
    expect(before.at(-1)?.more).toBeUndefined();
  });

  it('reads again only the files a listing change adds, not every file', async () => {
    const { doc, heard } = await afterFirstSync();
    createFile(doc, 'src/new.ts', 'export const fresh = 1;\n');
    await vi.waitFor(() => expect(heard).toHaveLength(2), { timeout: 10_000 });
    expect(heard[1]).toEqual(['src/new.ts']);
  });
});
