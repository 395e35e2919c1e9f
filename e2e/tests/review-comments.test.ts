// Reviewers review, in three browsers: the owner requires an approval, a reviewer comments on a change and an editor
// sees it live and answers; accepting stays refused (and says why) until the reviewer approves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, replay, saveScreenshot, searchReplaceBlock, until } from '../harness.ts';
import { caretAfter, editor, openAs, stage, team, type Stage } from '../scenario.ts';

const PATH = 'src/math.ts';
const FILE = ['export function add(a: number, b: number) {', '  return a + b;', '}', ''].join('\n');

describe('review comments and approvals', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('a reviewer comments on a change, the editor sees it live, and accepting waits for the approval', async () => {
    const { owner, api, workspace, members } = await team(s.tandem.url, { [PATH]: FILE }, [
      { name: 'Eve', role: 'editor' },
      { name: 'Rita', role: 'reviewer' },
    ]);
    const [eve, rita] = members;
    if (!eve || !rita) throw new Error('no team');

    // The owner turns the policy on where the workspace is managed.
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}`);
    await ada.getByRole('button', { name: 'Share' }).click();
    const share = ada.getByRole('dialog', { name: /^Share/ });
    const policy = share.getByRole('checkbox', { name: 'Require an approval before changes are accepted' });
    await policy.check();
    await until(async () => (await api.workspace.get.query({ workspaceId: workspace.id })).requireApproval);
    await expectAccessible(ada, 'share dialog with the review policy');
    await ada.keyboard.press('Escape');

    s.llm.server.enqueue([replay.text(searchReplaceBlock(PATH, '  return a + b;', '  return b + a;'))]);
    const { taskId } = await api.task.create.mutate({
      workspaceId: workspace.id,
      prompt: 'Swap the operands',
    });
    await until(async () => (await api.task.get.query({ taskId })).state === 'proposed', 30_000);

    const reviewPath = `/w/${workspace.id}?task=${taskId}&review=1`;
    const editorPage = await openAs(s.browser, s.tandem.url, eve.cookie, reviewPath);
    const reviewerPage = await openAs(s.browser, s.tandem.url, rita.cookie, reviewPath);
    const label = `change 1 of 1 in ${PATH}`;
    const editorHunk = editorPage.getByRole('region', { name: `Review ${PATH}` }).locator('li[data-hunk]');
    const reviewerHunk = reviewerPage
      .getByRole('region', { name: `Review ${PATH}` })
      .locator('li[data-hunk]');
    await editorHunk.waitFor();
    await reviewerHunk.waitFor();

    // Accepting is refused before anyone approved, and says why.
    const acceptAll = editorPage.getByRole('button', { name: 'Accept all' });
    expect(await acceptAll.isDisabled()).toBe(true);
    expect(await editorHunk.getByRole('button', { name: `Accept ${label}` }).isDisabled()).toBe(true);
    await editorPage
      .getByRole('region', { name: 'Verdicts' })
      .getByText('This workspace requires an approval before changes are accepted.')
      .waitFor();

    // The reviewer comments on a line of the change.
    await reviewerHunk.getByRole('button', { name: `Comment on ${label}` }).click();
    await reviewerHunk.getByRole('combobox', { name: 'Where' }).selectOption({ index: 1 });
    await reviewerHunk
      .getByRole('textbox', { name: `Comment on ${label}` })
      .fill('Why swap them? Addition commutes.');
    await reviewerHunk.getByRole('button', { name: 'Comment', exact: true }).click();

    // The editor sees it arrive without reloading, and answers.
    const thread = editorHunk.getByRole('article', { name: /^Comment by Rita on line 1/ });
    await thread.getByText('Why swap them? Addition commutes.').waitFor();
    await thread.getByRole('textbox', { name: 'Reply to Rita' }).fill('Style: the house rule puts b first.');
    await thread.getByRole('button', { name: 'Reply' }).click();
    await reviewerHunk.getByText('Style: the house rule puts b first.').waitFor();
    await expectAccessible(reviewerPage, 'review with a comment thread');
    await saveScreenshot(reviewerPage, 'review-comments');

    // The reviewer resolves the thread and approves; the editor sees both live, and can accept now.
    await reviewerHunk.getByRole('button', { name: 'Resolve' }).click();
    await editorHunk.getByRole('article', { name: /, resolved$/ }).waitFor();
    const ritaVerdicts = reviewerPage.getByRole('region', { name: 'Verdicts' });
    await ritaVerdicts.getByRole('textbox', { name: 'Note with your verdict (optional)' }).fill('Reads well');
    await ritaVerdicts.getByRole('button', { name: 'Approve' }).click();
    const verdicts = editorPage.getByRole('list', { name: 'Current verdicts' });
    await verdicts.getByText('Rita approved').waitFor();
    await verdicts.getByText('“Reads well”').waitFor();
    await editorPage.getByText('Approved: the changes may be accepted').waitFor();
    await until(async () => !(await acceptAll.isDisabled()));
    await expectAccessible(editorPage, 'approved review');
    await acceptAll.click();
    await until(async () => {
      const file = await client(s.tandem.url, eve.cookie).file.read.query({
        workspaceId: workspace.id,
        path: PATH,
      });
      return !file.binary && file.content.includes('return b + a;');
    });
    // The decisions are in the task's timeline for everyone.
    const events = await api.task.get.query({ taskId });
    expect(events.state).toBe('applied');
  });

  it('keeps a comment on a live file line on that line while an editor types above it', async () => {
    const { members, workspace } = await team(s.tandem.url, { [PATH]: FILE }, [
      { name: 'Eve', role: 'editor' },
      { name: 'Rita', role: 'reviewer' },
    ]);
    const [eve, rita] = members;
    if (!eve || !rita) throw new Error('no team');
    const filePath = `/w/${workspace.id}?file=${PATH}`;
    const reviewerPage = await openAs(s.browser, s.tandem.url, rita.cookie, filePath);
    const editorPage = await openAs(s.browser, s.tandem.url, eve.cookie, filePath);
    await editor(reviewerPage, PATH).waitFor();
    await editor(editorPage, PATH).waitFor();

    const comments = reviewerPage.getByRole('region', { name: `Comments on ${PATH}` });
    await comments.getByRole('button', { name: /^Comments/ }).click();
    await comments.getByRole('spinbutton', { name: 'Line' }).fill('2');
    await comments.getByRole('textbox', { name: 'Comment on this line' }).fill('Overflow on large inputs?');
    await comments.getByRole('button', { name: 'Comment', exact: true }).click();
    await comments.getByText('On line 2', { exact: true }).waitFor();

    // Eve adds two lines above it; Rita's comment follows its line.
    await caretAfter(editorPage, 'export function add');
    await editorPage.keyboard.press('Home');
    await editorPage.keyboard.type('// first\n// second\n');
    await comments.getByText('On line 4', { exact: true }).waitFor();
    await expectAccessible(reviewerPage, 'live file comments');

    // Eve sees the thread too, and resolves it; Rita sees that live.
    const eveComments = editorPage.getByRole('region', { name: `Comments on ${PATH}` });
    await eveComments.getByRole('button', { name: /^Comments \(1 open of 1\)/ }).click();
    await eveComments.getByText('Overflow on large inputs?').waitFor();
    await eveComments.getByRole('button', { name: 'Resolve' }).click();
    await comments.getByRole('article', { name: /, resolved$/ }).waitFor();
  });
});
