// Finding your way around a shared workspace: find and replace across files as live edits a peer sees at once
// and only its author can undo, the command palette, and links from a task's timeline to the file and line.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeFindings, replay, searchReplaceBlock } from '../harness.ts';
import { caretAfter, editor, editorText, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';

const A = 'const price = 1;\nexport const total = price * 2;\n';
const B = '// price list\nimport { price } from "./a";\nexport const net = price - 1; // priceless\n';

/** The text of the line the caret is on, in the open editor. */
function activeLine(page: Page) {
  return page.locator('.cm-content .cm-activeLine').first().textContent();
}

describe('find, replace and navigate', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('replace all is seen live by a peer, and its author can undo it (all at once, or per file)', async () => {
    const { owner, workspace, members, api } = await team(
      s.tandem.url,
      { 'src/a.ts': A, 'src/b.ts': B, 'docs/price.md': 'price\n' },
      [{ name: 'Bob', role: 'editor' }],
    );
    const bob = members[0];
    if (!bob) throw new Error('no Bob');
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=src/a.ts`);
    const bobPage = await openAs(s.browser, s.tandem.url, bob.cookie, `/w/${workspace.id}?file=src/b.ts`);
    await editor(ada, 'src/a.ts').waitFor();
    await editor(bobPage, 'src/b.ts').waitFor();

    await ada.keyboard.press('Control+Shift+F');
    const panel = ada.getByRole('region', { name: 'Find in files' });
    await panel.getByRole('textbox', { name: 'Find' }).fill('price');
    await panel.getByText('7 matches in 3 files').waitFor();
    // Whole word drops "priceless"; the include glob drops the docs.
    await panel.getByRole('button', { name: 'Whole word' }).click();
    await panel.getByRole('textbox', { name: 'Files to include' }).fill('src/**');
    await panel.getByText('5 matches in 2 files').waitFor();
    const bResults = panel.getByRole('region', { name: 'src/b.ts, 3 matches' });
    await bResults.getByText('// price list').waitFor();
    await expectNoAxeFindings(ada, 'find in files with results');

    await panel.getByRole('textbox', { name: 'Replace' }).fill('cost');
    await panel.getByRole('button', { name: 'Replace all', exact: true }).click();
    await panel.getByText('Replaced 5 matches in 2 files.').waitFor();
    // Bob, in b.ts, sees it without doing anything; a.ts and the docs are right on the server too.
    await waitForText(bobPage, (t) => t.includes('import { cost } from') && t.includes('// priceless'));
    expect(await editorText(bobPage)).toBe(
      '// cost list\nimport { cost } from "./a";\nexport const net = cost - 1; // priceless\n',
    );
    await waitForText(ada, (t) => t.includes('export const total = cost * 2;'));
    expect(await api.file.read.query({ workspaceId: workspace.id, path: 'docs/price.md' })).toMatchObject({
      content: 'price\n',
    });

    // Ada undoes the whole replacement from the panel; Bob sees every file back.
    await panel.getByRole('button', { name: 'Undo replace' }).click();
    await waitForText(bobPage, (t) => t === B);
    await waitForText(ada, (t) => t.includes('export const total = price * 2;'));

    // Again, and this time Ctrl+Z in a.ts takes it back in a.ts only — and Bob cannot undo it for her.
    await panel.getByRole('button', { name: 'Replace all', exact: true }).click();
    await waitForText(bobPage, (t) => t.includes('import { cost } from'));
    await waitForText(ada, (t) => t.includes('total = cost * 2'));
    await bobPage.locator('.cm-content').click();
    await bobPage.keyboard.press('Control+z');
    await caretAfter(ada, 'export const total');
    await ada.keyboard.press('Control+z');
    await waitForText(ada, (t) => t.includes('const price = 1;') && t.includes('total = price * 2'));
    expect(await editorText(bobPage)).toContain('import { cost } from');

    // A result opens its file at its line.
    await panel.getByRole('textbox', { name: 'Find' }).fill('net');
    await panel.getByRole('button', { name: /export const net/ }).click();
    await editor(ada, 'src/b.ts').waitFor();
    await expect.poll(() => activeLine(ada)).toContain('export const net = cost - 1;');

    // A broken regex says what is wrong instead of searching.
    await panel.getByRole('button', { name: 'Regular expression' }).click();
    await panel.getByRole('textbox', { name: 'Find' }).fill('cost(');
    await panel
      .getByRole('alert')
      .getByText(/Not a valid regular expression/)
      .waitFor();
    expect(await panel.getByRole('textbox', { name: 'Find' }).getAttribute('aria-invalid')).toBe('true');
  });

  it('finds in the open file with Ctrl+F, styled and accessible', async () => {
    const { owner, workspace } = await team(s.tandem.url, { 'a.ts': A });
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=a.ts`);
    await editor(ada, 'a.ts').waitFor();
    await ada.locator('.cm-content').click();
    await ada.keyboard.press('Control+f');
    const find = ada.getByRole('textbox', { name: 'Find', exact: true });
    await find.waitFor();
    await find.fill('total');
    await ada.keyboard.press('Enter');
    await expect.poll(() => ada.locator('.cm-searchMatch').count()).toBeGreaterThan(0);
    await expectNoAxeFindings(ada, 'find in file');
  });

  it('the command palette lists actions with shortcuts and runs the chosen one', async () => {
    const { owner, workspace } = await team(s.tandem.url, { 'a.ts': A, 'lib/deep/b.ts': B });
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=a.ts`);
    await editor(ada, 'a.ts').waitFor();
    await ada.keyboard.press('Control+Shift+P');
    const dialog = ada.getByRole('dialog', { name: 'Commands' });
    const input = dialog.getByRole('combobox', { name: 'Command' });
    await input.waitFor();
    const findOption = dialog.getByRole('option', { name: /Find and replace in files/ });
    expect(await findOption.getAttribute('aria-keyshortcuts')).toBe('Control+Shift+F');
    await expect.poll(() => findOption.textContent()).toContain('Ctrl+Shift+F');
    await expectNoAxeFindings(ada, 'command palette');

    // Fuzzy: "repfiles" picks find and replace in files; Enter runs it and the panel takes focus.
    await input.fill('repfiles');
    await expect.poll(() => dialog.getByRole('option').first().textContent()).toMatch(/in files/);
    await ada.keyboard.press('Enter');
    await ada.getByRole('region', { name: 'Find in files' }).waitFor();
    await expect
      .poll(() => ada.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Find');

    // Arrows choose: "go to file" then the quick-open dialog works as before.
    await ada.keyboard.press('Control+Shift+P');
    await input.fill('go to');
    await ada.keyboard.press('ArrowDown');
    const chosen = await dialog.locator('[aria-selected="true"]').getAttribute('data-command');
    await ada.keyboard.press('ArrowUp');
    expect(await dialog.locator('[aria-selected="true"]').getAttribute('data-command')).not.toBe(chosen);
    await dialog.getByRole('option', { name: /Go to file/ }).click();
    await ada.getByRole('dialog', { name: 'Go to file' }).waitFor();
    await ada.keyboard.type('deepb');
    await ada.keyboard.press('Enter');
    await editor(ada, 'lib/deep/b.ts').waitFor();
  });

  it('a location in a task’s timeline opens the file at that line', async () => {
    const path = 'config.json';
    const before = '{\n  "name": "shop",\n  "port": 8080\n}\n';
    const { owner, workspace } = await team(s.tandem.url, { [path]: before, 'a.ts': A });
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=a.ts`);
    await editor(ada, 'a.ts').waitFor();
    // The model breaks the JSON, is told by the validator, and fixes it in the reflection round.
    s.llm.server.enqueue([
      replay.text(searchReplaceBlock(path, '  "port": 8080', '  "port": 8080,,')),
      replay.finish({ usage: { inputTokens: 300, outputTokens: 20 } }),
    ]);
    s.llm.server.enqueue([
      replay.text(searchReplaceBlock(path, '  "port": 8080,,', '  "port": 8081')),
      replay.finish({ usage: { inputTokens: 300, outputTokens: 20 } }),
    ]);
    await ada.getByLabel('Ask the AI to change the code').fill('Change the port');
    await ada.getByRole('button', { name: 'Run task' }).click();
    const link = ada
      .getByRole('region', { name: 'Task' })
      .getByRole('button', { name: /^config\.json:\d+:\d+$/ });
    await link.first().waitFor({ timeout: 30_000 });
    const [, line] = /:(\d+):/.exec((await link.first().textContent()) ?? '') ?? [];
    expect(Number(line)).toBeGreaterThanOrEqual(3);
    await link.first().click();
    await editor(ada, path).waitFor();
    expect(new URL(ada.url()).searchParams.get('file')).toBe(path);
    const lines = (await editorText(ada)).split('\n');
    await expect.poll(() => activeLine(ada)).toBe(lines[Number(line) - 1]);
  });
});
