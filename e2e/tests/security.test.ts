// The admin console's Security tab in a real browser against a real server: a failed sign-in spike, driven over
// HTTP from elsewhere, appears live in the open tab without a reload, and Acknowledge takes it off the list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  client,
  expectAccessible,
  launchBrowser,
  saveScreenshot,
  signUp,
  startTandem,
  type Tandem,
} from '../harness.ts';
import { openAs } from '../scenario.ts';

describe('security monitoring', () => {
  let tandem: Tandem;
  let browser: Browser;
  let root: Awaited<ReturnType<typeof signUp>>;
  beforeAll(async () => {
    [tandem, browser] = await Promise.all([startTandem(), launchBrowser()]);
    root = await signUp(tandem.url, { name: 'Root' });
  });
  afterAll(async () => {
    await browser.close();
    await tandem.stop();
  });

  it('shows a failed sign-in spike live and acknowledges it', async () => {
    const page = await openAs(browser, tandem.url, root.cookie, '/admin');
    await page.getByRole('tab', { name: 'Security' }).click();
    await page.getByText('No open alerts.').waitFor();
    await page.getByRole('heading', { name: 'Alert webhook' }).waitFor();

    // Ten failed sign-ins from one address, for accounts that do not exist.
    const stranger = client(tandem.url, '');
    for (let i = 0; i < 10; i++) {
      await expect(
        stranger.auth.signIn.mutate({ email: `guess-${i}@example.com`, password: 'wrong password!' }),
      ).rejects.toThrow(/wrong email or password/i);
    }
    const alerts = page.getByRole('table', { name: 'Open security alerts' });
    await alerts.getByText('Failed sign-in spike from one address').waitFor();
    await alerts.getByText('127.0.0.1').waitFor();
    await saveScreenshot(page, 'admin-security');
    await expectAccessible(page, 'admin security');

    await page.getByRole('button', { name: /^Acknowledge Failed sign-in spike from one address/ }).click();
    await page.getByText('No open alerts.').waitFor();
    await expect
      .poll(async () => (await client(tandem.url, root.cookie).admin.security.list.query()).length)
      .toBe(0);
  });

  it('refuses a webhook at a private address in words', async () => {
    const page = await openAs(browser, tandem.url, root.cookie, '/admin');
    await page.getByRole('tab', { name: 'Security' }).click();
    await page.getByLabel('Webhook URL').fill('http://169.254.169.254/latest');
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await page
      .getByRole('alert')
      .getByText(/not allowed/)
      .waitFor();
  });
});
