// Deciding a proposal hunk by hunk, rolling the task back, and resolving a conflict with what a human typed
// while the task ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, replay, saveScreenshot, searchReplaceBlock, until } from '../harness.ts';
import { caretAfter, editor, openAs, stage, team, waitForText, type Stage } from '../scenario.ts';

const PATH = 'src/math.ts';
const FILE = [
  'export function add(a: number, b: number) {',
  '  return a + b;',
  '}',
  '',
  'export const name = "tandem";',
  '',
  'export function sub(a: number, b: number) {',
  '  return a - b;',
  '}',
  '',
].join('\n');

describe('diff review', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  const read = async (cookie: string, workspaceId: string) => {
    const file = await client(s.tandem.url, cookie).file.read.query({ workspaceId, path: PATH });
    return file.binary ? '' : file.content;
  };

  it('accepts one hunk, rejects another, then rolls the task back', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    s.llm.server.enqueue([
      replay.text(
        searchReplaceBlock(PATH, '  return a + b;', '  return b + a;') +
          searchReplaceBlock(PATH, 'export const name = "tandem";', 'export const name = "TANDEM";'),
      ),
      replay.finish({ usage: { inputTokens: 500, outputTokens: 40 } }),
    ]);
    await page.getByLabel('Ask the AI to change the code').fill('Swap operands and shout the name');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    const review = page.getByRole('region', { name: `Review ${PATH}` });
    await review.waitFor();
    await saveScreenshot(page, 'diff-review');
    await expectAccessible(page, 'diff review');

    const hunks = review.getByRole('list', { name: `Hunks in ${PATH}` }).locator(':scope > li');
    expect(await hunks.count()).toBe(2);
    await hunks
      .nth(0)
      .getByRole('button', { name: /^Accept/ })
      .click();
    await hunks.nth(0).getByText('by you').waitFor();
    await hunks
      .nth(1)
      .getByRole('button', { name: /^Reject/ })
      .click();
    await hunks.nth(1).getByText('by you').waitFor();
    const decided = FILE.replace('return a + b;', 'return b + a;');
    await until(async () => (await read(owner.cookie, workspace.id)) === decided);

    await page.getByRole('button', { name: 'Roll back task' }).click();
    await page.getByRole('status').getByText('Task rolled back').first().waitFor();
    await until(async () => (await read(owner.cookie, workspace.id)) === FILE);
    await page.getByRole('button', { name: 'Back to editor' }).click();
    await waitForText(page, (t) => t.includes('return a + b;'));
  });

  it('offers Retry and Edit prompt on a task that failed, and runs the same request again', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE }, []);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    // The model endpoint refuses the key once, then answers.
    s.llm.server.enqueue([replay.unauthorized()]);
    const prompt = 'Swap the operands of add';
    await page.getByLabel('Ask the AI to change the code').fill(prompt);
    await page.getByRole('button', { name: 'Run task' }).click();
    const retry = page.getByRole('button', { name: 'Retry' });
    await retry.waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'failed task');

    await page.getByRole('button', { name: 'Edit prompt' }).click();
    expect(await page.getByLabel('Ask the AI to change the code').inputValue()).toBe(prompt);

    s.llm.server.enqueue([replay.text(searchReplaceBlock(PATH, '  return a + b;', '  return b + a;'))]);
    await retry.click();
    await page.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });
    const tasks = await client(s.tandem.url, owner.cookie).task.list.query({
      workspaceId: workspace.id,
      limit: 10,
    });
    expect(tasks.map((t) => [t.prompt, t.state])).toEqual([
      [prompt, 'proposed'],
      [prompt, 'failed'],
    ]);
  });

  it('shows a conflict when someone edits inside a hunk while the task runs, and resolves it', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE }, []);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    s.llm.server.enqueue([
      replay.delay(2_500),
      replay.text(searchReplaceBlock(PATH, '  return a - b;', '  return a - b - 0;')),
      replay.finish({ usage: { inputTokens: 500, outputTokens: 20 } }),
    ]);
    await page.getByLabel('Ask the AI to change the code').fill('Make sub explicit');
    await page.getByRole('button', { name: 'Run task' }).click();
    // While the model thinks, a human changes the very line the task will replace.
    const timeline = page.getByRole('list', { name: 'Task timeline' });
    await timeline.getByText('Context', { exact: true }).first().waitFor();
    await caretAfter(page, 'return a - b;');
    await page.keyboard.type(' // keep me');
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Accept all', exact: true }).click();
    const conflict = page.getByRole('group', { name: /Resolve conflict/ });
    await conflict.waitFor();
    await conflict.getByText('return a - b; // keep me').waitFor();
    await saveScreenshot(page, 'conflict');
    await expectAccessible(page, 'conflict');
    await conflict.getByRole('button', { name: "Take task's text" }).click();
    await until(async () => (await read(owner.cookie, workspace.id)).includes('return a - b - 0;'));
    expect(await read(owner.cookie, workspace.id)).not.toContain('keep me');
  });
});
