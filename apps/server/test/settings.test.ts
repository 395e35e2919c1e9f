// Admin settings through the real server: the LLM key stays with the endpoint it was given for, is sealed at rest
// (also when it was stored in plain text before, and across a key rotation), editors get only the models the
// instance offers, and workspace policy changes are audited.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { replay, startReplayServer, type ReplayServer } from '@tandem/core/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.ts';
import { settings } from '../src/db/schema.ts';
import { loadConfig } from '../src/env.ts';
import { loadSecretBox, parseSecretKey, secretKeyFile } from '../src/secrets.ts';
import {
  backends,
  expectError,
  makeClient,
  openTestDatabase,
  signedUpClient,
  startTestServer,
  type Backend,
  type Client,
  type TestServer,
} from './harness.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-settings-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs one task that changes nothing and returns the request the model server received for it. */
async function runTask(c: Client, llm: ReplayServer, workspaceId: string, model?: string) {
  llm.enqueue([replay.text('Nothing to change here.')]);
  const before = llm.requests.length;
  const { taskId } = await c.trpc.task.create.mutate({
    workspaceId,
    prompt: 'look',
    ...(model ? { model } : {}),
  });
  await vi.waitFor(async () => expect((await c.trpc.task.get.query({ taskId })).state).toBe('no-changes'), {
    timeout: 20_000,
    interval: 50,
  });
  const request = llm.requests.slice(before).find((r) => r.method === 'POST');
  if (!request) throw new Error('the model server received no request');
  return request;
}

async function storedLlm(server: { app: { deps: { db: TestServer['app']['deps']['db'] } } }) {
  const [row] = await server.app.deps.db.select().from(settings).where(eq(settings.key, 'llm'));
  return row?.value as { apiKey?: string | null } | undefined;
}

describe.each(backends)('admin settings on %s', (backend: Backend) => {
  let first: ReplayServer;
  let second: ReplayServer;
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedUpClient>>;
  let dataDir: string;
  let workspaceId: string;

  beforeAll(async () => {
    first = await startReplayServer();
    second = await startReplayServer();
    dataDir = tempDir();
    // No TANDEM_SECRET_KEY: the key file in the data directory seals secrets, whatever the database.
    server = await startTestServer(backend, {
      env: { TANDEM_DATA_DIR: dataDir, TANDEM_OLLAMA_URL: 'http://127.0.0.1:9' },
    });
    admin = await signedUpClient(server.url, 'Admin');
    workspaceId = (await admin.trpc.workspace.create.mutate({ name: 'Settings' })).id;
  });
  afterAll(async () => {
    await server.close();
    await first.close();
    await second.close();
  });

  const setLlm = (
    baseUrl: string,
    apiKey?: string | null,
    provider: 'openai-compatible' | 'anthropic' = 'openai-compatible',
  ) =>
    admin.trpc.admin.settings.setLlm.mutate({
      provider,
      baseUrl: `${baseUrl}/v1`,
      model: 'replay-model',
      ...(apiKey === undefined ? {} : { apiKey }),
    });

  it('never sends the API key to an endpoint it was not given for', async () => {
    expect(await setLlm(first.url, 'sk-first-secret')).toMatchObject({ hasApiKey: true });
    expect((await runTask(admin, first, workspaceId)).headers.authorization).toBe('Bearer sk-first-secret');

    // A new endpoint without a key: the old key is dropped, not sent along.
    expect(await setLlm(second.url)).toMatchObject({ hasApiKey: false });
    expect((await runTask(admin, second, workspaceId)).headers.authorization).toBeUndefined();

    // A key given with the endpoint stays while only the model settings change.
    await setLlm(second.url, 'sk-second-secret');
    expect(await setLlm(second.url)).toMatchObject({ hasApiKey: true });
    expect((await runTask(admin, second, workspaceId)).headers.authorization).toBe('Bearer sk-second-secret');
    // Another provider is another endpoint too.
    expect(await setLlm(second.url, undefined, 'anthropic')).toMatchObject({ hasApiKey: false });

    const audit = await admin.trpc.admin.audit.list.query({ limit: 20 });
    const llmChanges = audit.filter((e) => e.action === 'settings.llm');
    expect(llmChanges[0]?.meta).toMatchObject({ keyChanged: false, keyCleared: true });
    expect(JSON.stringify(audit)).not.toContain('secret');
    await setLlm(second.url, null);
  });

  it('keeps the API key sealed at rest, under the key file in the data directory', async () => {
    await setLlm(first.url, 'sk-sealed-secret');
    const sealed = await storedLlm(server);
    expect(JSON.stringify(sealed)).not.toContain('sk-sealed-secret');
    expect(sealed?.apiKey).toMatch(/^tsk1\./);
    // Sealed with the key file the server created in its data directory, not with anything in the database.
    expect(existsSync(secretKeyFile(dataDir))).toBe(true);
    const box = loadSecretBox({ dataDir, secretKey: undefined, secretKeyPrevious: undefined });
    expect(box.open(sealed?.apiKey ?? '', 'LLM API key')).toBe('sk-sealed-secret');
    expect((await runTask(admin, first, workspaceId)).headers.authorization).toBe('Bearer sk-sealed-secret');
    await setLlm(first.url, null);
  });

  it('lets editors use only the models the instance offers', async () => {
    await admin.trpc.admin.settings.setLlm.mutate({
      provider: 'openai-compatible',
      baseUrl: `${second.url}/v1`,
      model: 'replay-model',
    });
    second.setModels(['replay-model', 'second-model']);
    const data = await expectError(
      admin.trpc.task.create.mutate({ workspaceId, prompt: 'x', model: 'someone-elses-model' }),
      'BAD_INPUT',
    );
    expect(data.httpStatus).toBe(400);
    expect(await admin.trpc.task.list.query({ workspaceId })).not.toContainEqual(
      expect.objectContaining({ model: 'someone-elses-model' }),
    );
    const request = await runTask(admin, second, workspaceId, 'second-model');
    expect(request.body).toMatchObject({ model: 'second-model' });
  });

  it('audits the auto-apply policy, written through its service', async () => {
    await admin.trpc.task.setAutoApply.mutate({ workspaceId, autoApply: true });
    const [entry] = await admin.trpc.admin.audit.list.query({ limit: 5, workspaceId });
    expect(entry).toMatchObject({
      action: 'workspace.auto_apply',
      actorId: admin.user.id,
      workspaceId,
      meta: { autoApply: true },
    });
    expect((await admin.trpc.workspace.get.query({ workspaceId })).autoApply).toBe(true);
  });
});

