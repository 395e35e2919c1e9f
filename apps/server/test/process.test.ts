// The server as a process: embedded database on disk, graceful SIGTERM, data kept across restarts, admin CLI.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { expectError, makeClient } from './harness.ts';
import { exited, serverDir, startServerProcess } from './server-process.ts';

const run = promisify(execFile);

describe('the server process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-proc-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('persists to TANDEM_DATA_DIR, shuts down gracefully on SIGTERM finishing in-flight work, and the admin CLI grants admin', async () => {
    const first = await startServerProcess(dataDir);
    const owner = makeClient(first.url);
    await owner.trpc.auth.signUp.mutate({
      email: 'first@example.com',
      password: 'long enough pw',
      name: 'First',
    });
    const second = makeClient(first.url);
    await second.trpc.auth.signUp.mutate({
      email: 'second@example.com',
      password: 'long enough pw',
      name: 'Second',
    });
    // A request in flight when SIGTERM arrives still completes.
    const inFlight = owner.trpc.workspace.create.mutate({ name: 'Survives' });
    // Give the request time to reach the server's parser; a request not yet read would count as not accepted.
    await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGTERM');
    const created = await inFlight;
    expect(await exited(first.child)).toBe(0);

    const cli = await run(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'second@example.com'], {
      cwd: serverDir,
      env: { ...process.env, TANDEM_DATA_DIR: dataDir, DATABASE_URL: '' },
    });
    expect(cli.stdout).toContain('second@example.com is now an instance admin');
    await expect(
      run(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', 'ghost@example.com'], {
        cwd: serverDir,
        env: { ...process.env, TANDEM_DATA_DIR: dataDir, DATABASE_URL: '' },
      }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('No account with email ghost@example.com') as string,
    });

    const again = await startServerProcess(dataDir);
    try {
      const back = makeClient(again.url);
      const user = await back.trpc.auth.signIn.mutate({
        email: 'second@example.com',
        password: 'long enough pw',
      });
      expect(user.isAdmin).toBe(true);
      const relogin = makeClient(again.url);
      await relogin.trpc.auth.signIn.mutate({ email: 'first@example.com', password: 'long enough pw' });
      expect((await relogin.trpc.workspace.list.query()).map((w) => w.id)).toEqual([created.id]);
      // The old session cookie from before the restart is still valid (sessions are in the database).
      const resumed = makeClient(again.url, owner.jar);
      expect((await resumed.trpc.auth.me.query())?.email).toBe('first@example.com');
      await expectError(makeClient(again.url).trpc.workspace.list.query(), 'UNAUTHENTICATED');
    } finally {
      again.child.kill('SIGTERM');
      await exited(again.child);
    }
  }, 240_000);
});
