// Limits on archive work: downloads per user per minute, uploads in flight per user, and archive jobs per instance,
// each refused with the typed RATE_LIMITED and a Retry-After.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { AppError, readArchive, writeArchive } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { ArchivePool } from '../src/archive/archive-pool.ts';
import { MAX_CONCURRENT_UPLOADS_PER_USER } from '../src/http/file-routes.ts';
import { defaultLimits } from '../src/http/rate-limit.ts';
import { backends, signedUpClient, startTestServer, type TestServer } from './harness.ts';

type Member = Awaited<ReturnType<typeof signedUpClient>>;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { error?: { code: string; details?: Record<string, unknown> }; files?: number };
}

describe.each(backends)('archive limits on %s', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend);
  });

  afterAll(async () => {
    await server.close();
  });

  const workspace = async (owner: Member) =>
    (await owner.trpc.workspace.create.mutate({ name: 'Limits' })).id;

  async function call(member: Member, method: string, path: string, body?: Uint8Array): Promise<Answer> {
    const response = await fetch(`${server.url}/api${path}`, {
      method,
      headers: { cookie: member.jar.header(), ...(body ? { 'content-type': 'application/zip' } : {}) },
      ...(body ? { body } : {}),
    });
    const text = await response.text();
    const json: unknown = response.headers.get('content-type')?.startsWith('application/json')
      ? JSON.parse(text)
      : {};
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: json as Answer['body'],
    };
  }

  it('limits archive downloads per user', async () => {
    const [owner, other] = await Promise.all([
      signedUpClient(server.url, 'Owner'),
      signedUpClient(server.url),
    ]);
    const workspaceId = await workspace(owner);
    await owner.trpc.file.create.mutate({ workspaceId, path: 'a.ts', content: 'export const a = 1;\n' });
    const download = (member: Member) => call(member, 'GET', `/workspaces/${workspaceId}/archive`);

    for (let i = 0; i < defaultLimits.downloadsPerUser.points; i += 1) {
      expect((await download(owner)).status).toBe(200);
    }
    const refused = await download(owner);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);

    // The limit is the user's own: another member still downloads.
    const invite = await owner.trpc.workspace.invite.create.mutate({ workspaceId, role: 'reviewer' });
    await other.trpc.workspace.invite.accept.mutate({ token: invite.token });
    expect((await download(other)).status).toBe(200);
  });

  it('caps the uploads a user has in flight and frees a slot when one ends', async () => {
    const owner = await signedUpClient(server.url, 'Owner');
    const workspaceId = await workspace(owner);
    const archive = (name: string) => writeArchive([{ path: `${name}.ts`, content: `// ${name}\n` }], 'zip');

    // An upload whose body arrives slowly: the server admits it (or refuses it) as soon as its headers are in.
    const startSlow = (name: string) => {
      const body = archive(name);
      const upload = { name, status: 0, finish: (): void => undefined, done: Promise.resolve(0) };
      upload.done = new Promise<number>((resolve, reject) => {
        const req = request(
          `${server.url}/api/workspaces/${workspaceId}/upload`,
          {
            method: 'POST',
            headers: {
              cookie: owner.jar.header(),
              'content-type': 'application/zip',
              'content-length': body.length,
            },
          },
          (res) => {
            upload.status = res.statusCode ?? 0;
            res.resume();
            res.on('end', () => resolve(upload.status));
          },
        );
        req.on('error', reject);
        req.write(body.subarray(0, 10));
        upload.finish = () => void req.end(body.subarray(10));
      });
      return upload;
    };

    const slow: ReturnType<typeof startSlow>[] = [];
    let attempt = 0;
    await vi.waitFor(
      async () => {
        // A slow upload the cap refused lost a race with a probe below; start another in its place.
        let started = false;
        for (const [i, upload] of slow.entries()) {
          if (upload.status !== 429) continue;
          slow[i] = startSlow(`slow-${(attempt += 1)}`);
          started = true;
        }
        while (slow.length < MAX_CONCURRENT_UPLOADS_PER_USER) {
          slow.push(startSlow(`slow-${(attempt += 1)}`));
          started = true;
        }
        // Time for the server to admit them before a probe takes a slot (a probe holds one while its body is
        // spooled); one refused meanwhile is replaced on the next round.
        if (started) await delay(250);
        expect(slow.map((upload) => upload.status)).toEqual(slow.map(() => 0));
        // Not an archive: were it admitted it would fail with ARCHIVE_REJECTED and change nothing.
        const probe = await call(owner, 'POST', `/workspaces/${workspaceId}/upload`, new Uint8Array(8));
        expect(probe).toMatchObject({
          status: 429,
          body: { error: { code: 'RATE_LIMITED', details: { reason: 'concurrent-uploads' } } },
        });
        expect(Number(probe.retryAfter)).toBeGreaterThan(0);
      },
      { timeout: 10_000 },
    );

    for (const upload of slow) upload.finish();
    expect(await Promise.all(slow.map((upload) => upload.done))).toEqual(slow.map(() => 200));
    const after = await call(owner, 'POST', `/workspaces/${workspaceId}/upload`, archive('after'));
    expect(after).toMatchObject({ status: 200, body: { files: 1 } });
    const list = await owner.trpc.file.list.query({ workspaceId });
    expect(list.entries.map((entry) => entry.path)).toEqual(
      expect.arrayContaining(['after.ts', ...slow.map((upload) => `${upload.name}.ts`)]),
    );
  });
});

