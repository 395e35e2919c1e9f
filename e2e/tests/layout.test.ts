// The code mode's panes: the file tree and the AI panel resize with the keyboard and by dragging their separators,
// collapse with their shortcuts, keep all that across a reload, and float over the editor on a narrow window so the
// editor and the review keep most of the width.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, replay, searchReplaceBlock, userContext } from '../harness.ts';
import { editor, openAs, stage, team, type Stage } from '../scenario.ts';

const PATH = 'src/math.ts';
const FILE = ['export function add(a: number, b: number) {', '  return a + b;', '}', ''].join('\n');

const width = async (page: Page, selector: string) =>
  (await page.locator(selector).boundingBox())?.width ?? Number.NaN;

describe('layout', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('resizes the file tree by keyboard and drag, toggles the AI panel by shortcut, and keeps both after a reload', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    const separator = page.getByRole('separator', { name: 'Resize the file tree' });
    expect(await separator.getAttribute('aria-orientation')).toBe('vertical');
    expect(await separator.getAttribute('aria-valuenow')).toBe('240');
    expect(Number(await separator.getAttribute('aria-valuemax'))).toBeGreaterThan(240);
    expect(await width(page, '#pane-files')).toBe(240);

    // Arrows move the edge by 16 px, 64 with Shift; Home goes to the minimum.
    await separator.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => separator.getAttribute('aria-valuenow')).toBe('272');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => width(page, '#pane-files')).toBe(336);
    await page.keyboard.press('Home');
    await expect.poll(() => width(page, '#pane-files')).toBe(160);
    await page.keyboard.press('Shift+ArrowRight');

    // Dragging the separator 100 px to the right widens the tree by as much.
    const box = await separator.boundingBox();
    if (!box) throw new Error('the separator is not shown');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width / 2, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 50, y, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2 + 100, y, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => width(page, '#pane-files')).toBe(324);
    expect(await separator.getAttribute('aria-valuenow')).toBe('324');

    // Ctrl+Alt+B hides the AI panel and gives its width to the editor; again brings it back as it was.
    const ai = page.locator('#pane-ai');
    const toggle = page.getByRole('button', { name: 'AI panel' });
    const mainBefore = await width(page, 'main');
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Alt+B');
    await ai.waitFor({ state: 'hidden' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await width(page, 'main')).toBe(mainBefore + 384);
    await page.keyboard.press('Control+Alt+B');
    await ai.waitFor();
    expect(await width(page, '#pane-ai')).toBe(384);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await expectAccessible(page, 'code mode with a resized tree');

    // The palette lists the toggles with their shortcuts.
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByRole('dialog', { name: 'Commands' });
    const hideAi = palette.locator('[data-command="toggle-ai"]');
    expect(await hideAi.textContent()).toContain('Hide the AI panel');
    expect(await hideAi.getAttribute('aria-keyshortcuts')).toBe('Control+Alt+B');
    expect(await palette.locator('[data-command="toggle-files"]').getAttribute('aria-keyshortcuts')).toBe(
      'Control+B',
    );
    await hideAi.click();
    await ai.waitFor({ state: 'hidden' });

    // This browser remembers the tree's width and the hidden AI panel.
    await page.reload();
    await editor(page, PATH).waitFor();
    expect(await width(page, '#pane-files')).toBe(324);
    expect(await ai.isHidden()).toBe(true);
    await page.keyboard.press('Control+B');
    await page.locator('#pane-files').waitFor({ state: 'hidden' });
    await toggle.click();
    await ai.waitFor();
    expect(await width(page, '#pane-ai')).toBe(384);
  });

  it('gives the editor and the review most of an 800 px window, the side panes floating over them', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE });
    const context = await userContext(s.browser, s.tandem.url, owner.cookie);
    const page = await context.newPage();
    await page.setViewportSize({ width: 800, height: 700 });
    await page.goto(`/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    expect(await width(page, 'main')).toBe(800);
    expect(await width(page, '.cm-editor')).toBeGreaterThanOrEqual(0.6 * 800);
    const files = page.locator('#pane-files');
    const ai = page.locator('#pane-ai');
    expect(await files.isHidden()).toBe(true);
    expect(await ai.isHidden()).toBe(true);
    expect(await page.getByRole('separator').count()).toBe(0);
    await expectAccessible(page, 'code mode at 800 px');

    // Escape closes a floating pane and gives focus back to what opened it.
    const treeToggle = page.getByRole('button', { name: 'File tree' });
    await treeToggle.click();
    await files.waitFor();
    await files.getByRole('treeitem', { name: /math\.ts/ }).focus();
    await page.keyboard.press('Escape');
    await files.waitFor({ state: 'hidden' });
    expect(await treeToggle.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Control+Alt+B');
    await ai.waitFor();
    await page.keyboard.press('Escape');
    await ai.waitFor({ state: 'hidden' });

    // The tree floats over the editor and closes once a file is opened from it.
    await treeToggle.click();
    await files.getByRole('treeitem', { name: /math\.ts/ }).click();
    await files.waitFor({ state: 'hidden' });
    expect(await width(page, 'main')).toBe(800);

    // The AI panel floats the same way; opening the review closes it, and the review has the whole width.
    s.llm.server.enqueue([
      replay.text(
        searchReplaceBlock(
          PATH,
          '  return a + b;',
          '  return b + a; // swapped so the larger operand reads first',
        ),
      ),
      replay.finish({ usage: { inputTokens: 500, outputTokens: 40 } }),
    ]);
    await page.keyboard.press('Control+Alt+B');
    await ai.waitFor();
    await expectAccessible(page, 'AI panel over the editor at 800 px');
    await page.getByLabel('Ask the AI to change the code').fill('Swap the operands');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    await ai.waitFor({ state: 'hidden' });
    const review = page.getByRole('region', { name: `Review ${PATH}` });
    await review.waitFor();
    const hunk = review
      .getByRole('list', { name: `Hunks in ${PATH}` })
      .locator(':scope > li')
      .first();
    for (const name of [/^Accept/, /^Reject/]) {
      const button = await hunk.getByRole('button', { name }).boundingBox();
      expect(button && button.x >= 0 && button.x + button.width <= 800).toBe(true);
    }
    const overflow = await page.evaluate(
      () =>
        [document.documentElement, ...document.querySelectorAll('main, main *')].filter(
          (el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'hidden',
        ).length,
    );
    expect(overflow).toBe(0);
    await expectAccessible(page, 'review at 800 px');
  });
});
