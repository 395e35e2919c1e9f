// Tandem as deploy/ runs it in production: Debian's nginx terminating TLS in front of two instances that share
// PostgreSQL and Redis. Sign-in, live editing over /yjs, subscriptions over /trpc and an AI task all go through the
// proxy; then each instance is restarted in turn while two people type, and nothing anyone saw is lost.
import { randomBytes } from 'node:crypto';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import superjson, { type SuperJSONResult } from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv } from '../env.ts';
import {
  freshDatabase,
  launchBrowser,
  replay,
  rollingRestart,
  searchReplaceBlock,
  startLlm,
  startTandem,
  until,
  type Llm,
  type Tandem,
  type TandemOptions,
} from '../harness.ts';
import { freePort, startNginx, type Nginx } from '../nginx.ts';
import { caretAfter, editor, editorText, waitForText } from '../scenario.ts';

const PATH = 'src/total.ts';
const FILE = 'export function total(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n';
// The machine's PostgreSQL and Redis (CI exports both; a developer's machine has them at these addresses).
const databaseBase = e2eEnv.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** One tRPC call through the proxy from a browser context, so it carries (and keeps) that context's cookies. */
async function api<T>(
  request: APIRequestContext,
  origin: string,
  procedure: string,
  input: unknown,
  kind: 'query' | 'mutation' = 'mutation',
): Promise<T> {
  const payload = JSON.stringify(superjson.serialize(input));
  const response =
    kind === 'query'
      ? await request.get(`/trpc/${procedure}?input=${encodeURIComponent(payload)}`, { headers: { origin } })
      : await request.post(`/trpc/${procedure}`, {
          headers: { origin, 'content-type': 'application/json' },
          data: payload,
        });
  if (!response.headers()['content-type']?.includes('json')) {
    throw new Error(`${procedure}: HTTP ${response.status()} ${await response.text()}`);
  }
  const body = (await response.json()) as { result?: { data?: SuperJSONResult } };
  if (!response.ok() || !body.result?.data) throw new Error(`${procedure}: ${JSON.stringify(body)}`);
  return superjson.deserialize(body.result.data);
}

interface Cluster {
  db: { url: string; drop(): Promise<void> };
  llm: Llm;
  instances: Tandem[];
  ports: number[];
  options: TandemOptions;
  nginx: Nginx;
  browser: Browser;
}

