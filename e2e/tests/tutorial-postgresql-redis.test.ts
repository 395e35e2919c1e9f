// docs/tutorials/postgresql-redis.md, walked step by step: two real instances sharing the machine's PostgreSQL and
// Redis, each opened directly in its own Chromium context; an edit through either shows live through the other, and
// the second keeps serving when the first stops.
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv } from '../env.ts';
import {
  freshDatabase,
  launchBrowser,
  startTandem,
  userContext,
  type Tandem,
  type TandemOptions,
} from '../harness.ts';
import { freePort } from '../nginx.ts';
import { editor, waitForText } from '../scenario.ts';
import { tutorial, WALK_TIMEOUT_MS } from '../tutorial.ts';

// The machine's PostgreSQL and Redis, as in proxy.test.ts (CI exports both; a developer's machine has them here).
const databaseBase = e2eEnv.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** `redis-cli ping`, spoken over a plain socket. */
function ping(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) }, () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.end();
      resolve(data.toString().trim());
    });
    socket.once('error', reject);
  });
}

interface Ready {
  ok: boolean;
  checks: Record<string, { ok: boolean }>;
}

async function readyz(url: string): Promise<Ready> {
  const response = await fetch(`${url}/readyz`);
  expect(response.status).toBe(200);
  return (await response.json()) as Ready;
}

describe('tutorial: two instances on PostgreSQL and Redis', () => {
  // Everything a walk made (a retried walk makes its own), all removed at the end.
  const databases: { url: string; drop(): Promise<void> }[] = [];
  const instances: Tandem[] = [];
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    for (const instance of instances) await instance.stop();
    for (const db of databases) await db.drop();
  });

  it(
    'walks every step of the page',
    async () => {
      const t = tutorial('postgresql-redis');
      let options!: TandemOptions;
      let first!: Page;
      let second!: Page;
      const account = { email: 'ops@example.com', password: 'correct horse battery' };

      await t.step('prepare', async () => {
        const db = await freshDatabase(databaseBase);
        databases.push(db);
        expect(await ping(redisUrl)).toBe('+PONG');
        options = {
          databaseUrl: db.url,
          env: {
            REDIS_URL: redisUrl,
            TANDEM_SECRET_KEY: randomBytes(32).toString('base64'),
            // Each run is a deployment of its own in the shared Redis (its own rate-limit budget).
            TANDEM_REDIS_NAMESPACE: `e2e-${randomBytes(6).toString('hex')}`,
          },
        };
      });

      // A fixed port for the first, so it comes back where its browser window expects it (step 7).
      const firstPort = await freePort();
      await t.step('start-first', async () => {
        instances.push(await startTandem({ ...options, port: firstPort }));
        const ready = await readyz(instances.at(-1)?.url ?? '');
        expect(ready.ok).toBe(true);
        expect(ready.checks.database?.ok).toBe(true);
        expect(ready.checks.redis?.ok).toBe(true);
      });

      await t.step('start-second', async () => {
        instances.push(await startTandem(options));
        const ready = await readyz(instances.at(-1)?.url ?? '');
        expect(ready.ok).toBe(true);
        expect(ready.checks.redis?.ok).toBe(true);
      });
      const [one, two] = instances.slice(-2).map((i) => i.url);
      if (!one || !two) throw new Error('two instances expected');

      await t.step('sign-up-first', async () => {
        first = await (await userContext(browser, one, '')).newPage();
        await t.record(first);
        await first.goto('/');
        await first.getByLabel('Name', { exact: true }).fill('Olga');
        await first.getByLabel('Email', { exact: true }).fill(account.email);
        await first.getByLabel('Password', { exact: true }).fill(account.password);
        await first.getByRole('button', { name: 'Create admin account', exact: true }).click();
        await first.getByLabel('New workspace').fill('Shared');
        await first.getByRole('button', { name: 'Create' }).click();
        await first.getByRole('heading', { name: 'Shared' }).waitFor();
        await first.getByRole('button', { name: 'New file', exact: true }).click();
        await first.getByRole('textbox', { name: /New file in the top level/ }).fill('notes.md');
        await first.keyboard.press('Enter');
        await editor(first, 'notes.md').waitFor();
      });

      await t.step('open-second', async () => {
        second = await (await userContext(browser, two, '')).newPage();
        await second.goto('/');
        await second.getByRole('heading', { name: 'Sign in to Tandem' }).waitFor();
        await second.getByLabel('Email', { exact: true }).fill(account.email);
        await second.getByLabel('Password', { exact: true }).fill(account.password);
        await second.getByRole('button', { name: 'Sign in', exact: true }).click();
        await second.getByRole('list', { name: 'Workspaces' }).getByRole('link', { name: 'Shared' }).click();
        await second.getByRole('treeitem', { name: 'notes.md' }).click();
        await editor(second, 'notes.md').waitFor();
      });

      await t.step('edit-live', async () => {
        await editor(first, 'notes.md').click();
        await first.keyboard.type('Typed through the first instance', { delay: 20 });
        await waitForText(second, (text) => text.includes('Typed through the first instance'));
        await editor(second, 'notes.md').click();
        await second.keyboard.press('ControlOrMeta+End');
        await second.keyboard.press('Enter');
        await second.keyboard.type('and through the second', { delay: 20 });
        await waitForText(first, (text) => text.includes('and through the second'));
      });

      await t.step('stop-one', async () => {
        await instances.at(-2)?.stop();
        // It keeps trying (Reconnecting…), between tries it may show Offline; either way no longer Online.
        await first.getByText(/^(Reconnecting…|Offline)$/).waitFor({ timeout: 30_000 });
        await second.reload();
        await second.getByRole('treeitem', { name: 'notes.md' }).click();
        await waitForText(
          second,
          (text) => text === 'Typed through the first instance\nand through the second',
        );
        instances.push(await startTandem({ ...options, port: firstPort }));
        await first.getByText('Online', { exact: true }).waitFor({ timeout: 30_000 });
      });

      await t.done();
    },
    WALK_TIMEOUT_MS,
  );
});
