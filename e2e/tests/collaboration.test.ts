// Two people in two browsers edit one file: text and cursors cross live; one goes offline, edits, comes back,
// and both end with the same document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, saveScreenshot, until } from '../harness.ts';
import { caretAfter, editor, editorText, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';

const PATH = 'src/cart.ts';
const FILE = 'export function total(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n';

describe('pair editing', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('shows each other’s text and cursor, and converges after one goes offline and edits', async () => {
    const { owner, workspace, members } = await team(
      s.tandem.url,
      { [PATH]: FILE, 'README.md': '# Shop\n' },
      [{ name: 'Bob', role: 'editor' }],
    );
    const bob = members[0];
    if (!bob) throw new Error('no Bob');
    const at = `/w/${workspace.id}?file=${encodeURIComponent(PATH)}`;
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, at);
    const bobPage = await openAs(s.browser, s.tandem.url, bob.cookie, at);
    await editor(ada, PATH).waitFor();
    await editor(bobPage, PATH).waitFor();

    await caretAfter(ada, 'export function total');
    await ada.keyboard.type(' // Ada was here');
    await waitForText(bobPage, (t) => t.includes('// Ada was here'));
    // Bob sees Ada's caret with her name on it; Ada sees Bob in the presence bar.
    await bobPage.locator('.cm-ySelectionInfo', { hasText: 'Ada' }).waitFor({ state: 'attached' });
    await ada.getByRole('button', { name: /Follow Bob/ }).waitFor();
    await saveScreenshot(ada, 'code-mode-pair-editing');
    await expectAccessible(ada, 'code mode');

    // Bob loses the network, keeps typing; Ada types too.
    await bobPage.context().setOffline(true);
    await bobPage.getByText(/Offline/).waitFor();
    await caretAfter(bobPage, 'return items');
    await bobPage.keyboard.type(' // Bob offline');
    await bobPage.getByText('Offline · unsynced edits').waitFor();
    await caretAfter(ada, '}');
    await ada.keyboard.type('\n// Ada meanwhile');
    await saveScreenshot(bobPage, 'code-mode-offline');
    expect(await editorText(ada)).not.toContain('Bob offline');

    await bobPage.context().setOffline(false);
    await bobPage.getByText('Online', { exact: true }).waitFor();
    const both = (t: string) => t.includes('// Bob offline') && t.includes('// Ada meanwhile');
    await waitForText(ada, both);
    await waitForText(bobPage, both);
    await until(async () => (await editorText(ada)) === (await editorText(bobPage)));
    // And the server kept it: what it serves is what both screens show.
    const stored = await client(s.tandem.url, owner.cookie).file.read.query({
      workspaceId: workspace.id,
      path: PATH,
    });
    expect(stored.binary ? '' : stored.content).toBe(`${await editorText(ada)}\n`.replace(/\n\n$/, '\n'));
  });

  it('follows a member to the file and place they are in', async () => {
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
    await ada.getByRole('button', { name: /Stop following Cleo/ }).waitFor();
    // Cleo moves to a.ts; Ada's view goes with her.
    await cleoPage.getByRole('treeitem', { name: /a\.ts/ }).click();
    await editor(ada, 'a.ts').waitFor();
  });
});
