// Invites as an owner and as the person invited: every link made stays visible, and the page a link opens
// names the workspace and the role before asking anyone to sign in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeFindings, userContext } from '../harness.ts';
import { openAs, stage, team, type Stage } from '../scenario.ts';

describe('invites', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('keeps the first link visible after a second is made', async () => {
    const { owner, workspace } = await team(s.tandem.url, { 'a.ts': '' });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}`);
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const links = dialog.getByRole('textbox', { name: /Invite link/ });
    await links.first().waitFor();
    const first = await links.first().inputValue();
    await dialog.getByRole('combobox', { name: 'Role', exact: true }).selectOption('reviewer');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await expect.poll(() => links.count()).toBe(2);
    const urls = await links.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(urls).toContain(first);
    expect(new Set(urls).size).toBe(2);
    for (const url of urls) expect(url).toMatch(/\/invite\/[\w-]{43}$/);
    await dialog.getByRole('textbox', { name: 'Invite link for a reviewer' }).waitFor();
    await expectNoAxeFindings(page, 'share dialog with two links');
  });

  it('names the workspace, the role and the inviter on the sign-in page a link opens', async () => {
    const { api, workspace } = await team(s.tandem.url, { 'a.ts': '' });
    const invite = await api.workspace.invite.create.mutate({ workspaceId: workspace.id, role: 'editor' });
    const page = await (await userContext(s.browser, s.tandem.url, '')).newPage();
    await page.goto(`/invite/${invite.token}`);
    await page.getByRole('heading', { name: 'Join Checkout service' }).waitFor();
    await page.getByText('Ada invited you to Checkout service as an editor.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    // Creating an account from there joins the workspace straight away.
    await page.getByRole('button', { name: 'No account yet? Sign up' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Nell');
    await page.getByLabel('Email', { exact: true }).fill('nell@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    await page.getByRole('heading', { name: 'Checkout service' }).waitFor();

    // A used link says so instead of asking to sign in.
    const other = await (await userContext(s.browser, s.tandem.url, '')).newPage();
    await other.goto(`/invite/${invite.token}`);
    await other.getByText('This invite cannot be used').waitFor();
  });
});
