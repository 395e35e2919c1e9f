// The file tree in the browser: create, rename and delete through the tree, upload files, download the archive;
// every change goes through the server and shows up for a second member at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, until } from '../harness.ts';
import { editor, openAs, stage, team, type Stage } from '../scenario.ts';

describe('file tree', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('creates, renames, uploads and deletes files, live for everyone', async () => {
    const { owner, workspace, members } = await team(s.tandem.url, { 'README.md': '# Shop\n' }, [
      { name: 'Bob', role: 'editor' },
    ]);
    const bob = members[0];
    if (!bob) throw new Error('no Bob');
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}`);
    const bobPage = await openAs(s.browser, s.tandem.url, bob.cookie, `/w/${workspace.id}`);
    const tree = ada.getByRole('tree', { name: 'Files' });
    await tree.getByRole('treeitem', { name: 'README.md' }).waitFor();
    const paths = async () =>
      (await client(s.tandem.url, owner.cookie).file.list.query({ workspaceId: workspace.id })).entries
        .filter((e) => e.kind === 'file')
        .map((e) => e.path)
        .sort();

    // New file from the toolbar: it opens in the editor and appears in Bob's tree.
    await ada.getByRole('button', { name: 'New file', exact: true }).click();
    await ada.getByRole('textbox', { name: /New file in the top level/ }).fill('src/app.ts');
    await ada.keyboard.press('Enter');
    await editor(ada, 'src/app.ts').waitFor();
    await bobPage.getByRole('treeitem', { name: 'src' }).waitFor();
    expect(await paths()).toEqual(['README.md', 'src/app.ts']);

    // Rename with F2 on the focused row.
    await tree.getByRole('treeitem', { name: 'README.md' }).click();
    await ada.keyboard.press('F2');
    const rename = ada.getByRole('textbox', { name: 'Rename README.md' });
    await rename.fill('docs.md');
    await ada.keyboard.press('Enter');
    await until(async () => (await paths()).includes('docs.md'));
    await bobPage.getByRole('treeitem', { name: 'docs.md' }).waitFor();

    // Upload two files through the hidden input behind "Upload files".
    const chooser = ada.waitForEvent('filechooser');
    await ada.getByRole('button', { name: 'Upload files' }).click();
    await (
      await chooser
    ).setFiles([
      { name: 'a.json', mimeType: 'application/json', buffer: Buffer.from('{"a":1}\n') },
      { name: 'b.css', mimeType: 'text/css', buffer: Buffer.from('body { margin: 0; }\n') },
    ]);
    // The toast's title, not Radix's transient screen-reader announcement of it.
    await ada.getByText('Uploaded 2 files', { exact: true }).waitFor();
    await until(async () => (await paths()).includes('b.css'));

    // Delete asks first; after yes, the file is gone for both.
    ada.once('dialog', (dialog) => void dialog.accept());
    await tree.getByRole('treeitem', { name: 'a.json' }).click();
    await ada.keyboard.press('Delete');
    await until(async () => !(await paths()).includes('a.json'));
    await bobPage.getByRole('treeitem', { name: 'b.css' }).waitFor();
    expect(await bobPage.getByRole('treeitem', { name: 'a.json' }).count()).toBe(0);

    // The archive link downloads the whole workspace.
    const download = ada.waitForEvent('download');
    await ada.getByRole('link', { name: 'Download workspace as archive' }).click();
    const file = await (await download).path();
    expect(file).toBeTruthy();
  });
});
