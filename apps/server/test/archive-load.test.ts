// Archive uploads and downloads must not hold up anybody else: while a 37 MB upload (94 MB of files) is unpacked
// and imported, and while three downloads of that workspace are packed, /healthz answers and two peers in another
// workspace keep exchanging edits. Before packing moved to worker threads and the document work into slices, the
// upload stalled both for seconds.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { openDatabase } from '../src/db/client.ts';
import { loadConfig } from '../src/env.ts';
import { sourceTree, tarGz } from './archive-fixture.ts';
import { backends, signedUpClient, startTestServer, type TestServer } from './harness.ts';
import { synced, timedEdit, until, yClient, type YClient } from './yjs-client.ts';

/**
 * A stall, not a latency target (those are in bench/archive): the old code froze the server for 5-10 s, while a
 * loaded 2-core CI machine running other suites beside this one has shown single probes just over 1 s.
 */
const STALL_BOUND_MS = 2500;

type Member = Awaited<ReturnType<typeof signedUpClient>>;

/**
 * PGlite as `pnpm start` runs it: in a data folder and without Redis, so edits go through the write-ahead log beside
 * it (the in-memory database of the other tests has none, and with Redis every instance writes to the database
 * directly, where one 100 MB statement makes everyone's edits wait on PGlite's single thread).
 */
async function startOnDisk(): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-archive-'));
  const database = await openDatabase({ dataDir });
  const config = loadConfig({
    NODE_ENV: 'test',
    TANDEM_LOG_LEVEL: 'silent',
    TANDEM_DATA_DIR: dataDir,
  });
  const app = await createApp(config, { db: database, namespace: randomUUID() });
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    config,
    close: async () => {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

describe.each(backends)('archive work on %s', (backend) => {
  let server: TestServer;
  let owner: Member;
  let bulkId: string;
  let writer: YClient;
  let reader: YClient;
  let archive: Buffer;

  beforeAll(async () => {
    // Made first: it holds this process for seconds, and an idle keep-alive connection whose timer fires late would
    // be reset under the next request.
    archive = tarGz(sourceTree(90 * 1024 * 1024));
    server = backend === 'pglite' ? await startOnDisk() : await startTestServer(backend);
    owner = await signedUpClient(server.url, 'Owner');
    bulkId = (await owner.trpc.workspace.create.mutate({ name: 'Bulk' })).id;
    const quietId = (await owner.trpc.workspace.create.mutate({ name: 'Quiet' })).id;
    writer = yClient(server.url, quietId, owner.jar.header());
    reader = yClient(server.url, quietId, owner.jar.header());
    await Promise.all([synced(writer), synced(reader)]);
    writer.text('notes.md').insert(0, 'start\n');
    await until(() => reader.doc.getMap('files').has('notes.md'), 10_000, 'the notes file');
  }, 60_000);

  afterAll(async () => {
    writer.destroy();
    reader.destroy();
    await server.close();
  });

  /** Probes /healthz and the peers' edits, each paced a little, until `work` settles. */
  async function probeDuring<T>(
    work: Promise<T>,
  ): Promise<{ result: T; healthz: number[]; edits: number[] }> {
    let done = false;
    const finished = work.finally(() => (done = true));
    const healthz: number[] = [];
    const edits: number[] = [];
    const probeHealth = async () => {
      while (!done) {
        const started = performance.now();
        const response = await fetch(`${server.url}/healthz`);
        await response.arrayBuffer();
        healthz.push(performance.now() - started);
        await delay(25);
      }
    };
    const probeEdits = async () => {
      for (let n = 0; !done; n += 1) {
        edits.push(await timedEdit(writer, reader, 'notes.md', `edit ${n}\n`));
        await delay(25);
      }
    };
    const [result] = await Promise.all([finished, probeHealth(), probeEdits()]);
    return { result, healthz, edits };
  }

  const upload = async () => {
    const response = await fetch(`${server.url}/api/workspaces/${bulkId}/upload`, {
      method: 'POST',
      headers: { cookie: owner.jar.header(), 'content-type': 'application/gzip' },
      body: archive,
    });
    return { status: response.status, body: (await response.json()) as { files?: number } };
  };

  const download = async () => {
    const response = await fetch(`${server.url}/api/workspaces/${bulkId}/archive?format=zip`, {
      headers: { cookie: owner.jar.header() },
    });
    return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
  };

  it('keeps /healthz and other workspaces responsive during a large upload', async () => {
    const { result, healthz, edits } = await probeDuring(upload());
    expect(result).toMatchObject({ status: 200, body: { files: expect.any(Number) as number } });
    expect(Math.max(...healthz)).toBeLessThan(STALL_BOUND_MS);
    expect(Math.max(...edits)).toBeLessThan(STALL_BOUND_MS);
    // The probes ran all along, not once before and once after a stall.
    expect(healthz.length).toBeGreaterThan(3);
    expect(edits.length).toBeGreaterThan(3);
  }, 120_000);

  it('keeps /healthz and other workspaces responsive during three parallel downloads', async () => {
    const { result, healthz, edits } = await probeDuring(Promise.all([download(), download(), download()]));
    for (const one of result) expect(one).toMatchObject({ status: 200 });
    for (const one of result) expect(one.bytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(Math.max(...healthz)).toBeLessThan(STALL_BOUND_MS);
    expect(Math.max(...edits)).toBeLessThan(STALL_BOUND_MS);
    expect(healthz.length).toBeGreaterThan(3);
    expect(edits.length).toBeGreaterThan(3);
  }, 120_000);
});
