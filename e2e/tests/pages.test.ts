// The pages around the code mode: sign-in failures and rate limits in words, a clear page for non-members,
// the workspace list with sharing, and the admin console. Each is checked with axe and photographed.
import { readFile } from 'node:fs/promises';
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
import { openAs, team, toast } from '../scenario.ts';

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

  it('tests the model connection, shows the rate limits in force and edits the model prices in the console', async () => {
    const page = await openAs(browser, tandem.url, root.cookie, '/admin');
    await page.getByRole('tab', { name: 'Settings' }).click();
    // This instance has no model: the test says so instead of a task failing later.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('alert').getByText('Connection failed (NO_MODEL)').waitFor();

    const limits = page.getByRole('table', { name: 'Rate limits' });
    const tasks = limits.getByRole('row').filter({ hasText: 'TANDEM_LIMIT_TASKS_PER_USER' });
    await tasks.getByText('30 per 1 h').waitFor();
    await tasks.getByText('default').waitFor();
    // Changed in the console: checked as typed, stored, in force and shown as the console's.
    await tasks.getByRole('button', { name: 'Change Tasks per user' }).click();
    const allowed = limits.getByLabel('Allowed tasks per user');
    await allowed.fill('0');
    await limits.getByText('A whole number from 1 to 1,000,000.').waitFor();
    expect(await limits.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
    await allowed.fill('5');
    await limits.getByLabel('Per window of seconds').fill('60');
    await limits.getByRole('button', { name: 'Save', exact: true }).click();
    await toast(page, 'Rate limit saved').first().waitFor();
    await tasks.getByText('5 per 1 min').waitFor();
    await tasks.getByText('console').waitFor();
    const inForce = async () =>
      (await client(tandem.url, root.cookie).admin.settings.limits.query()).find(
        (l) => l.name === 'tasksPerUser',
      );
    expect(await inForce()).toMatchObject({ points: 5, duration: 60, source: 'console' });
    const audit = await client(tandem.url, root.cookie).admin.audit.list.query({ action: 'settings.limits' });
    expect(audit[0]?.meta).toEqual({ tasksPerUser: { points: 5, duration: 60 } });
    // Reset: back to the server's value.
    await tasks.getByRole('button', { name: 'Reset Tasks per user' }).click();
    await tasks.getByText('30 per 1 h').waitFor();
    await tasks.getByText('default').waitFor();
    expect(await inForce()).toMatchObject({ points: 30, duration: 3600, source: 'default' });

    const prices = page.getByRole('table', { name: 'Model prices' });
    expect(await prices.getByLabel('Input price for gpt-4o', { exact: true }).inputValue()).toBe('2.5');
    await page.getByRole('button', { name: 'Remove gpt-4o', exact: true }).click();
    await page.getByRole('button', { name: 'Add model' }).click();
    await prices.getByText('Enter a model name.').waitFor();
    await prices.getByLabel('Model name').last().fill('house-model');
    await prices.getByLabel('Input price for house-model').fill('-1');
    await prices.getByText('Prices are numbers of 0 or more.').waitFor();
    expect(await page.getByRole('button', { name: 'Save prices' }).isDisabled()).toBe(true);
    await prices.getByLabel('Input price for house-model').fill('0.5');
    await prices.getByLabel('Output price for house-model').fill('1.25');
    await expectAccessible(page, 'admin prices and limits');
    await page.getByRole('button', { name: 'Save prices' }).click();
    await page.getByText('Prices saved').first().waitFor();

    const stored = (await client(tandem.url, root.cookie).admin.settings.get.query()).prices;
    expect(stored['house-model']).toEqual({ inputPerMTok: 0.5, outputPerMTok: 1.25 });
    expect(stored['gpt-4o']).toBeUndefined();
    expect(stored['gpt-4o-mini']).toEqual({ inputPerMTok: 0.15, outputPerMTok: 0.6 });
    // A fresh console shows what was stored.
    await page.reload();
    await page.getByRole('tab', { name: 'Settings' }).click();
    expect(await prices.getByLabel('Output price for house-model').inputValue()).toBe('1.25');
  });

  it('turns a feature off for the instance in the console and for a workspace in its share dialog', async () => {
    const admin = await openAs(browser, tandem.url, root.cookie, '/admin');
    await admin.getByRole('tab', { name: 'Settings' }).click();
    const features = admin.getByRole('region', { name: 'Features' });
    await features.getByRole('checkbox', { name: 'Git push' }).uncheck();
    await expect
      .poll(async () => (await client(tandem.url, root.cookie).admin.settings.get.query()).features.gitPush)
      .toBe(false);

    try {
      const { owner, workspace } = await team(tandem.url, { 'a.ts': '' });
      const page = await openAs(browser, tandem.url, owner.cookie, '/');
      await page.getByRole('button', { name: 'Share' }).first().click();
      const dialog = page.getByRole('dialog');
      // The owner sees why their switch would not push.
      await dialog.getByText('(turned off by an administrator)').waitFor();
      await dialog.getByRole('checkbox', { name: 'Auto-apply clean proposals' }).uncheck();
      await expect
        .poll(
          async () =>
            (await client(tandem.url, owner.cookie).workspace.features.query({ workspaceId: workspace.id }))
              .workspace.autoApply,
        )
        .toBe(false);
      await expectAccessible(page, 'share dialog with features');
    } finally {
      await client(tandem.url, root.cookie).admin.settings.setFeatures.mutate({ gitPush: true });
    }
  });

  it('hands a user a reset link from the console, which sets a new password once, and shows the audit log in words', async () => {
    const hal = await signUp(tandem.url, { name: 'Hal' });
    const page = await openAs(browser, tandem.url, root.cookie, '/admin');
    await page.getByRole('button', { name: 'Password reset link for Hal' }).click();
    const field = page.getByRole('textbox', { name: 'Reset link for Hal' });
    await field.waitFor();
    const url = await field.inputValue();
    expect(url).toMatch(/\/reset\/[\w-]{40,}$/);
    await expectAccessible(page, 'admin with a reset link');

    // Hal, signed out, opens the link.
    const theirs = await (await userContext(browser, tandem.url, '')).newPage();
    await theirs.goto(new URL(url).pathname);
    await theirs.getByText(`For Hal (${hal.email})`, { exact: false }).waitFor();
    await expectAccessible(theirs, 'reset page');
    await theirs.getByLabel('New password', { exact: true }).fill('a fresh long password');
    await theirs.getByLabel('New password again').fill('a fresh long passwort');
    await theirs.getByRole('button', { name: 'Set password and sign in' }).click();
    await theirs.getByText('The two passwords differ.').waitFor();
    await theirs.getByLabel('New password again').fill('a fresh long password');
    await theirs.getByRole('button', { name: 'Set password and sign in' }).click();
    await theirs.getByRole('heading', { name: 'Your workspaces' }).waitFor();
    // The link is spent.
    await theirs.goto(new URL(url).pathname);
    await theirs.getByRole('alert').getByText('This reset link cannot be used').waitFor();

    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByLabel('Who').selectOption({ label: `Hal (${hal.email})` });
    await page.getByLabel('What').selectOption({ label: 'user.*' });
    const table = page.getByRole('table', { name: 'Audit log, newest first' });
    await table.getByText('Reset their password').waitFor();
    await table.getByText('for Hal').first().waitFor();
    await expectAccessible(page, 'admin audit log filtered');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^tandem-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await file.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'time,action,what,actor,actor email,workspace,target,ip,details,request id',
    );
    expect(csv).toContain(',user.password_reset,Reset their password,Hal,');
  });
});
