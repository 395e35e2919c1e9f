// The editor as two people use it all day: following someone stops the moment you type, undo takes back only
// your own edits in each file across file switches, and Enter indents the way the file already does.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeFindings, until } from '../harness.ts';
import { caretAfter, editor, editorText, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';

/** Opens `path` from the file tree, as a person would. */
async function openFromTree(page: Page, path: string) {
  const name = path.split('/').at(-1) ?? path;
  await page.getByRole('treeitem', { name: new RegExp(name.replace('.', '\\.')) }).click();
  await editor(page, path).waitFor();
}

describe('editing all day', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('stops following when the follower types, says so, and names whom you follow', async () => {
    const { owner, workspace, members } = await team(
      s.tandem.url,
      { 'a.ts': 'const a = 1;\n', 'b.ts': 'const b = 2;\n' },
      [{ name: 'Cleo', role: 'editor' }],
    );
    const cleo = members[0];
    if (!cleo) throw new Error('no Cleo');
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=a.ts`);
    const cleoPage = await openAs(s.browser, s.tandem.url, cleo.cookie, `/w/${workspace.id}?file=b.ts`);
    await editor(cleoPage, 'b.ts').waitFor();
    await caretAfter(cleoPage, 'const b');
    await ada.getByRole('button', { name: /Follow Cleo/ }).click();
    await editor(ada, 'b.ts').waitFor();
    // Whom Ada follows is said in words, in Cleo's colour, not only as a ring on an avatar.
    const banner = ada.getByRole('region', { name: 'Following Cleo' });
    await banner.getByText('Following Cleo').waitFor();
    const swatch = await banner.locator('[data-presence-color]').getAttribute('data-presence-color');
    expect(swatch).toMatch(/^#[0-9a-f]{6}$/i);

    // Ada starts typing in her own editor: following stops, and she is told.
    await caretAfter(ada, 'const b');
    await ada.keyboard.type(' // mine');
    await ada.getByText('Stopped following Cleo', { exact: true }).waitFor();
    await ada.getByRole('button', { name: /^Follow Cleo/ }).waitFor();
    expect(await banner.count()).toBe(0);

    // Cleo moves on to a.ts; Ada stays where she types.
    await openFromTree(cleoPage, 'a.ts');
    await ada.getByRole('button', { name: 'Follow Cleo (editing a.ts)' }).waitFor();
    await ada.keyboard.type(' still here');
    await waitForText(ada, (t) => t.includes('// mine still here'));
    expect(await editor(ada, 'b.ts').isVisible()).toBe(true);
    expect(new URL(ada.url()).searchParams.get('file')).toBe('b.ts');
  });

  it('undo takes back only my edits, per file, after switching files', async () => {
    const { owner, workspace, members } = await team(
      s.tandem.url,
      { 'f.ts': 'const one = 1;\nconst two = 2;\n', 'g.ts': 'const g = 0;\n' },
      [{ name: 'Bob', role: 'editor' }],
    );
    const bob = members[0];
    if (!bob) throw new Error('no Bob');
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=f.ts`);
    const bobPage = await openAs(s.browser, s.tandem.url, bob.cookie, `/w/${workspace.id}?file=f.ts`);
    await editor(ada, 'f.ts').waitFor();
    await editor(bobPage, 'f.ts').waitFor();

    await caretAfter(ada, 'const one');
    await ada.keyboard.type(' // Ada');
    await caretAfter(bobPage, 'const two');
    await bobPage.keyboard.type(' // Bob');
    await waitForText(ada, (t) => t.includes('// Ada') && t.includes('// Bob'));

    // Ada edits another file, then comes back.
    await openFromTree(ada, 'g.ts');
    await caretAfter(ada, 'const g');
    await ada.keyboard.type(' // in g');
    await waitForText(ada, (t) => t.includes('// in g'));
    await openFromTree(ada, 'f.ts');
    await waitForText(ada, (t) => t.includes('// Ada'));

    await ada.locator('.cm-content').click();
    await ada.keyboard.press('Control+z');
    await waitForText(ada, (t) => !t.includes('// Ada'));
    expect(await editorText(ada)).toContain('const two = 2; // Bob');
    await waitForText(bobPage, (t) => !t.includes('// Ada') && t.includes('// Bob'));

    // Undo in g.ts takes back the edit made there, and nothing in f.ts.
    await openFromTree(ada, 'g.ts');
    await ada.locator('.cm-content').click();
    await ada.keyboard.press('Control+z');
    await waitForText(ada, (t) => t.trim() === 'const g = 0;');
    // Redo in f.ts still has Ada's edit to bring back.
    await openFromTree(ada, 'f.ts');
    await ada.locator('.cm-content').click();
    await ada.keyboard.press('Control+y');
    await waitForText(ada, (t) => t.includes('const one = 1; // Ada') && t.includes('// Bob'));
  });

  it('Enter in a tab-indented file inserts tabs; .editorconfig wins over detection', async () => {
    const ky = 'class Ky {\n\tmethod() {\n\t\treturn 1;\n\t}\n}\n';
    const py = 'def f():\n  return 1\n';
    const { owner, workspace } = await team(s.tandem.url, {
      'source/core/Ky.ts': ky,
      'tools/run.py': py,
      '.editorconfig': 'root = true\n\n[*.py]\nindent_style = space\nindent_size = 4\n',
    });
    const ada = await openAs(
      s.browser,
      s.tandem.url,
      owner.cookie,
      `/w/${workspace.id}?file=${encodeURIComponent('source/core/Ky.ts')}`,
    );
    await editor(ada, 'source/core/Ky.ts').waitFor();
    // Wait for the TypeScript parser, so Enter indents by syntax rather than by copying the line above.
    await until(() => ada.locator('.cm-line span[class]').count());
    await caretAfter(ada, 'method() {');
    await ada.keyboard.press('Enter');
    await ada.keyboard.type('x();');
    await waitForText(ada, (t) => t.includes('x();'));
    expect(await editorText(ada)).toContain('\tmethod() {\n\t\tx();\n');

    await ada.goto(`/w/${workspace.id}?file=${encodeURIComponent('tools/run.py')}`);
    await editor(ada, 'tools/run.py').waitFor();
    await caretAfter(ada, 'return 1');
    await ada.keyboard.press('Enter');
    await ada.keyboard.press('Tab');
    await ada.keyboard.type('y');
    // The file uses two spaces, but the project says four: Tab adds four spaces to the two Enter kept.
    await waitForText(ada, (t) => /\n +y/.test(t));
    const text = await editorText(ada);
    expect(text).not.toContain('\t');
    expect(text).toMatch(/\n {6}y$/m);
  });

  it('quick open finds a file by a few letters, recent first, and :line goes to a line a peer sees edited', async () => {
    const { owner, workspace, members } = await team(
      s.tandem.url,
      {
        'a.ts': 'const a = 1;\n',
        'b.ts': 'const b = 2;\n',
        'source/utils/merge.ts': 'export function merge() {\n  return 1;\n}\n// end\n',
        'test/helpers/create-http-test-server.ts': 'export {};\n',
      },
      [{ name: 'Bob', role: 'editor' }],
    );
    const bob = members[0];
    if (!bob) throw new Error('no Bob');
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=a.ts`);
    const bobPage = await openAs(
      s.browser,
      s.tandem.url,
      bob.cookie,
      `/w/${workspace.id}?file=${encodeURIComponent('source/utils/merge.ts')}`,
    );
    await editor(ada, 'a.ts').waitFor();
    await openFromTree(ada, 'b.ts');

    await ada.keyboard.press('Control+p');
    const dialog = ada.getByRole('dialog', { name: 'Go to file' });
    const options = dialog.getByRole('listbox', { name: 'Matching files' }).getByRole('option');
    // The file I was in before this one comes first.
    await expect.poll(() => options.first().textContent()).toContain('a.ts');
    await expectNoAxeFindings(ada, 'quick open');
    await dialog.getByRole('combobox', { name: 'File name, or :line' }).fill('mrg');
    await expect.poll(() => options.first().textContent()).toBe('source/utils/merge.ts');
    await ada.keyboard.press('Enter');
    await editor(ada, 'source/utils/merge.ts').waitFor();
    expect(await dialog.count()).toBe(0);

    // Go to line 4 and type there; Bob sees it on that line.
    await ada.keyboard.press('Control+g');
    await ada.keyboard.type('4');
    await dialog.getByText('Enter goes to line 4 of source/utils/merge.ts.').waitFor();
    await ada.keyboard.press('Enter');
    await ada.keyboard.type('/* here */ ');
    await waitForText(bobPage, (t) => t.split('\n')[3] === '/* here */ // end');
  });
});
