// Tabs and the split editor: files open as tabs, close by button, middle click and shortcut, the editor splits in
// two groups that each edit their own file live, a tab shows who else is in its file and that others changed it,
// and the tabs survive a reload and follow a file that someone renames or deletes.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible } from '../harness.ts';
import { caretAfter, editor, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';

const FILES = {
  'src/a.ts': 'export const a = 1;\n',
  'src/b.ts': 'export const b = 2;\n',
  'lib/c.ts': 'export const c = 3;\n',
  'src/index.ts': 'export * from "./a";\n',
  'lib/index.ts': 'export * from "./c";\n',
};

const tabNames = (page: Page, list = 'Open files') =>
  page
    .getByRole('tablist', { name: list, exact: true })
    .getByRole('tab')
    .evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-path')));

const openFromTree = (page: Page, name: string) =>
  page
    .locator('#pane-files')
    .getByRole('treeitem', { name: new RegExp(`^${name}`) })
    .click();

describe('tabs', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('opens files as tabs, closes and splits them, shows peers and changes, and keeps them across a reload', async () => {
    const { owner, workspace, members } = await team(s.tandem.url, FILES, [{ name: 'Bob', role: 'editor' }]);
    const bob = members[0];
    if (!bob) throw new Error('no Bob');
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=src/a.ts`);
    await editor(ada, 'src/a.ts').waitFor();

    // Three files from the tree: each opens a tab after the shown one and shows it; the URL names the shown file.
    const tree = ada.locator('#pane-files');
    await tree.getByRole('treeitem', { name: /^lib/ }).click();
    await openFromTree(ada, 'c.ts');
    await editor(ada, 'lib/c.ts').waitFor();
    await openFromTree(ada, 'b.ts');
    await editor(ada, 'src/b.ts').waitFor();
    expect(await tabNames(ada)).toEqual(['src/a.ts', 'lib/c.ts', 'src/b.ts']);
    expect(new URL(ada.url()).searchParams.get('file')).toBe('src/b.ts');
    const selected = ada.getByRole('tab', { selected: true });
    expect(await selected.getAttribute('data-path')).toBe('src/b.ts');
    // Opening an open file only shows its tab again.
    await openFromTree(ada, 'a.ts');
    await editor(ada, 'src/a.ts').waitFor();
    expect(await tabNames(ada)).toEqual(['src/a.ts', 'lib/c.ts', 'src/b.ts']);

    // Arrow keys move between tabs, as in any tab list.
    await ada.getByRole('tab', { name: /^a\.ts/ }).focus();
    await ada.keyboard.press('ArrowRight');
    await editor(ada, 'lib/c.ts').waitFor();
    await expect
      .poll(() => ada.evaluate(() => document.activeElement?.getAttribute('data-path')))
      .toBe('lib/c.ts');
    await ada.keyboard.press('End');
    await editor(ada, 'src/b.ts').waitFor();
    await expectAccessible(ada, 'code mode with three tabs');

    // Two files of the same name say which folder each is in.
    await tree
      .getByRole('treeitem', { name: /^index\.ts/ })
      .first()
      .click();
    await tree
      .getByRole('treeitem', { name: /^index\.ts/ })
      .last()
      .click();
    await expect
      .poll(() => ada.getByRole('tab', { name: /^index\.ts/ }).allTextContents())
      .toEqual(['index.tslib', 'index.tssrc']);

    // Closing by the button shows the neighbour; Ctrl+W closes the shown tab; a middle click closes one too.
    await ada.getByRole('button', { name: 'Close src/index.ts' }).click();
    await ada.getByRole('button', { name: 'Close lib/index.ts' }).click();
    expect(await tabNames(ada)).toEqual(['src/a.ts', 'lib/c.ts', 'src/b.ts']);
    await ada.getByRole('button', { name: 'Close lib/c.ts' }).click();
    expect(await tabNames(ada)).toEqual(['src/a.ts', 'src/b.ts']);
    await ada.getByRole('tab', { name: /^b\.ts/ }).click();
    await ada.keyboard.press('Control+W');
    await editor(ada, 'src/a.ts').waitFor();
    expect(await tabNames(ada)).toEqual(['src/a.ts']);
    await openFromTree(ada, 'c.ts');
    await ada.getByRole('tab', { name: /^c\.ts/ }).click({ button: 'middle' });
    expect(await tabNames(ada)).toEqual(['src/a.ts']);
    await openFromTree(ada, 'b.ts');

    // The palette lists the tab commands with their shortcuts.
    await ada.keyboard.press('Control+Shift+P');
    const palette = ada.getByRole('dialog', { name: 'Commands' });
    expect(await palette.locator('[data-command="close-tab"]').getAttribute('aria-keyshortcuts')).toBe(
      'Control+W',
    );
    await palette.locator('[data-command="split-right"]').click();

    // Split right: the right group shows b.ts too, each group its own editor on the one text.
    const left = ada.getByRole('group', { name: 'Editor group (left)' });
    const right = ada.getByRole('group', { name: 'Editor group (right)' });
    await right.getByRole('textbox', { name: 'Editor for src/b.ts' }).waitFor();
    await left.getByRole('textbox', { name: 'Editor for src/b.ts' }).waitFor();
    await caretAfter(ada, 'export const b');
    await ada.keyboard.type(' // from the left');
    await right.getByText('// from the left').waitFor();
    // The right group, once focused, opens its own file; typing there shows in Bob's browser.
    await right.locator('.cm-line', { hasText: 'export const b' }).click();
    await openFromTree(ada, 'a.ts');
    await right.getByRole('textbox', { name: 'Editor for src/a.ts' }).waitFor();
    expect(await tabNames(ada, 'Open files (right)')).toEqual(['src/b.ts', 'src/a.ts']);
    expect(new URL(ada.url()).searchParams.get('file')).toBe('src/a.ts');
    await right.locator('.cm-line', { hasText: 'export const a' }).click();
    await ada.keyboard.press('End');
    await ada.keyboard.type(' // from the right');
    await left.locator('.cm-line', { hasText: 'export const b' }).click();
    await ada.keyboard.press('End');
    await ada.keyboard.type(' // left again');
    // Focus follows the click: the URL names the left group's file.
    await expect.poll(() => new URL(ada.url()).searchParams.get('file')).toBe('src/b.ts');
    await expectAccessible(ada, 'split editor');

    const bobPage = await openAs(s.browser, s.tandem.url, bob.cookie, `/w/${workspace.id}?file=src/a.ts`);
    await editor(bobPage, 'src/a.ts').waitFor();
    await waitForText(bobPage, (t) => t.includes('// from the right'));
    // Bob is in a.ts: Ada's tabs of it say so; b.ts has no one else.
    await right.getByRole('tab', { name: /^a\.ts.*open by Bob/ }).waitFor();
    expect(await left.getByRole('tab', { name: /^b\.ts/ }).textContent()).not.toContain('Bob');
    // Bob opens b.ts: the indicator moves there.
    await bobPage
      .locator('#pane-files')
      .getByRole('treeitem', { name: /^b\.ts/ })
      .click();
    await left.getByRole('tab', { name: /^b\.ts.*open by Bob/ }).waitFor();
    await right.getByRole('tab', { name: /^a\.ts$/ }).waitFor();

    // Bob edits a.ts while no group of Ada's shows it: its tab says others changed it, until she looks.
    await right.getByRole('tab', { name: /^b\.ts/ }).click();
    await bobPage
      .locator('#pane-files')
      .getByRole('treeitem', { name: /^a\.ts/ })
      .click();
    await caretAfter(bobPage, 'export const a');
    await bobPage.keyboard.type(' // Bob');
    const changedTab = right.getByRole('tab', { name: /^a\.ts.*changed by others/ });
    await changedTab.waitFor();
    await changedTab.click();
    await right.getByRole('tab', { name: /^a\.ts/, selected: true }).waitFor();
    await expect.poll(() => right.getByRole('tab', { name: /changed by others/ }).count()).toBe(0);

    // A reload brings back both groups and their tabs.
    await ada.reload();
    await right.getByRole('textbox', { name: 'Editor for src/a.ts' }).waitFor();
    expect(await tabNames(ada, 'Open files (left)')).toEqual(['src/a.ts', 'src/b.ts']);
    expect(await tabNames(ada, 'Open files (right)')).toEqual(['src/b.ts', 'src/a.ts']);

    // Bob renames b.ts and deletes a.ts: Ada's tabs follow; the split closes with the right group's last tab.
    const api = client(s.tandem.url, bob.cookie);
    await api.file.rename.mutate({ workspaceId: workspace.id, from: 'src/b.ts', to: 'src/bee.ts' });
    await expect.poll(() => tabNames(ada, 'Open files (left)')).toEqual(['src/a.ts', 'src/bee.ts']);
    await api.file.delete.mutate({ workspaceId: workspace.id, path: 'src/a.ts' });
    await expect.poll(() => tabNames(ada, 'Open files (right)')).toEqual(['src/bee.ts']);
    expect(await tabNames(ada, 'Open files (left)')).toEqual(['src/bee.ts']);
    await right.getByRole('textbox', { name: 'Editor for src/bee.ts' }).waitFor();
    await right.getByRole('button', { name: 'Close src/bee.ts' }).click();
    await right.waitFor({ state: 'detached' });
    expect(await tabNames(ada)).toEqual(['src/bee.ts']);
    await editor(ada, 'src/bee.ts').waitFor();
    await ada.getByRole('button', { name: 'Close src/bee.ts' }).click();
    await ada.getByText('Open a file to start').waitFor();
    expect(new URL(ada.url()).searchParams.get('file')).toBeNull();
  });
});
