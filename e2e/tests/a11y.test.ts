// Every screen at three widths with zero axe findings of any impact, and focus that lands somewhere sensible
// when the review opens and after a hunk is decided from the keyboard.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeFindings, replay, searchReplaceBlock, userContext } from '../harness.ts';
import { editor, openAs, stage, team, type Stage } from '../scenario.ts';

const PATH = 'src/math.ts';
const FILE = [
  'export function add(a: number, b: number) {',
  '  return a + b;',
  '}',
  '',
  'export const name = "tandem";',
  '',
  'export function sub(a: number, b: number) {',
  '  return a - b;',
  '}',
  '',
].join('\n');

const widths = [1440, 1024, 800] as const;

/** Runs a task whose proposal changes two places in PATH, and opens its review from the task panel. */
async function proposeAndReview(s: Stage, page: Page) {
  s.llm.server.enqueue([
    replay.text(
      searchReplaceBlock(PATH, '  return a + b;', '  return b + a;') +
        searchReplaceBlock(PATH, 'export const name = "tandem";', 'export const name = "TANDEM";'),
    ),
    replay.finish({ usage: { inputTokens: 500, outputTokens: 40 } }),
  ]);
  await page.getByLabel('Ask the AI to change the code').fill('Swap operands and shout the name');
  await page.getByRole('button', { name: 'Run task' }).click();
  await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
  await page.getByRole('region', { name: `Review ${PATH}` }).waitFor();
}

describe('accessibility', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('has zero axe findings on every screen at 1440, 1024 and 800 px', async () => {
    // Every screen is checked even after one fails, so one run lists everything to fix.
    const findings: string[] = [];
    const check = async (p: Page, label: string) => {
      try {
        await expectNoAxeFindings(p, label);
      } catch (error) {
        findings.push(error instanceof Error ? error.message : String(error));
      }
    };
    const fresh = await (await userContext(s.browser, s.tandem.url, '')).newPage();
    await fresh.goto('/');
    await fresh.getByRole('heading', { level: 1 }).waitFor();
    await check(fresh, 'first visit');

    const { owner, api, workspace } = await team(s.tandem.url, { [PATH]: FILE, 'README.md': '# Math\n' });
    const invite = await api.workspace.invite.create.mutate({ workspaceId: workspace.id, role: 'editor' });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    await proposeAndReview(s, page);
    const reviewUrl = page.url();

    for (const width of widths) {
      for (const p of [page, fresh]) await p.setViewportSize({ width, height: 800 });
      await fresh.goto('/');
      await fresh.getByRole('heading', { level: 1 }).waitFor();
      await check(fresh, `sign in at ${width}`);
      await fresh.goto(`/invite/${invite.token}`);
      await fresh.getByRole('heading', { level: 1 }).waitFor();
      await check(fresh, `invite at ${width}`);

      await page.goto('/');
      await page.getByRole('list', { name: 'Workspaces' }).waitFor();
      await check(page, `workspaces at ${width}`);
      await page.getByRole('button', { name: 'Share' }).first().click();
      await page.getByRole('dialog').getByRole('list', { name: 'Members' }).waitFor();
      await check(page, `share dialog at ${width}`);
      await page.keyboard.press('Escape');

      await page.goto(`/w/${workspace.id}?file=${PATH}`);
      await editor(page, PATH).waitFor();
      await check(page, `code mode at ${width}`);
      await page.keyboard.press('Control+Shift+F');
      const find = page.getByRole('region', { name: 'Find in files' });
      await find.getByRole('textbox', { name: 'Find' }).fill('return');
      await find.getByText('2 matches in 1 file').waitFor();
      await check(page, `find in files at ${width}`);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Shift+P');
      await page.getByRole('dialog', { name: 'Commands' }).waitFor();
      await check(page, `command palette at ${width}`);
      await page.keyboard.press('Escape');
      // The empty editor is what is left when the last tab closes (a reload would bring the tab back).
      await page.getByRole('tab', { name: /^math\.ts/ }).focus();
      await page.keyboard.press('Control+W');
      await page.getByText('Open a file to start').waitFor();
      await check(page, `empty editor at ${width}`);

      // The task's timeline in the side panel, beside the open file.
      const taskUrl = new URL(reviewUrl);
      taskUrl.searchParams.delete('review');
      taskUrl.searchParams.set('file', PATH);
      await page.goto(taskUrl.toString());
      await editor(page, PATH).waitFor();
      // On a narrow window the AI panel starts hidden and floats over the editor once opened.
      if (width < 960) await page.getByRole('button', { name: 'AI panel' }).click();
      await page.getByRole('button', { name: 'Review changes' }).waitFor();
      await check(page, `task detail at ${width}`);

      await page.goto(reviewUrl);
      await page.getByRole('region', { name: `Review ${PATH}` }).waitFor();
      await check(page, `review at ${width}`);

      await page.goto('/admin');
      await page.getByRole('tab', { name: 'Users' }).waitFor();
      await check(page, `admin users at ${width}`);
      await page.getByRole('tab', { name: 'Audit log' }).click();
      await page.getByText('auth.sign_up').first().waitFor();
      await check(page, `admin audit at ${width}`);
      await page.getByRole('tab', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Model provider' }).waitFor();
      await check(page, `admin settings at ${width}`);
    }
    expect(findings.join('\n')).toBe('');
  }, 480_000);

  it('moves focus into the review when it opens, and to the next hunk after Enter accepts one', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    await proposeAndReview(s, page);
    const review = page.getByRole('region', { name: `Review ${PATH}` });
    const focusedInReview = () =>
      page
        .getByRole('region', { name: 'Review changes' })
        .evaluate((el) => el.contains(document.activeElement) && document.activeElement !== document.body);
    await expect.poll(focusedInReview).toBe(true);

    const hunks = review.getByRole('list', { name: `Hunks in ${PATH}` }).locator(':scope > li');
    const accept = hunks.nth(0).getByRole('button', { name: /^Accept/ });
    await accept.focus();
    await page.keyboard.press('Enter');
    await hunks.nth(0).getByText('by you').waitFor();
    // Focus goes on to the next hunk, not to <body>.
    await expect.poll(() => hunks.nth(1).evaluate((el) => el.contains(document.activeElement))).toBe(true);
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    expect(focused).not.toBe('BODY');
  });
});
