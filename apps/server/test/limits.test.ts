// Rate limits changed in the admin console against the real server: in force at the next call, back to the
// environment's on reset, audited, refused when out of bounds, and seen by a second instance through Redis.
import { replay, startReplayServer, type ReplayServer } from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEnv } from './env.ts';
import {
  backends,
  expectError,
  makeClient,
  signedUpClient,
  startCluster,
  startTestServer,
  type TestServer,
  replayModelEnv,
} from './harness.ts';

type Signed = Awaited<ReturnType<typeof signedUpClient>>;

/** Waits for a condition with room for a loaded CI machine (vi.waitFor's own default is one second). */
const eventually = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 20_000, interval: 20 });

describe.each(backends)('rate limits set in the console on %s', (backend) => {
  let llm: ReplayServer;
  let server: TestServer;
  let admin: Signed;
  let user: Signed;

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer(backend, {
      env: { ...replayModelEnv(llm), TANDEM_LIMIT_TASKS_PER_USER: '3/1h' },
    });
    // The first account is the instance's admin.
    admin = await signedUpClient(server.url, 'Admin');
    user = await signedUpClient(server.url, 'User');
  });
  afterAll(async () => {
    await server.close();
    await llm.close();
  });

  const tasksLimit = async () =>
    (await admin.trpc.admin.settings.limits.query()).find((l) => l.name === 'tasksPerUser');

  it('lowers tasks per user to 1 at once, and a reset restores the environment value', async () => {
    const ws = await user.trpc.workspace.create.mutate({ name: 'Limits' });
    expect(await tasksLimit()).toMatchObject({ points: 3, duration: 3600, source: 'environment' });

    const set = await admin.trpc.admin.settings.setLimits.mutate({
      limits: { tasksPerUser: { points: 1, duration: 3600 } },
    });
    expect(set.find((l) => l.name === 'tasksPerUser')).toMatchObject({
      points: 1,
      duration: 3600,
      source: 'console',
      variable: 'TANDEM_LIMIT_TASKS_PER_USER',
      fallback: { points: 3, duration: 3600, source: 'environment' },
    });
    // Only the named limit changed.
    expect(set.find((l) => l.name === 'mutationsPerUser')).toMatchObject({ source: 'default' });
    expect(await tasksLimit()).toMatchObject({ points: 1, source: 'console' });

    llm.enqueue([replay.text('Nothing to change.')]);
    await user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'first' });
    const refused = await expectError(
      user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'second' }),
      'RATE_LIMITED',
    );
    expect(refused.httpStatus).toBe(429);

    const reset = await admin.trpc.admin.settings.setLimits.mutate({ limits: { tasksPerUser: null } });
    expect(reset.find((l) => l.name === 'tasksPerUser')).toMatchObject({
      points: 3,
      duration: 3600,
      source: 'environment',
    });
    // Two points are spent (the task and the refused attempt); the environment's three allow one more.
    llm.enqueue([replay.text('Nothing to change.')]);
    await user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'third' });
    await expectError(user.trpc.task.create.mutate({ workspaceId: ws.id, prompt: 'fourth' }), 'RATE_LIMITED');

    // The audit log has both changes, newest first.
    const entries = await admin.trpc.admin.audit.list.query({ action: 'settings.limits' });
    expect(entries.map((e) => e.meta)).toEqual([
      { tasksPerUser: null },
      { tasksPerUser: { points: 1, duration: 3600 } },
    ]);
  });

  it('refuses values out of bounds with BAD_INPUT and callers who are not admins with FORBIDDEN', async () => {
    for (const rule of [
      { points: 0, duration: 60 },
      { points: 1.5, duration: 60 },
      { points: 2_000_000, duration: 60 },
      { points: 10, duration: 0 },
      { points: 10, duration: 365 * 86_400 },
    ]) {
      await expectError(
        admin.trpc.admin.settings.setLimits.mutate({ limits: { signUpPerIp: rule } }),
        'BAD_INPUT',
      );
    }
    await expectError(
      user.trpc.admin.settings.setLimits.mutate({ limits: { tasksPerUser: { points: 1000, duration: 60 } } }),
      'FORBIDDEN',
    );
    expect(await tasksLimit()).toMatchObject({ points: 3, source: 'environment' });
  });
});

describe.runIf(testEnv.databaseUrl && testEnv.redisUrl)('rate limits across two instances', () => {
  it('a limit changed on one instance is in force on the other, and so is its reset', async () => {
    const llm = await startReplayServer();
    const cluster = await startCluster(replayModelEnv(llm));
    try {
      const [one, two] = [(await cluster.start()).url, (await cluster.start()).url];
      const admin = await signedUpClient(one, 'Admin');
      const user = await signedUpClient(one, 'User');
      const adminOnTwo = makeClient(two, admin.jar).trpc;
      const userOnTwo = makeClient(two, user.jar).trpc;
      const ws = await user.trpc.workspace.create.mutate({ name: 'Scaled' });
      const onTwo = async () =>
        (await adminOnTwo.admin.settings.limits.query()).find((l) => l.name === 'tasksPerUser');

      await admin.trpc.admin.settings.setLimits.mutate({
        limits: { tasksPerUser: { points: 1, duration: 3600 } },
      });
      await eventually(async () => expect(await onTwo()).toMatchObject({ points: 1, source: 'console' }));
      llm.enqueue([replay.text('Nothing to change.')]);
      await userOnTwo.task.create.mutate({ workspaceId: ws.id, prompt: 'first' });
      await expectError(
        userOnTwo.task.create.mutate({ workspaceId: ws.id, prompt: 'second' }),
        'RATE_LIMITED',
      );

      await admin.trpc.admin.settings.setLimits.mutate({ limits: { tasksPerUser: null } });
      await eventually(async () => expect(await onTwo()).toMatchObject({ points: 30, source: 'default' }));
      // A third instance started later reads what is stored.
      await admin.trpc.admin.settings.setLimits.mutate({
        limits: { downloadsPerUser: { points: 2, duration: 60 } },
      });
      const three = (await cluster.start()).url;
      const downloads = (await makeClient(three, admin.jar).trpc.admin.settings.limits.query()).find(
        (l) => l.name === 'downloadsPerUser',
      );
      expect(downloads).toMatchObject({ points: 2, duration: 60, source: 'console' });
    } finally {
      await cluster.close();
      await llm.close();
    }
  });
});
