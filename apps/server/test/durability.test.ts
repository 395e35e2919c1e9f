// Crash safety and scale-out: SIGKILL mid-burst loses nothing a peer saw; two instances share PostgreSQL + Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv } from './env.ts';
import { makeClient, startCluster } from './harness.ts';
import { exited, startServerProcess } from './server-process.ts';
import { synced, textOf, until, yClient } from './yjs-client.ts';

describe('crash safety', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const password = 'long enough pw';

  /**
   * Signs up `email` on `server`, and has one client type at 80 edits/s (a fast typist, under the per-connection
   * message limit) while another watches, until `stop` ends the server. Returns the workspace and the edits the
   * watcher had received by then.
   */
  async function editUntilStopped(
    server: Awaited<ReturnType<typeof startServerProcess>>,
    email: string,
    stop: () => void,
  ): Promise<{ workspaceId: string; seen: string[]; exitCode: number | null }> {
    const owner = makeClient(server.url);
    await owner.trpc.auth.signUp.mutate({ email, password, name: 'Crash' });
    const ws = await owner.trpc.workspace.create.mutate({ name: 'Crash' });
    const writer = yClient(server.url, ws.id, owner.jar.header());
    const watcher = yClient(server.url, ws.id, owner.jar.header());
    await Promise.all([synced(writer), synced(watcher)]);

    let i = 0;
    const burst = setInterval(() => writer.text().insert(writer.text().length, `<${i++}>`), 12);
    await until(() => textOf(watcher).length > 700, 30_000, 'a burst to reach the watcher');
    const exit = exited(server.child);
    stop();
    // What the watcher saw when the server went (it cannot receive anything afterwards).
    const exitCode = await exit;
    clearInterval(burst);
    const seen = textOf(watcher).match(/<\d+>/g) ?? [];
    writer.destroy();
    watcher.destroy();
    expect(seen.length).toBeGreaterThan(100);
    return { workspaceId: ws.id, seen, exitCode };
  }

  /** The edits in `seen` that a server started again on the same files does not have. */
  async function lostAfterRestart(email: string, workspaceId: string, seen: string[]): Promise<string[]> {
    const second = await startServerProcess(dataDir);
    try {
      const again = makeClient(second.url);
      await again.trpc.auth.signIn.mutate({ email, password });
      const reader = yClient(second.url, workspaceId, again.jar.header());
      await synced(reader);
      const restored = new Set(textOf(reader).match(/<\d+>/g) ?? []);
      reader.destroy();
      return seen.filter((token) => !restored.has(token));
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
  }

  it('SIGKILL during a burst of edits loses no update that any peer had received', async () => {
    const first = await startServerProcess(dataDir);
    const email = 'crash@example.com';
    const { workspaceId, seen } = await editUntilStopped(first, email, () => first.child.kill('SIGKILL'));
    expect(await lostAfterRestart(email, workspaceId, seen)).toEqual([]);
  }, 240_000);

  it('a server whose embedded database thread dies exits, and its restart has every update a peer received', async () => {
    const first = await startServerProcess(dataDir, [
      path.join(import.meta.dirname, 'stop-database-thread.ts'),
    ]);
    const email = 'thread@example.com';
    let stoppedAt = 0;
    const { workspaceId, seen, exitCode } = await editUntilStopped(first, email, () => {
      stoppedAt = performance.now();
      first.child.kill('SIGUSR2');
    });
    // It does not wait for the forced exit (10 s): the shutdown gives up on the database at once.
    expect(performance.now() - stoppedAt).toBeLessThan(8_000);
    expect(exitCode).toBe(1);
    expect(first.output()).toMatch(/"level":60.*the database stopped; shutting down/);
    expect(await lostAfterRestart(email, workspaceId, seen)).toEqual([]);
  }, 240_000);
});

describe.runIf(testEnv.databaseUrl && testEnv.redisUrl)('two instances with PostgreSQL and Redis', () => {
  it('an edit through one instance reaches clients of the other, and a late instance catches up', async () => {
    const cluster = await startCluster();
    const start = () => cluster.start();
    const one = await start();
    const two = await start();
    const clients: ReturnType<typeof yClient>[] = [];
    try {
      const owner = makeClient(one.url);
      await owner.trpc.auth.signUp.mutate({
        email: 'scale@example.com',
        password: 'long enough pw',
        name: 'Scale',
      });
      const ws = await owner.trpc.workspace.create.mutate({ name: 'Scale' });
      // The same session works on both instances: sessions live in the shared database.
      const a = yClient(one.url, ws.id, owner.jar.header());
      const b = yClient(two.url, ws.id, owner.jar.header());
      clients.push(a, b);
      await Promise.all([synced(a), synced(b)]);
      a.text().insert(0, 'from one;');
      await until(() => textOf(b) === 'from one;');
      b.text().insert(b.text().length, 'from two;');
      await until(() => textOf(a) === 'from one;from two;');
      for (let i = 0; i < 20; i++) {
        a.text().insert(0, 'a');
        b.text().insert(b.text().length, 'b');
      }
      await until(() => textOf(a) === textOf(b) && textOf(a).length === 58);
      a.provider.awareness.setLocalStateField('cursor', { path: 'main.ts', anchor: 3 });
      await until(() => b.provider.awareness.getStates().get(a.doc.clientID) !== undefined);

      // A third instance that never had the room loaded catches up from the database.
      const three = await start();
      try {
        const c = yClient(three.url, ws.id, owner.jar.header());
        clients.push(c);
        await synced(c);
        await until(() => textOf(c) === textOf(a));
        c.text().insert(0, 'three:');
        await until(() => textOf(a).startsWith('three:') && textOf(b).startsWith('three:'));
      } finally {
        for (const c of clients) c.destroy();
        await cluster.stop(three.app);
      }
    } finally {
      for (const c of clients) c.destroy();
      await cluster.close();
    }
  }, 240_000);
});