/** Open WebSockets an instance holds, read from its own /metrics (loopback, not through the proxy). */
async function openSockets(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^tandem_ws_connections\{endpoint="\w+"\} (\d+)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

describe('behind nginx with two instances', () => {
  let c: Cluster;

  beforeAll(async () => {
    const llm = await startLlm();
    const db = await freshDatabase(databaseBase);
    const ports = [await freePort(), await freePort()];
    const edge = { http: await freePort(), https: await freePort() };
    const options: TandemOptions = {
      llm: llm.llm,
      databaseUrl: db.url,
      env: {
        REDIS_URL: redisUrl,
        // Rate limits live in Redis: each run is a deployment of its own, with its own sign-up budget.
        TANDEM_REDIS_NAMESPACE: `e2e-${randomBytes(6).toString('hex')}`,
        TANDEM_PUBLIC_URL: `https://localhost:${edge.https}`,
        TANDEM_TRUST_PROXY: 'loopback',
        // Both instances must read the secrets either one stored.
        TANDEM_SECRET_KEY: randomBytes(32).toString('base64'),
      },
    };
    // One after the other: the first one migrates the shared database.
    const instances: Tandem[] = [];
    for (const port of ports) instances.push(await startTandem({ ...options, port }));
    const nginx = await startNginx(
      ports.map((port) => `127.0.0.1:${port}`),
      edge,
    );
    c = { db, llm, instances, ports, options, nginx, browser: await launchBrowser() };
  });

  afterAll(async () => {
    await c.browser.close();
    await c.nginx.stop();
    for (const instance of c.instances) await instance.stop();
    await c.llm.close();
    await c.db.drop();
  });

  const newContext = (): Promise<BrowserContext> =>
    c.browser.newContext({
      baseURL: c.nginx.url,
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
    });

  async function signedUp(name: string) {
    const context = await newContext();
    const email = `${name.toLowerCase()}-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'correct horse battery';
    await api(context.request, c.nginx.url, 'auth.signUp', { email, password, name });
    return { context, email, password };
  }

  let shared: { workspaceId: string; ada: Page; bob: Page; adaContext: BrowserContext } | undefined;

  it('redirects plain HTTP to HTTPS and serves the app with secure cookies over TLS', async () => {
    const plain = await fetch(`${c.nginx.httpUrl}/w/x?y=1`, { redirect: 'manual' });
    expect(plain.status).toBe(308);
    expect(plain.headers.get('location')).toMatch(/^https:\/\/[^/]+\/w\/x\?y=1$/);

    const context = await newContext();
    const response = await context.request.post('/trpc/auth.signUp', {
      headers: { origin: c.nginx.url, 'content-type': 'application/json' },
      data: JSON.stringify(
        superjson.serialize({
          email: `eve-${randomBytes(4).toString('hex')}@example.com`,
          password: 'correct horse battery',
          name: 'Eve',
        }),
      ),
    });
    expect(response.status()).toBe(200);
    const cookie = response.headers()['set-cookie'] ?? '';
    expect(cookie).toMatch(/tandem_session=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    // HSTS comes once, from the app (a second copy from the proxy would be a config error browsers reject).
    expect(response.headers()['strict-transport-security']).toMatch(/^max-age=\d+[^,]*$/);
    // /metrics is not for the public side of the proxy.
    expect((await context.request.get('/metrics')).status()).toBe(404);
    await context.close();
  });

  it('signs in, edits live over /yjs and follows an AI task over /trpc through the proxy', async () => {
    const owner = await signedUp('Ada');
    const workspace = await api<{ id: string }>(owner.context.request, c.nginx.url, 'workspace.create', {
      name: 'Behind the proxy',
    });
    await api(owner.context.request, c.nginx.url, 'file.create', {
      workspaceId: workspace.id,
      path: PATH,
      content: FILE,
    });
    const invite = await api<{ token: string }>(
      owner.context.request,
      c.nginx.url,
      'workspace.invite.create',
      {
        workspaceId: workspace.id,
        role: 'editor',
      },
    );
    const bobAccount = await signedUp('Bob');
    await api(bobAccount.context.request, c.nginx.url, 'workspace.invite.accept', { token: invite.token });

    // Ada signs in through the form, in a browser that has never seen a cookie.
    const adaContext = await newContext();
    const ada = await adaContext.newPage();
    await ada.goto('/');
    await ada.getByRole('heading', { name: 'Sign in to Tandem' }).waitFor();
    await ada.getByLabel('Email').fill(owner.email);
    await ada.getByLabel('Password').fill(owner.password);
    await ada.getByRole('button', { name: 'Sign in', exact: true }).click();
    await ada.getByRole('link', { name: 'Behind the proxy' }).click();
    await ada.waitForURL(`**/w/${workspace.id}`);
    await ada.goto(`/w/${workspace.id}?file=${encodeURIComponent(PATH)}`);
    await editor(ada, PATH).waitFor();

    const bob = await bobAccount.context.newPage();
    await bob.goto(`/w/${workspace.id}?file=${encodeURIComponent(PATH)}`);
    await editor(bob, PATH).waitFor();

    await caretAfter(ada, 'export function total');
    await ada.keyboard.type(' // through nginx');
    await waitForText(bob, (t) => t.includes('// through nginx'));
    // The proxy spread the live connections over both instances; Redis carried the edit between them.
    await until(
      async () => (await openSockets(c.ports[0] ?? 0)) > 0 && (await openSockets(c.ports[1] ?? 0)) > 0,
    );

    c.llm.server.enqueue([
      replay.text(
        searchReplaceBlock(
          PATH,
          '  return items.reduce((a, b) => a + b, 0);',
          '  return items.reduce((sum, item) => sum + item, 0);',
        ),
      ),
      replay.finish({ usage: { inputTokens: 300, outputTokens: 30 } }),
    ]);
    await ada.getByLabel('Ask the AI to change the code').fill('Name the reducer arguments');
    await ada.getByRole('button', { name: 'Run task' }).click();
    // Bob follows the task live (his subscription may sit on the other instance) and sees the proposal.
    await bob.getByText('proposed').waitFor({ timeout: 30_000 });
    await bob.getByRole('button', { name: /Name the reducer arguments/ }).click();
    await bob.getByRole('button', { name: 'Review changes' }).click();
    await bob.getByRole('region', { name: `Review ${PATH}` }).waitFor();
    await ada.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    await ada
      .getByRole('list', { name: `Hunks in ${PATH}` })
      .locator(':scope > li')
      .first()
      .getByRole('button', { name: /^Accept/ })
      .click();
    await ada.getByRole('button', { name: 'Back to editor' }).click();
    await bob.getByRole('button', { name: 'Back to editor' }).click();
    await waitForText(bob, (t) => t.includes('(sum, item) => sum + item') && t.includes('// through nginx'));
    shared = { workspaceId: workspace.id, ada, bob, adaContext };
  });

  it('loses no update while each instance restarts in turn under two typists', async () => {
    if (!shared) throw new Error('the previous test did not set the stage');
    const { ada, bob } = shared;
    await caretAfter(ada, '}');
    await ada.keyboard.press('End');
    const typed: string[] = [];
    // Each person types numbered lines on their own, steadily, through both restarts.
    let typing = true;
    const typist = async (page: Page, who: string) => {
      for (let i = 0; typing; i++) {
        const word = `${who}${i}`;
        await page.keyboard.type(` ${word}`, { delay: 5 });
        typed.push(word);
        await page.waitForTimeout(100);
      }
    };
    await caretAfter(bob, 'export function total');
    const both = Promise.all([typist(ada, 'a'), typist(bob, 'b')]);

    // Requests while an instance is down fail over to the other one, and nginx leaves the stopped one out for a
    // while; it must take it back before the next one stops, or nginx answers 502 with no instance left.
    const { adaContext, workspaceId } = shared;
    const read = () =>
      api<{ content: string }>(
        adaContext.request,
        c.nginx.url,
        'file.read',
        { workspaceId, path: PATH },
        'query',
      );
    const reads: Promise<unknown>[] = [];
    await rollingRestart(c.instances, c.ports, c.options, undefined, (step, index) => {
      if (step !== 'stopped') return;
      for (let n = 0; n < (index === 0 ? 3 : 1); n++) {
        reads.push(
          read().catch(async (error: unknown) => {
            throw new Error(
              `with instance ${index + 1} stopped: ${String(error)}\n${await c.nginx.errors()}`,
            );
          }),
        );
      }
    });
    await Promise.all(reads);
    await ada.waitForTimeout(1_000);
    typing = false;
    await both;

    // Every word either person typed reaches both screens and the server's copy.
    const all = (t: string) => typed.every((word) => new RegExp(`\\b${word}\\b`).test(t));
    await waitForText(ada, all, 30_000);
    await waitForText(bob, all, 30_000);
    expect(await editorText(ada)).toBe(await editorText(bob));
    expect(all((await read()).content)).toBe(true);
    expect(typed.length).toBeGreaterThan(10);
  });
});
