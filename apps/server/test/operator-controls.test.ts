// Operator controls through the real server: the rate limits an admin sees are the ones enforced, with the
// variable that changes each, and the price table an admin sets is what tasks are charged at.
import { replay, startReplayServer, type ReplayServer } from '@tandem/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, signedUpClient, startTestServer, type TestServer } from './harness.ts';

describe('operator controls', () => {
  let llm: ReplayServer;
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedUpClient>>;
  let member: Awaited<ReturnType<typeof signedUpClient>>;

  beforeAll(async () => {
    llm = await startReplayServer();
    server = await startTestServer('pglite', {
      env: {
        TANDEM_LLM_PROVIDER: 'openai-compatible',
        TANDEM_LLM_BASE_URL: `${llm.url}/v1`,
        TANDEM_LLM_MODEL: 'replay-model',
        TANDEM_LIMIT_TASKS_PER_USER: '2/1h',
      },
    });
    admin = await signedUpClient(server.url, 'Admin');
    member = await signedUpClient(server.url, 'Member');
  });
  afterAll(async () => {
    await server.close();
    await llm.close();
  });

  it('shows every rate limit as enforced, where it comes from, and the variable that changes it', async () => {
    const limits = await admin.trpc.admin.settings.limits.query();
    expect(limits.find((l) => l.name === 'tasksPerUser')).toEqual({
      name: 'tasksPerUser',
      points: 2,
      duration: 3600,
      source: 'environment',
      variable: 'TANDEM_LIMIT_TASKS_PER_USER',
      fallback: { points: 2, duration: 3600, source: 'environment' },
    });
    expect(limits.find((l) => l.name === 'downloadsPerUser')).toEqual({
      name: 'downloadsPerUser',
      points: 10,
      duration: 60,
      source: 'default',
      variable: 'TANDEM_LIMIT_DOWNLOADS_PER_USER',
      fallback: { points: 10, duration: 60, source: 'default' },
    });
    // The test harness raises the sign-in limits when it starts the server.
    expect(limits.find((l) => l.name === 'signInPerIp')).toMatchObject({ points: 10_000, source: 'startup' });
    expect(limits).toHaveLength(7);

    // The limit shown is the one enforced: a third task within the hour is refused.
    const { id: workspaceId } = await admin.trpc.workspace.create.mutate({ name: 'Limits' });
    llm.enqueue([replay.text('Nothing to change.')]);
    llm.enqueue([replay.text('Nothing to change.')]);
    await admin.trpc.task.create.mutate({ workspaceId, prompt: 'one' });
    await admin.trpc.task.create.mutate({ workspaceId, prompt: 'two' });
    await expectError(admin.trpc.task.create.mutate({ workspaceId, prompt: 'three' }), 'RATE_LIMITED');
    await server.app.deps.runner.idle();
  });

  it('prices a task at the table an admin set, where an unlisted model costs unknown', async () => {
    const { id: workspaceId } = await member.trpc.workspace.create.mutate({ name: 'Prices' });
    const run = async () => {
      llm.enqueue([
        replay.text('Nothing to change.'),
        replay.finish({ usage: { inputTokens: 1_000_000, outputTokens: 500_000 } }),
      ]);
      const { taskId } = await member.trpc.task.create.mutate({ workspaceId, prompt: 'look' });
      await vi.waitFor(
        async () => expect((await member.trpc.task.get.query({ taskId })).state).toBe('no-changes'),
        { timeout: 20_000, interval: 50 },
      );
      return (await member.trpc.task.get.query({ taskId })).costUsd;
    };
    // replay-model is not in the default table.
    expect(await run()).toBeNull();

    const table = { 'replay-model': { inputPerMTok: 2, outputPerMTok: 8 } };
    expect(await admin.trpc.admin.settings.setPrices.mutate(table)).toEqual(table);
    expect((await admin.trpc.admin.settings.get.query()).prices).toEqual(table);
    expect(await run()).toBeCloseTo(2 + 4);
    await expectError(
      admin.trpc.admin.settings.setPrices.mutate({ 'replay-model': { inputPerMTok: -1, outputPerMTok: 0 } }),
      'BAD_INPUT',
    );
    await expectError(member.trpc.admin.settings.setPrices.mutate(table), 'FORBIDDEN');
  });

  it('tests the model endpoint with one real request, and names what failed with the provider status', async () => {
    const before = llm.requests.length;
    const ok = await admin.trpc.admin.settings.testLlm.mutate();
    expect(ok).toMatchObject({
      ok: true,
      provider: 'openai-compatible',
      baseUrl: `${llm.url}/v1`,
      model: 'replay-model',
      modelListed: true,
    });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect(llm.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);

    // A failing endpoint, set in the console: the key is refused, then the server errs, then nothing listens.
    const broken = await startReplayServer();
    try {
      await admin.trpc.admin.settings.setLlm.mutate({
        provider: 'openai-compatible',
        baseUrl: `${broken.url}/v1`,
        model: 'replay-model',
        apiKey: 'sk-wrong',
      });
      broken.route((r) => r.path === '/v1/models', [replay.unauthorized()]);
      expect(await admin.trpc.admin.settings.testLlm.mutate()).toMatchObject({
        ok: false,
        code: 'LLM_AUTH',
        status: 401,
        baseUrl: `${broken.url}/v1`,
      });
      expect(broken.requests.at(-1)?.headers.authorization).toBe('Bearer sk-wrong');
      broken.reset();
      broken.route((r) => r.path === '/v1/models', [replay.serverError(503)]);
      expect(await admin.trpc.admin.settings.testLlm.mutate()).toMatchObject({
        ok: false,
        code: 'LLM_ERROR',
        status: 503,
      });
    } finally {
      await broken.close();
    }
    expect(await admin.trpc.admin.settings.testLlm.mutate()).toMatchObject({
      ok: false,
      code: 'LLM_UNREACHABLE',
      status: null,
    });
    await expectError(member.trpc.admin.settings.testLlm.mutate(), 'FORBIDDEN');
    // Back to the environment's endpoint for the other tests.
    await admin.trpc.admin.settings.setLlm.mutate({
      provider: null,
      baseUrl: null,
      model: null,
      apiKey: null,
    });
    expect(await admin.trpc.admin.settings.testLlm.mutate()).toMatchObject({ ok: true });
  });

  it('shows the limits to admins only', async () => {
    await expectError(member.trpc.admin.settings.limits.query(), 'FORBIDDEN');
  });
});
