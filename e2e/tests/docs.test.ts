// The docs site as the instance serves it at /docs, in Chromium: pages render under the app's Content-Security-Policy
// with every request staying on the instance, and the API playground makes a real call with the reader's session.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  launchBrowser,
  saveScreenshot,
  signUp,
  startTandem,
  userContext,
  type SignedUp,
  type Tandem,
} from '../harness.ts';

describe('docs site', () => {
  let tandem: Tandem;
  let browser: Browser;
  let ada: SignedUp;
  let context: BrowserContext;
  const requests: string[] = [];
  const problems: string[] = [];

  /** A page that records every request it makes and every CSP violation or page error it meets. */
  async function watchedPage(): Promise<Page> {
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${message.text()} ${message.location().url}`);
    });
    page.on('pageerror', (error) => problems.push(error.message));
    return page;
  }

  beforeAll(async () => {
    tandem = await startTandem();
    browser = await launchBrowser();
    ada = await signUp(tandem.url, { name: 'Ada Lovelace' });
    context = await userContext(browser, tandem.url, ada.cookie);
  });
  afterAll(async () => {
    await (context as BrowserContext | undefined)?.close();
    await (browser as Browser | undefined)?.close();
    await (tandem as Tandem | undefined)?.stop();
  });

  it('renders the guide and searches it, loading nothing from outside the instance', async () => {
    const page = await watchedPage();
    await page.goto('/docs/guide/getting-started');
    await page.getByRole('heading', { name: 'Getting started', level: 1 }).waitFor();
    // Client-side navigation works (the page's scripts ran under the CSP).
    await page.getByRole('link', { name: 'Reviewing changes' }).first().click();
    await page.getByRole('heading', { name: 'Reviewing changes', level: 1 }).waitFor();
    expect(page.url()).toBe(`${tandem.url}/docs/guide/review`);
    // Local search: its index is a chunk of the site.
    await page
      .getByRole('button', { name: /search/i })
      .first()
      .click();
    await page.getByPlaceholder(/search/i).fill('bubblewrap');
    await page.getByRole('option').first().waitFor();
    expect(await page.getByRole('option').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('lets a signed-in user call the API from /docs/api, with a real call that changes real data', async () => {
    const page = await watchedPage();
    await page.goto('/docs/api');
    await page.getByTestId('signed-in').waitFor();
    expect(await page.getByTestId('signed-in').textContent()).toContain('Ada Lovelace');

    // A query with the example's input left out: who am I.
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByTestId('result-status').waitFor();
    expect(await page.getByTestId('result-status').textContent()).toBe('HTTP 200');
    expect(await page.getByTestId('result').textContent()).toContain(ada.email);

    // A mutation: create a workspace, then find it over the API as the same user.
    await page.getByLabel('Procedure').selectOption('workspace.create');
    await page.getByLabel('Input (JSON)').fill(JSON.stringify({ name: 'Made in the playground' }));
    await page.getByRole('button', { name: 'Run mutation' }).click();
    await page.getByText('HTTP 200').waitFor();
    expect(await page.getByTestId('result').textContent()).toContain('Made in the playground');
    const workspaces = await client(tandem.url, ada.cookie).workspace.list.query();
    expect(workspaces.map((w) => w.name)).toContain('Made in the playground');

    // A refused call shows the typed error as the server sent it: the example's id names no workspace of Ada's.
    await page.getByLabel('Procedure').selectOption('workspace.get');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByText('HTTP 404').waitFor();
    expect(await page.getByTestId('result').textContent()).toContain('"code": "NOT_FOUND"');
    await saveScreenshot(page, 'docs-api-playground');
    await page.close();
  });

  it('sent every request to the instance itself, and met no CSP violation or page error', () => {
    const origin = new URL(tandem.url).origin;
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    // The browser logs the playground's deliberate NOT_FOUND call as a failed resource; nothing else may fail.
    expect(problems.filter((problem) => !problem.includes('/trpc/workspace.get?'))).toEqual([]);
    expect(problems.length).toBeLessThanOrEqual(1);
  });
});
