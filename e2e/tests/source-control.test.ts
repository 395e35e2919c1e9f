// The source-control panel in Chromium against a real git server on loopback: an owner connects a repository from
// the panel, types, sees the file in the changes live with its diff, commits and pushes; the real `git` CLI reads
// the result off the bare repository. A reviewer sees the same panel without the buttons.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../apps/server/test/git-server.ts';
import {
  client,
  expectAccessible,
  launchBrowser,
  signUp,
  startTandem,
  until,
  type Tandem,
} from '../harness.ts';
import { caretAfter, editor, openAs, waitForText } from '../scenario.ts';

const TOKEN = 'e2e-git-token';
const PATH = 'src/cart.ts';
const FILE = 'export function total(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n';

describe('source control', () => {
  let tandem: Tandem;
  let browser: Browser;
  let remote: GitServer;
  beforeAll(async () => {
    remote = await startGitServer(TOKEN);
    tandem = await startTandem({ env: { TANDEM_GIT_ALLOWED_HOSTS: '127.0.0.1' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    await tandem.stop();
    await remote.close();
  });

  it('connects, shows typing as a change with its diff, commits and pushes; a reviewer sees it read-only', async () => {
    // A name of its own, so a retry does not meet the repository of the first attempt.
    const repo = `shop-${Date.now().toString(36)}`;
    const url = await remote.createRepo(repo, { [PATH]: FILE, 'README.md': '# Shop\n' });
    const owner = await signUp(tandem.url, { name: 'Ada' });
    const api = client(tandem.url, owner.cookie);
    const workspace = await api.workspace.create.mutate({ name: 'Shop' });
    const rita = await signUp(tandem.url, { name: 'Rita' });
    const invite = await api.workspace.invite.create.mutate({ workspaceId: workspace.id, role: 'reviewer' });
    await client(tandem.url, rita.cookie).workspace.invite.accept.mutate({ token: invite.token });

    const page = await openAs(browser, tandem.url, owner.cookie, `/w/${workspace.id}`);
    await page.getByRole('heading', { name: 'Shop' }).waitFor();
    // Keyboard reachable: Ctrl+Shift+G opens the panel.
    await page.keyboard.press('Control+Shift+G');
    const panel = page.getByRole('region', { name: 'Source control' });
    const connect = panel.getByRole('form', { name: 'Connect a repository' });
    await connect.getByLabel('Repository URL').fill(url);
    await connect.getByLabel('Access token').fill(TOKEN);
    await connect.getByRole('button', { name: 'Connect' }).click();
    await panel.getByTestId('git-branch').getByText('main').waitFor({ timeout: 30_000 });
    await panel.getByText('No changes since').waitFor();
    await expectAccessible(page, 'source control, connected');

    // Typing shows up in the changes without any refresh.
    await page.goto(`/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    await page.keyboard.press('Control+Shift+G');
    await caretAfter(page, 'return items');
    await page.keyboard.type(' // sum');
    await waitForText(page, (t) => t.includes('// sum'));
    const changed = panel.getByRole('list', { name: 'Changed files' });
    await changed.getByRole('button', { name: PATH }).click({ timeout: 15_000 });
    const diff = panel.getByLabel(`Changes in ${PATH}`);
    await diff.getByText('+  return items.reduce((a, b) => a + b, 0); // sum').waitFor();
    // The removed line is the old text on its own (the added one has the comment after it).
    await diff.getByText(/-\s+return items\.reduce\(\(a, b\) => a \+ b, 0\);$/).waitFor();
    expect(await changed.locator('li').getAttribute('data-change')).toBe('modified');

    // Commit and push from the panel.
    const commitForm = panel.getByRole('form', { name: 'Commit' });
    await commitForm.getByLabel('Commit message').fill('Note what total does');
    await commitForm.getByRole('button', { name: 'Commit all' }).click();
    const committed = await commitForm.getByText(/^Committed [0-9a-f]{7} on main/).textContent();
    const shortId = /Committed ([0-9a-f]{7})/.exec(committed ?? '')?.[1] ?? '';
    await panel.getByText('No changes since').waitFor();
    await panel.getByRole('button', { name: 'Push' }).click();
    await panel.getByText(`Pushed ${shortId} to main.`).waitFor({ timeout: 30_000 });

    // The real git CLI on the bare repository.
    const clone = await remote.clone(repo);
    expect(await remote.git(clone, 'log', '-1', '--format=%h|%an|%s', '--abbrev=7')).toBe(
      `${shortId}|Ada|Note what total does\n`,
    );
    expect(await remote.git(clone, 'show', 'HEAD:' + PATH)).toContain('a + b, 0); // sum');

    // History shows the commit and its diff.
    const history = panel.getByRole('list', { name: 'Commits' });
    await history.getByRole('button', { name: /Note what total does/ }).click();
    await panel.getByLabel(`${PATH} in ${shortId}`).getByText('// sum', { exact: false }).waitFor();

    // A reviewer sees the branch, the history and the changes, and no way to commit, push or pull.
    const reviewer = await openAs(browser, tandem.url, rita.cookie, `/w/${workspace.id}`);
    await reviewer.getByText('Reviewer · read-only').waitFor();
    await reviewer.getByRole('button', { name: 'Source control' }).click();
    const seen = reviewer.getByRole('region', { name: 'Source control' });
    await seen.getByRole('list', { name: 'Commits' }).getByText('Note what total does').waitFor();
    await seen.getByTestId('git-branch').getByText('main').waitFor();
    for (const name of ['Commit all', 'Push', 'Pull', 'Connect'])
      expect(await seen.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await seen.getByRole('form', { name: 'Commit' }).count()).toBe(0);
    expect(await seen.getByRole('checkbox').count()).toBe(0);
    await expectAccessible(reviewer, 'source control, reviewer');

    // Another member's commit reaches the reviewer's panel live (git.onChange), changes and history both.
    await api.file.write.mutate({ workspaceId: workspace.id, path: 'README.md', content: '# Shop\nMore.\n' });
    await seen
      .getByRole('list', { name: 'Changed files' })
      .getByRole('button', { name: 'README.md' })
      .waitFor();
    await api.git.commit.mutate({ workspaceId: workspace.id, message: 'Say more in the README' });
    await seen.getByRole('list', { name: 'Commits' }).getByText('Say more in the README').waitFor();
    await seen.getByText('No changes since').waitFor();

    // The owner's auto-commit switch is stored with the workspace.
    const auto = panel.getByRole('checkbox', { name: 'Commit each accepted task automatically' });
    expect(await auto.isChecked()).toBe(false);
    await auto.check();
    await until(
      async () => (await api.workspace.get.query({ workspaceId: workspace.id })).autoCommit || null,
    );
  });
});
