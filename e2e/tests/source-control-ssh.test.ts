// The SSH side of the source-control panel in Chromium against a real OpenSSH server on loopback (the server tests'
// sshd, apps/server/test/ssh-server.ts): an owner connects an SSH URL with a deploy key made in the panel (generate,
// copy, rotate, delete, generate again), sees the host key recorded; after the host's key changes, a pull shows the
// old and the new fingerprint, an editor can only read them, and the owner's confirmation accepts the new key.
// Reviewers and editors never see key controls.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshServer, type SshServer } from '../../apps/server/test/ssh-server.ts';
import { client, expectAccessible, launchBrowser, signUp, startTandem, type Tandem } from '../harness.ts';
import { openAs } from '../scenario.ts';

describe('source control over SSH', () => {
  let tandem: Tandem;
  let browser: Browser;
  let sshd: SshServer;
  beforeAll(async () => {
    sshd = await startSshServer();
    tandem = await startTandem({ env: { TANDEM_GIT_ALLOWED_HOSTS: '127.0.0.1' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    await tandem.stop();
    await sshd.close();
  });

  const publicKeyOf = (page: Page) =>
    page.getByRole('region', { name: 'Source control' }).getByLabel('Public key').inputValue();
  /** What the focused element says: a field's value, or a button's text. */
  const focusedName = (page: Page) =>
    page.evaluate(() => {
      const focused = document.activeElement;
      return focused instanceof HTMLTextAreaElement ? focused.value : (focused?.textContent ?? '');
    });
  it('makes, shows, copies, rotates and deletes the deploy key, connects over SSH and accepts a changed host key', async () => {
    const { url } = await sshd.createRepo(`app-${Date.now().toString(36)}`, { 'README.md': '# App\n' });
    const owner = await signUp(tandem.url, { name: 'Ada' });
    const api = client(tandem.url, owner.cookie);
    const workspace = await api.workspace.create.mutate({ name: 'Deploy keys' });
    const members = await Promise.all(
      (['editor', 'reviewer'] as const).map(async (role) => {
        const member = await signUp(tandem.url, { name: role === 'editor' ? 'Ed' : 'Rita' });
        const invite = await api.workspace.invite.create.mutate({ workspaceId: workspace.id, role });
        await client(tandem.url, member.cookie).workspace.invite.accept.mutate({ token: invite.token });
        return member;
      }),
    );

    const page = await openAs(browser, tandem.url, owner.cookie, `/w/${workspace.id}`);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: tandem.url });
    await page.getByRole('heading', { name: 'Deploy keys' }).waitFor();
    await page.keyboard.press('Control+Shift+G');
    const panel = page.getByRole('region', { name: 'Source control' });
    const connect = panel.getByRole('form', { name: 'Connect a repository' });
    await connect.getByLabel('Repository URL').fill(url);
    // An SSH URL takes a deploy key, not a token.
    expect(await connect.getByLabel('Access token').count()).toBe(0);
    const generate = connect.getByRole('button', { name: 'Generate a deploy key' });
    await generate.focus();
    await page.keyboard.press('Enter');
    const keyField = connect.getByLabel('Public key');
    await keyField.waitFor();
    const first = await keyField.inputValue();
    expect(first).toMatch(/^ssh-ed25519 AAAA\S+ tandem-Deploy-keys$/);
    // Focus lands on the key, the button that made it being gone; the fingerprint is the server's.
    await expect.poll(() => focusedName(page)).toBe(first);
    const [stored] = await api.git.credential.list.query({ workspaceId: workspace.id });
    expect(await connect.getByTestId('deploy-key-fingerprint').textContent()).toBe(stored?.fingerprint);

    await connect.getByRole('button', { name: 'Copy public key' }).click();
    await connect.getByRole('status').getByText('Public key copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(first);

    // Rotate, after a confirmation: a new key in the same place.
    await connect.getByRole('button', { name: 'Rotate key' }).click();
    const rotateDialog = page.getByRole('dialog', { name: 'Rotate the deploy key?' });
    await rotateDialog.getByRole('button', { name: 'Rotate', exact: true }).click();
    await expect.poll(() => publicKeyOf(page)).not.toBe(first);
    const rotated = await publicKeyOf(page);
    expect(rotated).toMatch(/^ssh-ed25519 /);

    // Delete, after a confirmation (Escape cancels it first), then generate the key to use.
    await connect.getByRole('button', { name: 'Delete key' }).click();
    const deleteDialog = page.getByRole('dialog', { name: 'Delete the deploy key?' });
    await deleteDialog.waitFor();
    await page.keyboard.press('Escape');
    await deleteDialog.waitFor({ state: 'detached' });
    expect(await publicKeyOf(page)).toBe(rotated);
    await connect.getByRole('button', { name: 'Delete key' }).click();
    await deleteDialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await generate.waitFor();
    await expect.poll(() => focusedName(page)).toBe('Generate a deploy key');
    expect(await api.git.credential.list.query({ workspaceId: workspace.id })).toEqual([]);
    await page.keyboard.press('Enter');
    await keyField.waitFor();
    const used = await keyField.inputValue();
    await sshd.authorize(used);

    await connect.getByRole('button', { name: 'Connect' }).click();
    await panel.getByTestId('git-branch').getByText('main').waitFor({ timeout: 30_000 });
    const recorded = await sshd.hostKeyFingerprint();
    await panel.getByRole('list', { name: 'Recorded host keys' }).getByText(recorded).waitFor();
    // Connected: the remote's own key, still there to copy or rotate.
    expect(await publicKeyOf(page)).toBe(used);
    await expectAccessible(page, 'source control over SSH, connected');

    // The host's key changes: a pull says so and names both fingerprints.
    await sshd.changeHostKey();
    const presented = await sshd.hostKeyFingerprint();
    await panel.getByRole('button', { name: 'Pull' }).click();
    const alert = panel.getByRole('alert').filter({ hasText: 'GIT_HOST_KEY_CHANGED' });
    await alert.waitFor({ timeout: 30_000 });
    await alert.getByRole('list', { name: 'Recorded host key' }).getByText(recorded).waitFor();
    await alert.getByRole('list', { name: 'Presented host key' }).getByText(presented).waitFor();

    // An editor sees the same, and no way to accept the key; reviewers and editors see no key controls.
    const [editorMember, reviewerMember] = members;
    const editorPage = await openAs(browser, tandem.url, editorMember?.cookie ?? '', `/w/${workspace.id}`);
    await editorPage.getByRole('button', { name: 'Source control' }).click();
    const editorPanel = editorPage.getByRole('region', { name: 'Source control' });
    await editorPanel.getByRole('button', { name: 'Pull' }).click();
    const editorAlert = editorPanel.getByRole('alert').filter({ hasText: 'GIT_HOST_KEY_CHANGED' });
    await editorAlert.getByText(presented).waitFor({ timeout: 30_000 });
    await editorAlert.getByText('An owner can accept the new key').waitFor();
    const reviewerPage = await openAs(
      browser,
      tandem.url,
      reviewerMember?.cookie ?? '',
      `/w/${workspace.id}`,
    );
    await reviewerPage.getByRole('button', { name: 'Source control' }).click();
    const reviewerPanel = reviewerPage.getByRole('region', { name: 'Source control' });
    await reviewerPanel.getByRole('list', { name: 'Recorded host keys' }).getByText(recorded).waitFor();
    for (const seen of [editorPanel, reviewerPanel]) {
      for (const name of [
        /accept the new key/i,
        /generate a deploy key/i,
        /rotate key/i,
        /delete key/i,
        /copy public key/i,
      ])
        expect(await seen.getByRole('button', { name }).count()).toBe(0);
      expect(await seen.getByRole('heading', { name: 'Deploy key' }).count()).toBe(0);
      expect(await seen.getByLabel('Public key').count()).toBe(0);
    }

    // The owner accepts it after a confirmation that shows the fingerprint; then the pull works.
    await alert.getByRole('button', { name: 'Accept the new key…' }).click();
    const trustDialog = page.getByRole('dialog', { name: 'Accept the new host key?' });
    await trustDialog.getByText(presented).waitFor();
    await expectAccessible(page, 'source control over SSH, accepting a host key');
    await trustDialog.getByRole('button', { name: 'Accept the new key' }).click();
    const accepted = panel.getByRole('status').filter({ hasText: 'Accepted the new host key' });
    await accepted.getByText(presented).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent ?? ''))
      .toContain('Accepted the new host key');
    await panel.getByRole('list', { name: 'Recorded host keys' }).getByText(presented).waitFor();
    await panel.getByRole('button', { name: 'Pull' }).click();
    await panel.getByText('Already up to date.').waitFor({ timeout: 30_000 });
    expect((await api.git.remote.query({ workspaceId: workspace.id }))?.hostKeys).toEqual([
      { type: 'ssh-ed25519', fingerprint: presented },
    ]);
  });
});
