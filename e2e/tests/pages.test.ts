// The pages around the code mode: sign-in failures and rate limits in words, a clear page for non-members,
// the workspace list with sharing, and the admin console. Each is checked with axe and photographed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  expectAccessible,
  launchBrowser,
  saveScreenshot,
  signUp,
  startTandem,
  userContext,
  type Tandem,
} from '../harness.ts';
import type { Browser } from 'playwright-core';
import { openAs, team } from '../scenario.ts';

describe('pages', () => {
  let tandem: Tandem;
  let browser: Browser;
  let root: Awaited<ReturnType<typeof signUp>>;
  beforeAll(async () => {
    [tandem, browser] = await Promise.all([startTandem(), launchBrowser()]);
    // The first account on an instance becomes its admin.
    root = await signUp(tandem.url, { name: 'Root' });
  });
  afterAll(async () => {
    await browser.close();
    await tandem.stop();
  });

  it('checks fields as you type and says why a sign-in failed, then when to retry', async () => {
    const user = await signUp(tandem.url, { name: 'Dana' });
    const page = await (await userContext(browser, tandem.url, '')).newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to Tandem' }).waitFor();
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Email').blur();
    await page.getByText('Enter an email address like you@example.com.').waitFor();
    await page.getByRole('button', { name: 'No account yet? Sign up' }).click();
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Password').blur();
    await page.getByText('Use at least 10 characters').waitFor();
    await saveScreenshot(page, 'sign-up-validation');
    await expectAccessible(page, 'sign up');
    await page.getByRole('button', { name: 'Have an account? Sign in' }).click();

    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/wrong email or password/i)
      .waitFor();
    await saveScreenshot(page, 'sign-in-failed');
    await expectAccessible(page, 'sign in failed');

    // Keep failing until the per-account limit answers; the message says when to try again.
    let limited = false;
    for (let i = 0; i < 15 && !limited; i++) {
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').waitFor();
      await page.waitForFunction(() => !document.querySelector('button[aria-busy="true"]'));
      limited = (await page.getByRole('alert').textContent())?.includes('Try again in') ?? false;
    }
    expect(limited).toBe(true);
    expect(await page.getByRole('alert').textContent()).toMatch(
      /Too many attempts\. Try again in \d+ (seconds|minutes?)\./,
    );
    await saveScreenshot(page, 'sign-in-rate-limited');
  });

  it('gives a non-member a clear page instead of the workspace', async () => {
    const { workspace } = await team(tandem.url, { 'a.ts': 'secret\n' });
    const stranger = await signUp(tandem.url, { name: 'Eve' });
    const page = await openAs(browser, tandem.url, stranger.cookie, `/w/${workspace.id}`);
    await page.getByText("You don't have access to this workspace").waitFor();
    expect(await page.content()).not.toContain('secret');
    await page.getByRole('link', { name: 'Go to your workspaces' }).waitFor();
    await saveScreenshot(page, 'no-access');
    await expectAccessible(page, 'no access');
  });

  it('lists, creates, renames and shares workspaces', async () => {
    const { owner, workspace } = await team(tandem.url, { 'a.ts': '' }, [{ name: 'Finn', role: 'editor' }]);
    const page = await openAs(browser, tandem.url, owner.cookie, '/');
    const list = page.getByRole('list', { name: 'Workspaces' });
    await list.getByRole('link', { name: workspace.name }).waitFor();
    await list.getByText('2 members', { exact: false }).waitFor();
    await saveScreenshot(page, 'workspaces');
    await expectAccessible(page, 'workspaces');

    await page.getByRole('button', { name: 'Share' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('list', { name: 'Members' }).getByText('Finn', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const link = await dialog.getByRole('textbox', { name: /Invite link/ }).inputValue();
    expect(link).toMatch(/\/invite\/[\w-]+$/);
    await dialog.getByRole('combobox', { name: 'Role of Finn' }).selectOption('reviewer');
    await saveScreenshot(page, 'share-dialog');
    await expectAccessible(page, 'share dialog');
    const members = await client(tandem.url, owner.cookie).workspace.members.list.query({
      workspaceId: workspace.id,
    });
    await expect
      .poll(async () => {
        const now = await client(tandem.url, owner.cookie).workspace.members.list.query({
          workspaceId: workspace.id,
        });
        return now.find((m) => m.name === 'Finn')?.role;
      })
      .toBe('reviewer');
    expect(members).toHaveLength(2);
    await page.keyboard.press('Escape');

    await page.getByLabel('New workspace').fill('Second project');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Second project' }).waitFor();
    await page.getByText('Open a file to start').waitFor();
  });

  it('opens the admin console for admins only', async () => {
    expect((await client(tandem.url, root.cookie).auth.me.query())?.isAdmin).toBe(true);
    const someone = await signUp(tandem.url, { name: 'Gus' });
    const page = await openAs(browser, tandem.url, root.cookie, '/admin');
    await page.getByRole('tab', { name: 'Users' }).waitFor();
    await page.getByRole('table').getByText('Gus', { exact: true }).waitFor();
    await saveScreenshot(page, 'admin-users');
    await expectAccessible(page, 'admin users');
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByText('auth.sign_up').first().waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Model provider' }).waitFor();
    await saveScreenshot(page, 'admin-settings');
    await expectAccessible(page, 'admin settings');

    const theirs = await openAs(browser, tandem.url, someone.cookie, '/admin');
    await theirs.getByText('Admins only').waitFor();
  });
});