describe.each(backends)('secrets stored before sealing, and key rotation, on %s', (backend: Backend) => {
  it('seals a plain-text key at start and seals it again under a new key, while tasks keep using it', async () => {
    const llm = await startReplayServer();
    const testDb = await openTestDatabase(backend);
    const dataDir = tempDir();
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    // A row as an older version wrote it: the key in plain text.
    await testDb.database.db.insert(settings).values({
      key: 'llm',
      value: {
        provider: 'openai-compatible',
        baseUrl: `${llm.url}/v1`,
        model: 'replay-model',
        apiKey: 'sk-legacy',
      },
    });
    const start = async (env: Record<string, string>) => {
      const config = loadConfig({
        NODE_ENV: 'test',
        TANDEM_LOG_LEVEL: 'silent',
        TANDEM_DATA_DIR: dataDir,
        ...env,
      });
      const app = await createApp(config, { db: testDb.database });
      return { app, url: await app.listen(0, '127.0.0.1') };
    };
    try {
      const one = await start({ TANDEM_SECRET_KEY: oldKey });
      const user = await signedUpClient(one.url, 'Rotate');
      const ws = await user.trpc.workspace.create.mutate({ name: 'Rotate' });
      const sealed = await storedLlm(one);
      expect(JSON.stringify(sealed)).not.toContain('sk-legacy');
      expect(sealed?.apiKey).toMatch(new RegExp(`^tsk1\\.${parseSecretKey(oldKey, 'k').id}\\.`));
      expect((await runTask(user, llm, ws.id)).headers.authorization).toBe('Bearer sk-legacy');
      await one.app.close();

      const two = await start({ TANDEM_SECRET_KEY: newKey, TANDEM_SECRET_KEY_PREVIOUS: oldKey });
      expect((await storedLlm(two))?.apiKey).toMatch(
        new RegExp(`^tsk1\\.${parseSecretKey(newKey, 'k').id}\\.`),
      );
      await two.app.close();

      // The old key is gone from the configuration; the secret still opens.
      const three = await start({ TANDEM_SECRET_KEY: newKey });
      try {
        const again = makeClient(three.url, user.jar);
        expect((await runTask(again, llm, ws.id)).headers.authorization).toBe('Bearer sk-legacy');
      } finally {
        await three.app.close();
      }
    } finally {
      await testDb.dispose();
      await llm.close();
    }
  });
});