describe('the archive worker pool', () => {
  let dir: string;
  const out = (name: string) => path.join(dir, name);
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tandem-pack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packs and unpacks on a worker, keeps errors typed, and refuses work past its queue', async () => {
    const pool = new ArchivePool({ workers: 1, maxQueued: 1 });
    try {
      const files = Array.from({ length: 200 }, (_, i) => ({
        path: `src/f${i}.ts`,
        content: new TextEncoder().encode(`export const v${i} = ${i};\n`.repeat(2000)),
      }));
      const copy = () => files.map((file) => ({ path: file.path, content: file.content.slice() }));
      // One runs, one waits, the third finds the queue full.
      const running = pool.pack(copy(), 'zip', out('a.zip'));
      const waiting = pool.pack(copy(), 'tar.gz', out('b.tar.gz'));
      const refused = await pool.pack(copy(), 'zip', out('c.zip')).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({ code: 'RATE_LIMITED', details: { reason: 'archive-jobs' } });
      expect((refused as AppError).retryAfter).toBeGreaterThan(0);

      const sizes = await Promise.all([running, waiting]);
      expect(sizes).toEqual([statSync(out('a.zip')).size, statSync(out('b.tar.gz')).size]);
      expect(existsSync(out('c.zip')), 'a refused job writes nothing').toBe(false);
      expect(readArchive(readFileSync(out('a.zip'))).map((entry) => entry.path)).toEqual(
        files.map((file) => file.path),
      );
      const entries = await pool.unpack(out('b.tar.gz'), false);
      expect(entries).toHaveLength(files.length);
      expect(entries[7]?.content).toEqual(files[7]?.content);

      const rejected = await pool.unpack(new Uint8Array(600), false).catch((error: unknown) => error);
      expect(rejected).toBeInstanceOf(AppError);
      expect(rejected).toMatchObject({ code: 'ARCHIVE_REJECTED' });
    } finally {
      await pool.close();
    }
  });

  it("moves a stored document's buffers to the worker when they are its alone, and copies shared ones", async () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    const files = doc.getMap<Y.Text>('files');
    files.set('a.txt', new Y.Text('alpha\n'));
    files.set('b.txt', new Y.Text('beta\n'));
    doc.destroy();
    // As a database reply holds them: views into one buffer, each update behind a length.
    const reply = new Uint8Array(updates.reduce((n, u) => n + 4 + u.byteLength, 0));
    let at = 0;
    const views = updates.map((update) => {
      at += 4;
      reply.set(update, at);
      at += update.byteLength;
      return reply.subarray(at - update.byteLength, at);
    });
    const pool = new ArchivePool({ workers: 1 });
    try {
      const names = (bytes: Uint8Array) => readArchive(bytes).map((entry) => entry.path);
      const shared = await pool.exportStored(
        { snapshot: null, updates: views, seq: 2 },
        'zip',
        out('shared.zip'),
        () => undefined,
      );
      expect(shared.size).toBe(statSync(out('shared.zip')).size);
      expect(names(readFileSync(out('shared.zip')))).toEqual(['a.txt', 'b.txt']);
      expect(reply.byteLength, 'a shared buffer is copied, never taken').toBeGreaterThan(0);
      const own = { snapshot: null, updates: views, seq: 2, exclusive: true };
      await pool.exportStored(own, 'zip', out('moved.zip'), () => undefined);
      expect(names(readFileSync(out('moved.zip')))).toEqual(['a.txt', 'b.txt']);
      // Detached: the event loop copied nothing.
      expect(reply.byteLength).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('folds a stored document into snapshot parts of the given size, each a buffer of its own', async () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    const files = doc.getMap<Y.Text>('files');
    for (let i = 0; i < 20; i++) files.set(`f${i}.txt`, new Y.Text(`file ${i}\n`.repeat(50)));
    const whole = Y.encodeStateAsUpdate(doc);
    const pool = new ArchivePool({ workers: 1 });
    try {
      const parts = await pool.fold({ snapshot: null, updates, seq: updates.length }, () => undefined, 1000);
      expect(parts.length).toBe(Math.ceil(whole.byteLength / 1000));
      for (const part of parts) expect(part.buffer.byteLength).toBe(part.byteLength);
      const folded = new Y.Doc();
      Y.applyUpdate(folded, Buffer.concat(parts));
      expect(folded.getMap<Y.Text>('files').get('f7.txt')?.toString()).toBe('file 7\n'.repeat(50));
    } finally {
      await pool.close();
      doc.destroy();
    }
  });

  it('runs its workers at the lowest priority, so the event loop gets the CPU first', async () => {
    const niceOfThreads = () =>
      readdirSync('/proc/self/task').map((tid) => {
        // Field 19 of stat is the nice value; the command name before it may hold spaces, so count from its end.
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    expect(niceOfThreads()).not.toContain(19);
    const pool = new ArchivePool({ workers: 1 });
    try {
      await pool.pack([{ path: 'a.txt', content: new TextEncoder().encode('a') }], 'zip', out('nice.zip'));
      const nice = niceOfThreads();
      expect(nice.filter((value) => value === 19)).toHaveLength(1);
      expect(nice.filter((value) => value === 0).length).toBeGreaterThan(1);
    } finally {
      await pool.close();
    }
  });
});
