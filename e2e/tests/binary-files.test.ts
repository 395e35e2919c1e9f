// Binary files in the browser: an image and an opaque binary stored in the workspace show in the tree with their
// size; opening one shows its size, a preview for images and a download of the exact bytes; rename, move and
// delete work on them through the tree and reach a second member live.
import { readFile } from 'node:fs/promises';
import { writeArchive } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, until } from '../harness.ts';
import { openAs, stage, team, type Stage } from '../scenario.ts';

// A 1x1 PNG (70 bytes).
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const ai = Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 3, 0xff, 0xfe]);

describe('binary files', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('lists, previews, downloads, renames, moves and deletes binary files, live for everyone', async () => {
    const { owner, workspace, members } = await team(s.tandem.url, { 'README.md': '# Ky\n' }, [
      { name: 'Bob', role: 'editor' },
    ]);
    const bob = members[0];
    if (!bob) throw new Error('no Bob');
    const api = client(s.tandem.url, owner.cookie);
    await api.file.create.mutate({
      workspaceId: workspace.id,
      path: 'media/logo.png',
      base64: png.toString('base64'),
    });
    await api.file.create.mutate({
      workspaceId: workspace.id,
      path: 'media/logo.ai',
      base64: ai.toString('base64'),
    });
    const paths = async () =>
      (await api.file.list.query({ workspaceId: workspace.id })).entries
        .filter((e) => e.kind === 'file')
        .map((e) => e.path)
        .sort();
    expect(await paths()).toEqual(['README.md', 'media/logo.ai', 'media/logo.png']);

    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}`);
    const bobPage = await openAs(
      s.browser,
      s.tandem.url,
      bob.cookie,
      `/w/${workspace.id}?file=media/logo.png`,
    );
    const tree = ada.getByRole('tree', { name: 'Files' });
    await tree.getByRole('treeitem', { name: 'media' }).click();
    // Both binaries are in the tree with their sizes, and counted.
    await tree.getByRole('treeitem', { name: 'logo.png 70 B, binary' }).waitFor();
    await tree.getByRole('treeitem', { name: 'logo.ai 10 B, binary' }).waitFor();
    await ada.getByText('3 files', { exact: true }).waitFor();

    // Opening the image: size, a preview that really decoded (the CSP lets blob: images through), a download.
    await tree.getByRole('treeitem', { name: /^logo\.png/ }).click();
    const panel = ada.getByRole('region', { name: 'Binary file media/logo.png' });
    await panel.getByText('70 B', { exact: true }).waitFor();
    const preview = panel.getByRole('img', { name: 'Preview of media/logo.png' });
    await preview.waitFor();
    await until(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1));
    const download = ada.waitForEvent('download');
    await panel.getByRole('link', { name: 'Download logo.png' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('logo.png');
    const savedPath = await saved.path();
    expect(Buffer.from(await readFile(savedPath)).equals(png)).toBe(true);

    await expectAccessible(ada, 'binary file panel');

    // A binary that is not an image: size and download, no preview.
    await tree.getByRole('treeitem', { name: /^logo\.ai/ }).click();
    const aiPanel = ada.getByRole('region', { name: 'Binary file media/logo.ai' });
    await aiPanel.getByRole('link', { name: 'Download logo.ai' }).waitFor();
    expect(await aiPanel.getByRole('img').count()).toBe(0);

    // Rename the image with F2; Bob, who had it open, follows it to the new name.
    await tree.getByRole('treeitem', { name: /^logo\.png/ }).click();
    await ada.keyboard.press('F2');
    await ada.getByRole('textbox', { name: 'Rename media/logo.png' }).fill('icon.png');
    await ada.keyboard.press('Enter');
    await until(async () => (await paths()).includes('media/icon.png'));
    await bobPage.getByRole('treeitem', { name: 'icon.png 70 B, binary' }).waitFor();

    // Move it to the top level through the row's menu.
    await tree.getByRole('treeitem', { name: /^icon\.png/ }).click();
    await tree.getByRole('button', { name: 'Actions for media/icon.png' }).click();
    await ada.getByRole('menuitem', { name: /Move to/ }).click();
    await ada.getByRole('textbox', { name: /^Move media\/icon\.png to folder/ }).fill('');
    await ada.keyboard.press('Enter');
    await until(async () => (await paths()).includes('icon.png'));
    await bobPage.getByRole('treeitem', { name: 'icon.png 70 B, binary' }).waitFor();
    expect(await readBytes(api, workspace.id, 'icon.png')).toEqual(png.toString('base64'));

    // Delete asks first; after yes, it is gone for both.
    ada.once('dialog', (dialog) => void dialog.accept());
    await tree.getByRole('treeitem', { name: /^icon\.png/ }).click();
    await ada.keyboard.press('Delete');
    await until(async () => !(await paths()).includes('icon.png'));
    await until(async () => (await bobPage.getByRole('treeitem', { name: /^icon\.png/ }).count()) === 0);
    expect(await paths()).toEqual(['README.md', 'media/logo.ai']);

    // The case: an archive with binaries inside. Everything it unpacks is in the tree and counted.
    const zip = writeArchive(
      [
        { path: 'ky/extra/notes.md', content: '# Notes\n' },
        { path: 'ky/extra/data.bin', content: new Uint8Array([0, 1, 2, 3, 4]) },
      ],
      'zip',
    );
    const chooser = ada.waitForEvent('filechooser');
    await ada.getByRole('button', { name: 'Upload archive (.zip, .tar.gz)' }).click();
    await (
      await chooser
    ).setFiles([{ name: 'ky.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) }]);
    await ada.getByText('Unpacked 2 files from ky.zip', { exact: true }).waitFor();
    await tree.getByRole('treeitem', { name: 'extra' }).click();
    await tree.getByRole('treeitem', { name: 'data.bin 5 B, binary' }).waitFor();
    await ada.getByText('4 files', { exact: true }).waitFor();
  });
});

async function readBytes(api: ReturnType<typeof client>, workspaceId: string, path: string): Promise<string> {
  const file = await api.file.read.query({ workspaceId, path });
  if (!('base64' in file) || typeof file.base64 !== 'string') throw new Error(`${path} is not binary`);
  return file.base64;
}
