// docs/tutorials/review-ai-change.md, walked step by step in Chromium: a reviewer joins through a link made in the
// Share dialog, watches an AI task stream, approves it from the read-only review, and the owner accepts it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, replay, searchReplaceBlock, userContext } from '../harness.ts';
import { editor, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';
import { codeBlock, tutorial, WALK_TIMEOUT_MS } from '../tutorial.ts';

const PATH = 'src/price.ts';

describe('tutorial: invite a reviewer and review an AI change', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it(
    'walks every step of the page',
    async () => {
      const t = tutorial('review-ai-change');
      const before = /```ts\n([\s\S]*?)```/.exec(t.markdown)?.[1] ?? '';
      const after = codeBlock(t.markdown, 'result');
      const prompt = codeBlock(t.markdown, 'prompt').trim();
      const { owner, workspace } = await team(s.tandem.url, { [PATH]: before });
      const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
      await editor(ada, PATH).waitFor();
      await t.record(ada);
      let inviteUrl = '';
      let rita!: Page;

      await t.step('invite-reviewer', async () => {
        await ada.getByRole('button', { name: 'Share' }).click();
        const dialog = ada.getByRole('dialog');
        await dialog.getByRole('combobox', { name: 'Role', exact: true }).selectOption('reviewer');
        await dialog.getByRole('button', { name: 'Create link' }).click();
        inviteUrl = await dialog.getByRole('textbox', { name: 'Invite link for a reviewer' }).inputValue();
        expect(inviteUrl).toMatch(/\/invite\/[\w-]{43}$/);
        await ada.keyboard.press('Escape');
      });

      await t.step('reviewer-joins', async () => {
        rita = await (await userContext(s.browser, s.tandem.url, '')).newPage();
        await rita.goto(inviteUrl);
        await rita
          .getByText('Ada invited you to Checkout service as a reviewer.', { exact: false })
          .waitFor();
        await rita.getByRole('button', { name: 'No account yet? Sign up' }).click();
        await rita.getByLabel('Name', { exact: true }).fill('Rita');
        // Unique per walk: a retried walk signs up again on the same server.
        await rita.getByLabel('Email', { exact: true }).fill(`rita-${Date.now()}@example.com`);
        await rita.getByLabel('Password', { exact: true }).fill('correct horse battery');
        await rita.getByRole('button', { name: 'Sign up', exact: true }).click();
        await rita.getByText('Reviewer · read-only').waitFor();
        await rita.getByRole('treeitem', { name: 'src' }).click();
        await rita.getByRole('treeitem', { name: /price\.ts/ }).click();
        await editor(rita, PATH).waitFor();
        await rita.getByText('Read-only', { exact: true }).waitFor();
      });

      await t.step('ask', async () => {
        s.llm.server.enqueue([
          replay.text('I will round to whole cents.\n', { chunks: 4, intervalMs: 150 }),
          replay.delay(1_000),
          replay.text(
            searchReplaceBlock(PATH, '  return cents / 100;', '  return Math.round(cents) / 100;'),
            {
              chunks: 4,
              intervalMs: 100,
            },
          ),
          replay.finish({ usage: { inputTokens: 800, outputTokens: 50 } }),
        ]);
        await ada.getByLabel('Ask the AI to change the code').fill(prompt);
        await ada.getByRole('button', { name: 'Run task' }).click();
      });

      await t.step('watch', async () => {
        await rita.getByRole('button', { name: /Round the price/ }).click();
        const timeline = rita.getByRole('list', { name: 'Task timeline' });
        await timeline.getByText('Context', { exact: true }).first().waitFor();
        await rita.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });
        await ada.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });
      });

      await t.step('reviewer-approves', async () => {
        await rita.getByRole('button', { name: 'Review changes' }).click();
        await rita.getByRole('region', { name: `Review ${PATH}` }).waitFor();
        await rita.getByText('read-only review').waitFor();
        expect(await rita.getByRole('button', { name: 'Accept all', exact: true }).count()).toBe(0);
        await ada.getByRole('button', { name: 'Review changes' }).click();
        await rita.getByRole('region', { name: 'Verdicts' }).getByRole('button', { name: 'Approve' }).click();
        await ada
          .getByRole('region', { name: 'Verdicts' })
          .getByRole('list', { name: 'Current verdicts' })
          .getByText('Rita approved')
          .waitFor();
      });

      await t.step('accept', async () => {
        await ada.getByRole('button', { name: 'Accept all', exact: true }).click();
        const stored = async () => {
          const file = await client(s.tandem.url, owner.cookie).file.read.query({
            workspaceId: workspace.id,
            path: PATH,
          });
          return file.binary ? '' : file.content;
        };
        await expect.poll(stored, { timeout: 15_000 }).toBe(after);
        await ada.getByRole('button', { name: 'Roll back task' }).waitFor();
        await rita.getByRole('treeitem', { name: /price\.ts/ }).click();
        await waitForText(rita, (text) => text.includes('Math.round(cents) / 100'));
      });

      await t.done();
    },
    WALK_TIMEOUT_MS,
  );
});
