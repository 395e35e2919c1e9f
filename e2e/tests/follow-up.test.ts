// Continuing a task in the browser: run a task, send a follow-up from its timeline, review revision 2 against the
// live text and against revision 1, and accept it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, replay, searchReplaceBlock, until } from '../harness.ts';
import { editor, openAs, sendFollowUp, stage, team, type Stage } from '../scenario.ts';

const PATH = 'src/math.ts';
const FILE = [
  'export function add(a: number, b: number) {',
  '  return a + b;',
  '}',
  '',
  'export const name = "tandem";',
  '',
].join('\n');

describe('following up on a task', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('makes revision 2, compares it with revision 1, and accepts it', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE }, []);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    s.llm.server.enqueue([replay.text(searchReplaceBlock(PATH, '  return a + b;', '  return b + a;'))]);
    await page.getByLabel('Ask the AI to change the code').fill('Swap the operands');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });

    s.llm.server.enqueue([
      replay.text(
        'Also shouting the name.\n' +
          searchReplaceBlock(PATH, 'export const name = "tandem";', 'export const name = "TANDEM";'),
      ),
    ]);
    const timeline = await sendFollowUp(page, 'Also shout the name', 2);
    await timeline.getByText(/^Revision 2: 2 hunks in 1 file/).waitFor();
    // The summary is the latest revision's answer.
    await page.getByRole('region', { name: 'Summary' }).getByText('Also shouting the name.').waitFor();

    await page.getByRole('button', { name: 'Review changes' }).click();
    const review = page.getByRole('region', { name: 'Review changes' });
    await review.getByText('revision 2', { exact: true }).waitFor();
    // Against the live text: revision 1's change carried over, and the new one.
    const hunks = page.getByRole('list', { name: `Hunks in ${PATH}` }).locator(':scope > li');
    await until(async () => (await hunks.count()) === 2);

    // Against revision 1: only what the follow-up changed.
    await review.getByLabel('Compare revision 2 with').selectOption({ label: 'revision 1' });
    const compared = page.getByRole('region', { name: 'Revision 2 against revision 1' });
    await compared.getByText(/^\+ export const name = "TANDEM";$/).waitFor();
    await compared.getByText(/^- export const name = "tandem";$/).waitFor();
    expect(await compared.getByText('return b + a;').count()).toBe(0);
    await expectAccessible(page, 'revision comparison');

    await review.getByLabel('Compare revision 2 with').selectOption({ label: 'the live text' });
    await review.getByRole('button', { name: 'Accept all' }).click();
    const accepted = FILE.replace('return a + b;', 'return b + a;').replace('"tandem"', '"TANDEM"');
    await until(async () => {
      const file = await client(s.tandem.url, owner.cookie).file.read.query({
        workspaceId: workspace.id,
        path: PATH,
      });
      return !file.binary && file.content === accepted;
    });
  });
});
