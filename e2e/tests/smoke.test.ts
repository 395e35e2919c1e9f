// Smoke: the built web app, served by a real server process, signs a new user up and shows their workspaces.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  launchBrowser,
  saveScreenshot,
  signUp,
  startTandem,
  userContext,
  type Tandem,
} from '../harness.ts';

describe('smoke', () => {
  let tandem: Tandem;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    tandem = await startTandem();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    // Either is missing when beforeAll failed half-way; the other must still go.
    await (browser as Browser | undefined)?.close();
    await (tandem as Tandem | undefined)?.stop();
  });

  it('offers a fresh instance’s first visitor the admin account, and lands on the workspaces page', async () => {
    const context = await userContext(browser, tandem.url, '');
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');

    // No one to sign in yet: the first account is the admin's, and there is no "Sign in" to pick.
    await page.getByRole('heading', { name: 'Create the admin account' }).waitFor();
    await page.getByLabel('Email', { exact: true }).waitFor();
    await page.getByLabel('Password', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /Sign in/ }).count()).toBe(0);
    await expectAccessible(page, 'first-run form');

    await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
    await page.getByLabel('Email', { exact: true }).fill('ada@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Create admin account', exact: true }).click();

    await page.getByRole('heading', { name: 'Your workspaces' }).waitFor();
    await expect(page.getByText('Ada Lovelace').first().isVisible()).resolves.toBe(true);
    const cookies = await context.cookies();
    expect(cookies.map((c) => c.name)).toContain('tandem_session');
    await expectAccessible(page, 'workspaces page');
    await saveScreenshot(page, 'smoke-workspaces');
  });

  it('opens signed in with a session created over the API', async () => {
    const grace = await signUp(tandem.url, { name: 'Grace Hopper' });
    expect(grace.cookie).toMatch(/^tandem_session=./);
    const context = await userContext(browser, tandem.url, grace.cookie);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/');

    await page.getByRole('heading', { name: 'Your workspaces' }).waitFor();
    await expect(page.getByText('Grace Hopper').first().isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Password', { exact: true }).count()).resolves.toBe(0);
  });
});
