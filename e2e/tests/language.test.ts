// Language intelligence for TypeScript in the browser editor, answered by the TypeScript language service in a Web
// Worker over the live workspace: a type error shows as it is typed and goes once fixed, hovering (or a key) shows a
// type, completion offers an object's members, go to definition opens the other file at the line and column, find
// references lists every use across files, and each file follows the nearest tsconfig.json above it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, until } from '../harness.ts';
import { caretAfter, editor, editorText, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';

const MATH = [
  'export interface Point {',
  '  x: number;',
  '  y: number;',
  '}',
  '',
  'export function norm(p: Point): number {',
  '  return Math.hypot(p.x, p.y);',
  '}',
  '',
].join('\n');
const MAIN = [
  "import { norm, type Point } from './math.ts';",
  '',
  'const origin: Point = { x: 0, y: 0 };',
  'export const size = norm(origin);',
  '',
].join('\n');

/** The middle of `word` (inside the editor line that contains `line`), in page coordinates. */
async function wordPoint(page: Page, line: string, word: string): Promise<{ x: number; y: number }> {
  const point = await page.evaluate(
    ([lineText, target]) => {
      for (const el of document.querySelectorAll('.cm-editor .cm-content .cm-line')) {
        const text = el.textContent;
        const start = text.indexOf(lineText);
        if (start === -1) continue;
        const offset = start + lineText.indexOf(target) + Math.floor(target.length / 2);
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let seen = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent?.length ?? 0;
          if (seen + length > offset) {
            const range = document.createRange();
            range.setStart(node, offset - seen);
            range.setEnd(node, offset - seen + 1);
            const box = range.getBoundingClientRect();
            return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
          }
          seen += length;
        }
      }
      return null;
    },
    [line, word] as const,
  );
  if (!point) throw new Error(`"${word}" in "${line}" is not on screen`);
  return point;
}

/** Clicks into `word` on the line containing `line`, putting the caret there. */
async function clickWord(page: Page, line: string, word: string, modifiers: 'Control'[] = []) {
  const { x, y } = await wordPoint(page, line, word);
  for (const key of modifiers) await page.keyboard.down(key);
  await page.mouse.click(x, y);
  for (const key of modifiers) await page.keyboard.up(key);
}

/** Where the caret is: its line's text and 1-based column, read from the page's selection (CodeMirror keeps it in
 * step with the editor's when focused). */
const caret = (page: Page) =>
  page.evaluate(() => {
    const selection = window.getSelection();
    const node = selection?.focusNode;
    const element = node instanceof Element ? node : node?.parentElement;
    const line = element?.closest('.cm-line');
    if (!selection || !node || !line) return null;
    const before = document.createRange();
    before.setStart(line, 0);
    before.setEnd(node, selection.focusOffset);
    return { line: line.textContent, column: before.toString().length + 1 };
  });

const focusInEditor = (page: Page) =>
  page.evaluate(() => document.activeElement?.closest('.cm-editor') !== null);

