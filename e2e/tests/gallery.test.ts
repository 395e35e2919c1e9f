// The component gallery (/gallery) the docs' UI reference links to: in Chromium, with no account, every component of
// @tandem/ui renders with its sample data and answers input, under the app's Content-Security-Policy.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startTandem, userContext, type Tandem } from '../harness.ts';

describe('component gallery', () => {
  let tandem: Tandem;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [tandem, browser] = await Promise.all([startTandem(), launchBrowser()]);
    context = await userContext(browser, tandem.url, '');
  });
  afterAll(async () => {
    await (context as BrowserContext | undefined)?.close();
    await (browser as Browser | undefined)?.close();
    await (tandem as Tandem | undefined)?.stop();
  });

  it('renders each component with sample data, live, without signing in', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto('/gallery');
    await page.getByRole('heading', { name: 'Component gallery', level: 1 }).waitFor();

    const section = (id: string) => page.locator(`[data-gallery="${id}"]`);
    const ids = [
      'status-badge',
      'presence-bar',
      'file-tree',
      'collaborative-editor',
      'diff-review',
      'task-timeline',
      'check-results',
    ];
    for (const id of ids) await section(id).waitFor();

    expect(await section('status-badge').innerText()).toMatch(
      /applied[\s\S]*conflict[\s\S]*failed[\s\S]*queued/,
    );
    // Following someone presses their avatar.
    await section('presence-bar')
      .getByRole('button', { name: /Grace Hopper/ })
      .click();
    await section('presence-bar')
      .getByRole('button', { name: /Grace Hopper/, pressed: true })
      .waitFor();

    // The tree opens a file on click.
    await section('file-tree').getByText('README.md').click();
    await section('file-tree').getByText('Opened: README.md').waitFor();

    // The editor is CodeMirror on a Y.Text, and takes typing.
    const editor = section('collaborative-editor').locator('.cm-content');
    await editor.getByText('return a / b;').waitFor();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('// typed in the gallery');
    await editor.getByText('// typed in the gallery').waitFor();

    // The diff review shows the sample change and reports a decision.
    const review = section('diff-review');
    await review.getByText("if (b === 0) throw new RangeError('division by zero');").first().waitFor();
    await review
      .getByRole('button', { name: /^Accept/ })
      .first()
      .click();
    await page
      .locator('[data-gallery-decision]')
      .getByText(/^accepted /)
      .waitFor();

    expect(await section('task-timeline').innerText()).toContain('src/math.ts');
    expect(await section('check-results').innerText()).toMatch(/Type check[\s\S]*Tests/);
    await section('check-results').getByText('expected RangeError, got Infinity').waitFor();

    expect(problems).toEqual([]);
  }, 120_000);
});
