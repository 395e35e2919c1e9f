// An empty workspace offers to bring a project in, and an upload shows how far it is, in files and bytes.
import { writeArchive } from '@tandem/core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeFindings } from '../harness.ts';
import { openAs, stage, team, type Stage } from '../scenario.ts';

/** Records every text the upload status shows, so a test can see the steps of an upload that is over fast. */
async function recordStatus(page: Page) {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenStatus: string[] }).seenStatus = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('aside[aria-label="Files"] [role="status"]')) {
        const text = el.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { seenStatus: string[] }).seenStatus);
}

describe('uploading', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('offers upload in an empty workspace and shows progress in files and bytes', async () => {
    const { owner, workspace } = await team(s.tandem.url, {});
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}`);
    const files = page.getByRole('complementary', { name: 'Files' });
    await files.getByRole('heading', { name: 'No files yet' }).waitFor();
    await files.getByRole('button', { name: 'Upload a .zip or .tar.gz' }).waitFor();
    await expectNoAxeFindings(page, 'empty workspace');
    const seen = await recordStatus(page);

    // Three files of 300 kB go in three requests; each step is told.
    const chooser = page.waitForEvent('filechooser');
    await files.getByRole('button', { name: 'Upload some files' }).click();
    await (
      await chooser
    ).setFiles(
      ['one', 'two', 'three'].map((name) => ({
        name: `${name}.txt`,
        mimeType: 'text/plain',
        buffer: Buffer.alloc(300_000, name[0]),
      })),
    );
    await files.getByText('Uploaded 3 files · 900 kB', { exact: true }).waitFor();
    expect(await files.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('value')).toBe(
      '100',
    );
    const steps = await seen();
    expect(steps).toContain('Uploading 0 of 3 files · 0 B of 900 kB (0%)');
    expect(steps.some((t) => /^Uploading [12] of 3 files · (300|600) kB of 900 kB/.test(t))).toBe(true);
    await expectNoAxeFindings(page, 'upload done');
    await files.getByRole('button', { name: 'Dismiss' }).click();
    expect(await files.getByRole('progressbar').count()).toBe(0);

    // An archive's bytes are counted as they go; its files once the server unpacked them.
    const zip = writeArchive(
      [
        { path: 'ky/readme.md', content: '# ky\n' },
        { path: 'ky/logo.png', content: new Uint8Array([137, 80, 78, 71, 0, 1, 2]) },
      ],
      'zip',
    );
    const archive = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Upload archive (.zip, .tar.gz)' }).click();
    await (
      await archive
    ).setFiles([{ name: 'ky.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) }]);
    await files.getByText(`Uploaded 2 files · ${zip.byteLength} B`, { exact: true }).waitFor();
    expect(await seen()).toContain(`Uploading 0 B of ${zip.byteLength} B (0%)`);
  });
});