describe('language intelligence', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('checks as you type, hovers, completes, goes to definitions and finds references across files', async () => {
    const { owner, workspace, api } = await team(s.tandem.url, { 'src/math.ts': MATH, 'src/main.ts': MAIN });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=src/main.ts`);
    await editor(page, 'src/main.ts').waitFor();

    // A type error shows while typing (the worker and its standard library load on this first TypeScript file)…
    await caretAfter(page, 'export const size');
    await page.keyboard.press('Enter');
    await page.keyboard.type('const label: string = size;');
    const error = page.locator('.cm-lintRange-error');
    await error.first().waitFor({ timeout: 60_000 });
    expect(await error.count()).toBe(1);
    expect(await error.textContent()).toBe('label');
    await error.hover();
    const tip = page.locator('.cm-tooltip-lint');
    await tip.waitFor();
    expect(await tip.textContent()).toContain("Type 'number' is not assignable to type 'string'.");
    // …and goes once it is fixed.
    await caretAfter(page, 'const label');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('const label: number = size;');
    await error.first().waitFor({ state: 'detached', timeout: 15_000 });

    // Hovering a name shows its type.
    const size = await wordPoint(page, 'export const size', 'size');
    await page.mouse.move(size.x, size.y);
    const hover = page.locator('.cm-ts-hover');
    await hover.waitFor({ timeout: 15_000 });
    expect(await hover.locator('pre').textContent()).toBe('const size: number');
    await page.mouse.move(0, 0);

    // Completion offers the members of the object before the dot.
    await caretAfter(page, 'const label');
    await page.keyboard.press('Enter');
    await page.keyboard.type('origin.');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await options.first().waitFor({ timeout: 15_000 });
    expect(await options.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^x/)]));
    await page.keyboard.type('y');
    await page.keyboard.press('Enter');
    await waitForText(page, (t) => t.includes('origin.y'));
    await page.keyboard.type(';');

    // Ctrl+click on a type opens the file it is declared in, with the caret on the name.
    await clickWord(page, 'const origin: Point', 'Point', ['Control']);
    await editor(page, 'src/math.ts').waitFor();
    await expect.poll(() => caret(page)).toEqual({ line: 'export interface Point {', column: 18 });

    // Shift+F12 lists every use, in both files; each one opens its file at the line.
    await clickWord(page, 'export function norm', 'norm');
    await page.keyboard.press('Shift+F12');
    const list = page.getByRole('region', { name: 'References to norm' });
    await list.waitFor({ timeout: 15_000 });
    const links = list.getByRole('listitem').getByRole('button');
    await expect
      .poll(() => links.allTextContents())
      .toEqual(['src/main.ts:1:10', 'src/main.ts:4:21', 'src/math.ts:6:17']);
    // The list takes focus, so the keyboard goes straight through it.
    expect(await links.first().evaluate((el) => el === document.activeElement)).toBe(true);
    await expectAccessible(page, 'references under the editor');
    await list.getByRole('button', { name: 'src/main.ts:4:21' }).click();
    await editor(page, 'src/main.ts').waitFor();
    await expect.poll(() => caret(page)).toEqual({ line: 'export const size = norm(origin);', column: 21 });
    // One in the file that is open: the caret moves there, on the column too.
    await list.getByRole('button', { name: 'src/main.ts:1:10' }).click();
    await expect
      .poll(() => caret(page))
      .toEqual({
        line: "import { norm, type Point } from './math.ts';",
        column: 10,
      });

    // Someone else renames the function in the other file: this file's import is wrong now, and right again after.
    const write = (content: string) =>
      api.file.write.mutate({ workspaceId: workspace.id, path: 'src/math.ts', content });
    await write(MATH.replace('function norm', 'function length'));
    await error.first().waitFor({ timeout: 15_000 });
    await error.first().hover();
    await tip.waitFor();
    expect(await tip.textContent()).toContain("has no exported member 'norm'");
    await write(MATH);
    await error.first().waitFor({ state: 'detached', timeout: 15_000 });

    // F12 goes to the definition from a use, onto its name.
    await clickWord(page, 'export const size = norm', 'norm');
    await page.keyboard.press('F12');
    await editor(page, 'src/math.ts').waitFor();
    await expect
      .poll(() => caret(page))
      .toEqual({ line: 'export function norm(p: Point): number {', column: 17 });
    // And within a file: from the parameter's type to the interface above.
    await clickWord(page, 'export function norm(p: Point)', 'Point');
    await page.keyboard.press('F12');
    await expect.poll(() => caret(page)).toEqual({ line: 'export interface Point {', column: 18 });

    // Escape closes the list and puts the keyboard back in the editor.
    await list.getByRole('button', { name: 'src/math.ts:6:17' }).focus();
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    expect(await focusInEditor(page)).toBe(true);
    expect(await editorText(page)).toContain('export function norm');
  });

  it('shows the type at the caret by keyboard and from the command palette; Escape closes it', async () => {
    const { owner, workspace } = await team(s.tandem.url, { 'src/math.ts': MATH, 'src/main.ts': MAIN });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=src/main.ts`);
    await editor(page, 'src/main.ts').waitFor();
    const info = page.locator('.cm-ts-keyboard-info');

    // The language support loads after the editor, on the first TypeScript file; hovering shows it is there.
    // (CodeMirror looks for hovers as the mouse moves, so it moves a little until one shows.)
    const point = await wordPoint(page, 'export const size', 'size');
    let nudge = 0;
    await until(
      async () => {
        await page.mouse.move(point.x + (nudge++ % 2), point.y);
        return page.locator('.cm-ts-hover').isVisible();
      },
      60_000,
      500,
    );
    await page.mouse.move(0, 0);
    await page.locator('.cm-ts-hover').waitFor({ state: 'detached' });

    // Ctrl+K then Ctrl+I, as in VS Code: the type of what the caret is on, above it, and the caret stays.
    await clickWord(page, 'export const size', 'size');
    const before = await caret(page);
    // What the editor announces to screen readers (CodeMirror clears its live region shortly after).
    await page.evaluate(() => {
      const region = document.querySelector('.cm-announced');
      const heard: string[] = ((window as unknown as { heard: string[] }).heard = []);
      if (region)
        new MutationObserver(() => heard.push(region.textContent)).observe(region, { childList: true });
    });
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await info.waitFor({ timeout: 15_000 });
    expect(await info.locator('pre').textContent()).toBe('const size: number');
    expect(await info.getAttribute('role')).toBe('tooltip');
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { heard: string[] }).heard))
      .toContain('const size: number');
    expect(await focusInEditor(page)).toBe(true);
    // Escape closes it and nothing else: the keyboard is still in the editor, the caret where it was.
    await page.keyboard.press('Escape');
    await info.waitFor({ state: 'detached' });
    expect(await focusInEditor(page)).toBe(true);
    expect(await caret(page)).toEqual(before);
    // Typing goes on where it was.
    await page.keyboard.press('End');
    await page.keyboard.type(' // typed');
    await waitForText(page, (t) => t.includes('norm(origin); // typed'));

    // Moving the caret closes it too.
    await clickWord(page, 'const origin: Point', 'origin');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await expect.poll(() => info.locator('pre').textContent()).toBe('const origin: Point');
    await page.keyboard.press('ArrowRight');
    await info.waitFor({ state: 'detached' });

    // The palette lists it, with its shortcut, under Code beside go to definition and find references.
    await page.keyboard.press('Control+Shift+P');
    const dialog = page.getByRole('dialog', { name: 'Commands' });
    await dialog.getByRole('combobox', { name: 'Command' }).fill('show type');
    const option = dialog.getByRole('option', { name: /Code: Show type and documentation at the cursor/ });
    expect(await option.locator('kbd').textContent()).toBe('Ctrl+K Ctrl+I');
    await dialog.getByRole('combobox', { name: 'Command' }).fill('code');
    await expect
      .poll(() => dialog.getByRole('option').locator('kbd').allTextContents())
      .toEqual(expect.arrayContaining(['Ctrl+K Ctrl+I', 'F12', 'Shift+F12']));
    await dialog.getByRole('combobox', { name: 'Command' }).fill('show type');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => info.locator('pre').textContent()).toBe('const origin: Point');
    await expectAccessible(page, 'type at the cursor');
    await page.keyboard.press('Escape');
    await info.waitFor({ state: 'detached' });
    expect(await focusInEditor(page)).toBe(true);
  });

  it('checks each file with the nearest tsconfig.json above it, following extends, live', async () => {
    const loose = 'export function twice(n) {\n  return n * 2;\n}\n';
    const { owner, workspace, api } = await team(s.tandem.url, {
      'tsconfig.json': '{ "compilerOptions": { "strict": true } }',
      'tsconfig.base.json': '{ "compilerOptions": { "noImplicitAny": false } }',
      'legacy/loose.ts': loose,
    });
    const page = await openAs(
      s.browser,
      s.tandem.url,
      owner.cookie,
      `/w/${workspace.id}?file=legacy/loose.ts`,
    );
    await editor(page, 'legacy/loose.ts').waitFor();
    // Under the root's strict config, the untyped parameter is an error.
    const error = page.locator('.cm-lintRange-error');
    await error.first().waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toBe('n');

    // A config of its own in the folder, extending a lax base: the error goes.
    await api.file.create.mutate({
      workspaceId: workspace.id,
      path: 'legacy/tsconfig.json',
      content: '{ "extends": "../tsconfig.base.json" }',
    });
    await error.first().waitFor({ state: 'detached', timeout: 15_000 });
    // The base changes: the file follows it through the extends.
    await api.file.write.mutate({
      workspaceId: workspace.id,
      path: 'tsconfig.base.json',
      content: '{ "compilerOptions": { "noImplicitAny": true } }',
    });
    await error.first().waitFor({ timeout: 15_000 });
  });
});
