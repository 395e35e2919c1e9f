// docs/tutorials/first-workspace.md, walked step by step in Chromium against a fresh instance: the first account,
// a workspace made in the UI, an invite link, a teammate signing up through it and the two editing live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, launchBrowser, startTandem, userContext, type Tandem } from '../harness.ts';
import { editor, waitForText } from '../scenario.ts';
import { codeBlock, tutorial, WALK_TIMEOUT_MS } from '../tutorial.ts';
import type { Browser, Page } from 'playwright-core';

describe('tutorial: your first shared workspace', () => {
  let tandem: Tandem;
  // Every server a walk started (a retried walk starts its own), all stopped at the end.
  const started: Tandem[] = [];
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    for (const server of started) await server.stop();
  });

  it(
    'walks every step of the page',
    async () => {
      const t = tutorial('first-workspace');
      let ada!: Page;
      let bob!: Page;
      let inviteUrl = '';
      const hello = codeBlock(t.markdown, 'hello').trim();
      const bye = codeBlock(t.markdown, 'bye').trim();

      await t.step('start', async () => {
        tandem = await startTandem();
        started.push(tandem);
        ada = await (await userContext(browser, tandem.url, '')).newPage();
        await t.record(ada);
        await ada.goto('/');
        await ada.getByRole('heading', { name: 'Create the admin account' }).waitFor();
      });

      await t.step('create-admin', async () => {
        await ada.getByLabel('Name', { exact: true }).fill('Ada');
        await ada.getByLabel('Email', { exact: true }).fill('ada@example.com');
        await ada.getByLabel('Password', { exact: true }).fill('correct horse battery');
        await ada.getByRole('button', { name: 'Create admin account', exact: true }).click();
        await ada.getByRole('heading', { name: 'Your workspaces' }).waitFor();
        await ada.getByText('Ada', { exact: true }).first().waitFor();
      });

      await t.step('create-workspace', async () => {
        await ada.getByLabel('New workspace').fill('Greetings');
        await ada.getByRole('button', { name: 'Create' }).click();
        await ada.getByRole('heading', { name: 'Greetings' }).waitFor();
        await ada.getByText('Open a file to start').waitFor();
        await ada.getByLabel('Ask the AI to change the code').waitFor();
      });

      await t.step('add-file', async () => {
        await ada.getByRole('button', { name: 'New file', exact: true }).click();
        await ada.getByRole('textbox', { name: /New file in the top level/ }).fill('src/hello.ts');
        await ada.keyboard.press('Enter');
        await editor(ada, 'src/hello.ts').waitFor();
        await editor(ada, 'src/hello.ts').click();
        await ada.keyboard.type(hello, { delay: 15 });
        await waitForText(ada, (text) => text.trim() === hello);
      });

      await t.step('invite', async () => {
        await ada.getByRole('button', { name: 'Share' }).click();
        const dialog = ada.getByRole('dialog');
        expect(await dialog.getByRole('combobox', { name: 'Role', exact: true }).inputValue()).toBe('editor');
        await dialog.getByRole('button', { name: 'Create link' }).click();
        const link = dialog.getByRole('textbox', { name: 'Invite link for an editor' });
        await link.waitFor();
        inviteUrl = await link.inputValue();
        expect(inviteUrl).toMatch(new RegExp(`^${tandem.url}/invite/[\\w-]{43}$`));
        await ada.keyboard.press('Escape');
      });

      await t.step('teammate-joins', async () => {
        bob = await (await userContext(browser, tandem.url, '')).newPage();
        await bob.goto(inviteUrl);
        await bob.getByRole('heading', { name: 'Join Greetings' }).waitFor();
        await bob.getByText('Ada invited you to Greetings as an editor.', { exact: false }).waitFor();
        await bob.getByRole('button', { name: 'No account yet? Sign up' }).click();
        await bob.getByLabel('Name', { exact: true }).fill('Bob');
        await bob.getByLabel('Email', { exact: true }).fill('bob@example.com');
        await bob.getByLabel('Password', { exact: true }).fill('correct horse battery');
        await bob.getByRole('button', { name: 'Sign up', exact: true }).click();
        await bob.getByRole('heading', { name: 'Greetings' }).waitFor();
        await bob.getByRole('treeitem', { name: 'src' }).waitFor();
      });

      await t.step('edit-together', async () => {
        await bob.getByRole('treeitem', { name: 'src' }).click();
        await bob.getByRole('treeitem', { name: /hello\.ts/ }).click();
        await editor(bob, 'src/hello.ts').click();
        await bob.keyboard.press('ControlOrMeta+End');
        await bob.keyboard.press('Enter');
        await bob.keyboard.type(bye, { delay: 15 });
        await waitForText(ada, (text) => text.includes(bye));
        await ada.locator('.cm-ySelectionInfo', { hasText: 'Bob' }).waitFor({ state: 'attached' });
        await ada.getByRole('button', { name: /Follow Bob/ }).waitFor();
        // Ada types too; Bob sees it, and the server keeps both.
        await ada.locator('.cm-content .cm-line', { hasText: 'hello' }).first().click();
        await ada.keyboard.press('End');
        await ada.keyboard.type(' // Ada');
        await waitForText(bob, (text) => text.includes('// Ada'));
        const session = (await ada.context().cookies()).find((c) => c.name === 'tandem_session');
        const api = client(tandem.url, `tandem_session=${session?.value ?? ''}`);
        const [workspace] = await api.workspace.list.query();
        const file = await api.file.read.query({ workspaceId: workspace?.id ?? '', path: 'src/hello.ts' });
        expect(file.binary ? '' : file.content).toContain(bye);
        expect(file.binary ? '' : file.content).toContain(`${hello} // Ada`);
      });

      await t.done();
    },
    WALK_TIMEOUT_MS,
  );
});
