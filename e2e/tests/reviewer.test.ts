// A reviewer joins through an invite link: sees live edits, cannot type, and watches an AI task stream its
// timeline and proposal as it happens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  expectAccessible,
  replay,
  saveScreenshot,
  searchReplaceBlock,
  signUp,
  userContext,
} from '../harness.ts';
import { caretAfter, editor, editorText, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';

const PATH = 'src/price.ts';
const FILE = 'export function price(cents: number) {\n  return cents / 100;\n}\n';

describe('reviewer', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('joins by invite link, watches edits and an AI task live, and cannot type', async () => {
    const { owner, api, workspace } = await team(s.tandem.url, { [PATH]: FILE });
    const invite = await api.workspace.invite.create.mutate({ workspaceId: workspace.id, role: 'reviewer' });
    const rita = await signUp(s.tandem.url, { name: 'Rita' });

    const context = await userContext(s.browser, s.tandem.url, rita.cookie);
    const reviewer = await context.newPage();
    await reviewer.goto(new URL(invite.url).pathname);
    await reviewer.getByRole('heading', { name: 'Checkout service' }).waitFor();
    await reviewer.getByText('Reviewer · read-only').waitFor();
    await reviewer.getByRole('treeitem', { name: 'src' }).click();
    await reviewer.getByRole('treeitem', { name: /price\.ts/ }).click();
    await editor(reviewer, PATH).waitFor();
    await reviewer.getByText('Read-only', { exact: true }).waitFor();

    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await caretAfter(ada, 'return cents');
    await ada.keyboard.type(' // rounded later');
    await waitForText(reviewer, (t) => t.includes('// rounded later'));

    // The reviewer's keystrokes go nowhere: the editor is not editable, and nothing reaches the others.
    expect(await editor(reviewer, PATH).getAttribute('contenteditable')).toBe('false');
    await editor(reviewer, PATH).click();
    await reviewer.keyboard.type('REVIEWER TYPED');
    await new Promise((r) => setTimeout(r, 500));
    expect(await editorText(reviewer)).not.toContain('REVIEWER TYPED');
    expect(await editorText(ada)).not.toContain('REVIEWER TYPED');
    await expectAccessible(reviewer, 'reviewer code mode');

    // Ada asks the AI; the reviewer sees the timeline grow while the model is still streaming.
    s.llm.server.enqueue([
      replay.text('I will round to two decimals.\n', { chunks: 4, intervalMs: 150 }),
      replay.delay(1_500),
      replay.text(
        searchReplaceBlock(
          PATH,
          '  return cents / 100; // rounded later',
          '  return Math.round(cents) / 100;',
        ),
        {
          chunks: 6,
          intervalMs: 100,
        },
      ),
      replay.finish({ usage: { inputTokens: 900, outputTokens: 60 } }),
    ]);
    await ada.getByLabel('Ask the AI to change the code').fill(`Round the price in @${PATH}`);
    await ada.getByRole('button', { name: 'Run task' }).click();
    await reviewer.getByRole('button', { name: /Round the price/ }).click();
    const timeline = reviewer.getByRole('list', { name: 'Task timeline' });
    await timeline.waitFor();
    await timeline.getByText('Context', { exact: true }).first().waitFor();
    const before = await timeline.locator(':scope > li').count();
    await reviewer.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });
    expect(await timeline.locator(':scope > li').count()).toBeGreaterThan(before);
    await saveScreenshot(reviewer, 'reviewer-timeline');
    await expectAccessible(reviewer, 'reviewer timeline');

    // The proposal is visible to the reviewer, without the power to decide it.
    await reviewer.getByRole('button', { name: 'Review changes' }).click();
    await reviewer.getByRole('region', { name: `Review ${PATH}` }).waitFor();
    await reviewer.getByText('read-only review').waitFor();
    expect(await reviewer.getByRole('button', { name: 'Accept all', exact: true }).count()).toBe(0);
    await saveScreenshot(reviewer, 'reviewer-diff');
    const tasks = await client(s.tandem.url, owner.cookie).task.list.query({ workspaceId: workspace.id });
    expect(tasks[0]?.state).toBe('proposed');
  });
});
