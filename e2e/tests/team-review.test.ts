// The whole review story with three people in three browsers: the owner runs a task while an editor types on the
// line it will replace; the conflict shows before anyone accepts and names her; a reviewer comments and requests
// changes; the owner keeps the editor's text and follows up; revision 2 needs an approval of its own, gets it, is
// accepted, and is rolled back to the text as it was, the editor's typing kept throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, replay, searchReplaceBlock, until } from '../harness.ts';
import {
  editor,
  openAs,
  sendFollowUp,
  stage,
  taskMeetsTyping,
  team,
  toast,
  waitForText,
  type Stage,
} from '../scenario.ts';

const PATH = 'src/math.ts';
const FILE = [
  'export function add(a: number, b: number) {',
  '  return a + b;',
  '}',
  '',
  'export function sub(a: number, b: number) {',
  '  return a - b;',
  '}',
  '',
].join('\n');

describe('team review', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('walks a conflicted task through comments, a follow-up, an approval, accepting and rollback', async () => {
    const { owner, api, workspace, members } = await team(s.tandem.url, { [PATH]: FILE }, [
      { name: 'Eve', role: 'editor' },
      { name: 'Rita', role: 'reviewer' },
    ]);
    const [eve, rita] = members;
    if (!eve || !rita) throw new Error('no team');
    await client(s.tandem.url, owner.cookie).review.setRequireApproval.mutate({
      workspaceId: workspace.id,
      requireApproval: true,
    });
    const read = async () => {
      const file = await api.file.read.query({ workspaceId: workspace.id, path: PATH });
      return file.binary ? '' : file.content;
    };

    const filePath = `/w/${workspace.id}?file=${PATH}`;
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, filePath);
    const evePage = await openAs(s.browser, s.tandem.url, eve.cookie, filePath);
    await editor(ada, PATH).waitFor();
    await editor(evePage, PATH).waitFor();

    // 1. Ada runs a task; while the model is still thinking, Eve types on the very line it will replace.
    await taskMeetsTyping(s, ada, evePage, {
      path: PATH,
      line: '  return a - b;',
      replacement: '  return a - b - 0;',
      typed: ' // keep me',
      prompt: 'Make sub explicit',
    });
    const withEve = FILE.replace('return a - b;', 'return a - b; // keep me');

    // 2. The review shows the conflict before anyone accepted, with both texts, and names Eve; Rita sees the same.
    await ada.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    const label = `change 1 of 1 in ${PATH}`;
    const adaChange = ada.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Would conflict` });
    const conflict = adaChange.getByRole('group', { name: `Resolve conflict in ${label}` });
    await conflict.getByText('return a - b; // keep me').waitFor();
    await conflict.getByText('return a - b - 0;').waitFor();
    await conflict.getByText('Eve changed these lines after the task read them', { exact: false }).waitFor();
    await ada.getByText('1 change would conflict with what people typed').waitFor();
    const [task] = await api.task.list.query({ workspaceId: workspace.id });
    if (!task) throw new Error('no task');
    expect(
      (await api.task.get.query({ taskId: task.id })).changeset?.files[0]?.hunks.map((h) => h.status),
    ).toEqual(['pending']);
    await expectAccessible(ada, 'conflicted review');

    const ritaPage = await openAs(
      s.browser,
      s.tandem.url,
      rita.cookie,
      `/w/${workspace.id}?task=${task.id}&review=1`,
    );
    const ritaChange = ritaPage.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Would conflict` });
    const ritaConflict = ritaChange.getByRole('group', { name: `Resolve conflict in ${label}` });
    await ritaConflict.getByText('return a - b; // keep me').waitFor();
    await ritaConflict.getByText('return a - b - 0;').waitFor();
    await ritaConflict
      .getByText('Eve changed these lines after the task read them', { exact: false })
      .waitFor();
    await ritaPage.getByText('read-only review').waitFor();

    // 3. Rita comments on the change and requests changes; Ada sees both live, and accepting is refused.
    const comment = 'Keep the comment Eve wrote; make add read b first instead.';
    await ritaChange.getByRole('button', { name: `Comment on ${label}` }).click();
    await ritaChange.getByRole('combobox', { name: 'Where' }).selectOption({ index: 1 });
    await ritaChange.getByRole('textbox', { name: `Comment on ${label}` }).fill(comment);
    await ritaChange.getByRole('button', { name: 'Comment', exact: true }).click();
    await adaChange
      .getByRole('article', { name: /^Comment by Rita on / })
      .getByText(comment)
      .waitFor();
    await ritaPage
      .getByRole('region', { name: 'Verdicts' })
      .getByRole('button', { name: 'Request changes' })
      .click();
    const adaVerdicts = ada.getByRole('region', { name: 'Verdicts' });
    await adaVerdicts
      .getByRole('list', { name: 'Current verdicts' })
      .getByText('Rita requested changes')
      .waitFor();
    const requested = 'A reviewer requested changes; they must approve before the changes can be accepted.';
    await adaVerdicts.getByText(requested).waitFor();
    const acceptAll = ada.getByRole('button', { name: 'Accept all' });
    await until(
      async () => (await acceptAll.isDisabled()) && (await acceptAll.getAttribute('title')) === requested,
    );
    // Taking the task's text would apply it, so it waits for the approval too; keeping the current text does not.
    expect(await conflict.getByRole('button', { name: `Take task's text in ${label}` }).isDisabled()).toBe(
      true,
    );

    // 4. Ada keeps Eve's text, then asks for a revision that answers the review.
    await conflict.getByRole('button', { name: `Keep current text in ${label}` }).click();
    await ada.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Rejected` }).waitFor();
    await ritaPage.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Rejected` }).waitFor();
    expect(await read()).toBe(withEve);

    s.llm.server.enqueue([
      replay.text(
        'Leaving sub as Eve wrote it and putting b first in add.\n' +
          searchReplaceBlock(PATH, '  return a + b;', '  return b + a;'),
      ),
    ]);
    const timeline = await sendFollowUp(ada, 'Address the review comments', 2);
    await timeline.getByText(/^Revision 2: 1 hunk in 1 file/).waitFor();
    // The model was shown Rita's open comment and the live text with Eve's typing.
    const asked = s.llm.server.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)?.rawBody;
    expect(asked).toContain('Address the review comments');
    expect(asked).toContain(comment);
    expect(asked).toContain('return a - b; // keep me');

    // 5. The review shows revision 2, which needs an approval of its own: Rita's request was on revision 1.
    const review = ada.getByRole('region', { name: 'Review changes' });
    await review.getByText('revision 2', { exact: true }).waitFor();
    const adaHunk = ada.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Pending` });
    await adaHunk.getByText('return b + a;').first().waitFor();
    expect(
      await ada
        .getByRole('list', { name: `Hunks in ${PATH}` })
        .locator(':scope > li')
        .count(),
    ).toBe(1);
    // Rita's comment was on revision 1's change: it stays with that change, not on revision 2's.
    await ada
      .getByRole('region', { name: 'Comments on earlier revisions' })
      .getByRole('article', { name: /^Comment by Rita on / })
      .waitFor();
    expect(await adaHunk.getByRole('article', { name: /^Comment by Rita on / }).count()).toBe(0);
    const ownApproval =
      'Revision 2 needs an approval of its own: verdicts on earlier revisions do not carry over.';
    await adaVerdicts.getByText(ownApproval).waitFor();
    await adaVerdicts.getByText('No verdicts on revision 2 yet').waitFor();
    await until(
      async () => (await acceptAll.isDisabled()) && (await acceptAll.getAttribute('title')) === ownApproval,
    );
    const acceptOne = adaHunk.getByRole('button', { name: `Accept ${label}` });
    expect(await acceptOne.isDisabled()).toBe(true);
    expect(await acceptOne.getAttribute('title')).toBe(ownApproval);

    const ritaVerdicts = ritaPage.getByRole('region', { name: 'Verdicts' });
    await ritaPage
      .getByRole('region', { name: 'Review changes' })
      .getByText('revision 2', { exact: true })
      .waitFor();
    await ritaPage
      .getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Pending` })
      .getByText('return b + a;')
      .first()
      .waitFor();
    await ritaVerdicts.getByText('No verdicts on revision 2 yet').waitFor();
    await ritaVerdicts.getByRole('button', { name: 'Approve' }).click();
    await adaVerdicts.getByRole('list', { name: 'Current verdicts' }).getByText('Rita approved').waitFor();
    await adaVerdicts.getByText('Approved: the changes may be accepted').waitFor();
    await until(async () => !(await acceptAll.isDisabled()));
    expect(await acceptOne.isDisabled()).toBe(false);
    await expectAccessible(ada, 'approved revision 2');
    await expectAccessible(ritaPage, "reviewer's approved revision 2");

    const accepted = withEve.replace('return a + b;', 'return b + a;');
    await acceptAll.click();
    await until(async () => (await read()) === accepted);
    await ada.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Applied` }).waitFor();
    expect((await api.task.get.query({ taskId: task.id })).state).toBe('applied');

    // 6. Rolling back asks first and restores the text as it was before the accept, Eve's typing included.
    await ada.getByRole('button', { name: 'Roll back task' }).click();
    const dialog = ada.getByRole('dialog', { name: 'Roll back this task?' });
    await dialog.getByText(`Takes 1 applied change back out of 1 file (${PATH})`).waitFor();
    await dialog.getByRole('button', { name: 'Roll back 1 change' }).click();
    await toast(ada, 'Task rolled back').waitFor();
    await until(async () => (await read()) === withEve);
    await waitForText(evePage, (t) => t.includes('return a + b;') && t.includes('return a - b; // keep me'));
  });
});
