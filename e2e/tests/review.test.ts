// Deciding a proposal hunk by hunk, rolling the task back, and resolving a conflict with what a human typed
// while the task ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, replay, saveScreenshot, searchReplaceBlock, until } from '../harness.ts';
import {
  caretAfter,
  editor,
  openAs,
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

    // Rolling back asks first, says what it will do, and does nothing when cancelled.
    await page.getByRole('button', { name: 'Roll back task' }).click();
    let dialog = page.getByRole('dialog', { name: 'Roll back this task?' });
    await dialog.getByText(`Takes 1 applied change back out of 1 file (${PATH})`).waitFor();
    await expectAccessible(page, 'rollback confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await read(owner.cookie, workspace.id)).toBe(decided);
    await page.getByRole('button', { name: 'Roll back task' }).click();
    dialog = page.getByRole('dialog', { name: 'Roll back this task?' });
    await dialog.getByRole('button', { name: 'Roll back 1 change' }).click();
    await toast(page, 'Task rolled back').waitFor();
    await until(async () => (await read(owner.cookie, workspace.id)) === FILE);

    // The decided review still shows every change: what was proposed and applied, what was rejected, by whom.
    await hunks
      .nth(0)
      .getByText(/^Rolled back by you at/)
      .waitFor();
    await hunks
      .nth(0)
      .getByText(/^Applied by you at/)
      .waitFor();
    await hunks.nth(0).getByText('return b + a;').waitFor();
    await hunks
      .nth(1)
      .getByText(/^Rejected by you at/)
      .waitFor();
    await hunks
      .nth(1)
      .getByText(/export const name = "TANDEM";/)
      .waitFor();
    // The review's address survives a reload; the decided review is read back from the server.
    await page.reload();
    await hunks.nth(0).getByText('return b + a;').waitFor();
    await hunks
      .nth(1)
      .getByText(/^Rejected by you at/)
      .waitFor();
    await page.getByRole('button', { name: 'Back to editor' }).click();
    await waitForText(page, (t) => t.includes('return a + b;'));
  });

  it('shows a partial proposal plainly, with the edits that could not be applied and why', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE }, []);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    // One edit applies; the other names lines the file does not have, in the answer and in every reflection round.
    const missing = searchReplaceBlock(PATH, '  return a * b;', '  return a / b;');
    s.llm.server.enqueue([
      replay.text(searchReplaceBlock(PATH, '  return a + b;', '  return b + a;') + missing),
    ]);
    for (let round = 0; round < 3; round++) s.llm.server.enqueue([replay.text(missing)]);
    await page.getByLabel('Ask the AI to change the code').fill('Swap add and make a quotient');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 60_000 });
    const notice = page.getByRole('region', {
      name: "Partial proposal: 1 of the model's edits could not be applied",
    });
    await notice.waitFor();
    await notice
      .getByRole('list', { name: 'Edits that could not be applied' })
      .getByText(`The SEARCH text does not match any lines in ${PATH}.`)
      .waitFor();
    await expectAccessible(page, 'partial proposal');
    const hunks = page.getByRole('list', { name: `Hunks in ${PATH}` }).locator(':scope > li');
    expect(await hunks.count()).toBe(1);
  });

  it('moves and decides with the keyboard, wraps long lines side by side, and asks before rejecting everything', async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE }, []);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await page.setViewportSize({ width: 1440, height: 900 });
    await editor(page, PATH).waitFor();
    const long = `  return a + b; // ${'a long explanation of why the operands are swapped, '.repeat(4)}`;
    s.llm.server.enqueue([
      replay.text(
        searchReplaceBlock(PATH, '  return a + b;', long) +
          searchReplaceBlock(PATH, '  return a - b;', '  return -(b - a);') +
          searchReplaceBlock(PATH, 'export const name = "tandem";', 'export const name = "duo";'),
      ),
    ]);
    await page.getByLabel('Ask the AI to change the code').fill('Rewrite all three');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    const hunks = page.getByRole('list', { name: `Hunks in ${PATH}` }).locator(':scope > li');
    const statuses = () => hunks.evaluateAll((items) => items.map((li) => li.getAttribute('data-status')));
    await hunks.first().waitFor();
    expect(await statuses()).toEqual(['pending', 'pending', 'pending']);

    // Side by side, the long line wraps inside its pane instead of running off the edge.
    await page.getByRole('button', { name: 'Side by side' }).click();
    const after = hunks.first().getByLabel('After accepting', { exact: true });
    await after.waitFor();
    const overflow = (el: Element) => el.scrollWidth - el.clientWidth;
    expect(await after.evaluate(overflow)).toBeLessThanOrEqual(1);
    await page.getByLabel('Wrap long lines').uncheck();
    expect(await after.evaluate(overflow)).toBeGreaterThan(100);
    await expectAccessible(page, 'side-by-side review');

    // J moves to the next change, A accepts it, K goes back, R rejects.
    await hunks.first().focus();
    await page.keyboard.press('j');
    await expect.poll(() => hunks.nth(1).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('a');
    await until(async () => (await statuses())[1] === 'applied');
    await page.keyboard.press('k');
    await page.keyboard.press('r');
    await until(async () => (await statuses())[0] === 'rejected');
    expect(await read(owner.cookie, workspace.id)).toBe(FILE.replace('"tandem"', '"duo"'));

    // Reject all asks first and says what it will do; Escape leaves everything as it was.
    await page.getByRole('button', { name: 'Reject all', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject all open changes?' });
    await dialog.getByText(`Rejects 1 open change in 1 file (${PATH}) for everyone`).waitFor();
    await expectAccessible(page, 'reject-all confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await statuses()).toEqual(['rejected', 'applied', 'pending']);
    await page.getByRole('button', { name: 'Reject all', exact: true }).click();
    await dialog.getByRole('button', { name: 'Reject 1 change' }).click();
    await until(async () => (await statuses())[2] === 'rejected');
    expect(await read(owner.cookie, workspace.id)).toBe(FILE.replace('"tandem"', '"duo"'));
  });

  it("shows the model's explanation as the summary and keeps the latest event in view unless the reader scrolled up", async () => {
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE }, []);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    // Short enough that the timeline overflows its panel even when a loaded server streams the answer in fewer events.
    await page.setViewportSize({ width: 1440, height: 460 });
    await editor(page, PATH).waitFor();
    s.llm.server.enqueue([
      replay.text('Swapping the operands keeps the sum and reads better.\n\n', {
        chunks: 3,
        intervalMs: 100,
      }),
      replay.text(searchReplaceBlock(PATH, '  return a + b;', '  return b + a;'), {
        chunks: 4,
        intervalMs: 100,
      }),
      replay.finish({ usage: { inputTokens: 500, outputTokens: 40 } }),
    ]);
    await page.getByLabel('Ask the AI to change the code').fill('Swap the operands of add');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });
    const summary = page.getByRole('region', { name: 'Summary' });
    await summary.getByText('Swapping the operands keeps the sum and reads better.').waitFor();
    expect(await summary.textContent()).not.toContain('SEARCH');

    // The timeline is taller than the panel; it followed the run down to its last event.
    const timeline = page.getByRole('list', { name: 'Task timeline' });
    const items = timeline.locator(':scope > li');
    await timeline.evaluate((list) => {
      let scroller = list.parentElement;
      while (scroller && !['auto', 'scroll'].includes(getComputedStyle(scroller).overflowY))
        scroller = scroller.parentElement;
      scroller?.setAttribute('data-test-scroller', '');
    });
    const scroller = page.locator('[data-test-scroller]');
    const overflows = () => scroller.evaluate((el) => el.scrollHeight > el.clientHeight);
    // However few events a loaded server streamed the answer in, the window gets short enough for the timeline to
    // overflow; the view has to stay at the end while the panel shrinks.
    await page.getByRole('region', { name: 'Task' }).getByText('proposed', { exact: true }).first().waitFor();
    for (let height = 420; height >= 240 && !(await overflows()); height -= 60) {
      await page.setViewportSize({ width: 1440, height });
    }
    const lastVisible = async () => {
      const [box, view] = [await items.last().boundingBox(), await scroller.boundingBox()];
      return (
        !!box &&
        !!view &&
        (await overflows()) &&
        box.y >= view.y &&
        box.y + box.height <= view.y + view.height + 1
      );
    };
    // Followed to the end: the last event in view, or the panel scrolled to its very end (where the follow-up form
    // sits below the last event).
    const atEnd = () =>
      scroller.evaluate(
        (el) => el.scrollHeight > el.clientHeight && el.scrollHeight - el.scrollTop - el.clientHeight <= 1,
      );
    await until(async () => {
      if ((await lastVisible()) || (await atEnd())) return true;
      // Says what it saw, so a failure explains itself.
      const state = await scroller.evaluate(
        (el, count) => {
          const list = el.querySelector('[aria-label="Task timeline"]');
          const last = list?.lastElementChild?.getBoundingClientRect();
          const view = el.getBoundingClientRect();
          return {
            count,
            scrollTop: el.scrollTop,
            scrollHeight: el.scrollHeight,
            clientHeight: el.clientHeight,
            view: [view.top, view.bottom],
            last: last && [last.top, last.bottom],
            text: list?.lastElementChild?.textContent.slice(0, 80),
          };
        },
        await items.count(),
      );
      throw new Error(`the last event is out of view: ${JSON.stringify(state)}`);
    });
    // The task's actions stay in view above the followed timeline, uncovered: clicking one needs no scroll (which
    // the following would undo under the pointer).
    const review = page.getByRole('button', { name: 'Review changes' });
    const [button, view] = [await review.boundingBox(), await scroller.boundingBox()];
    expect(button && view && button.y >= view.y && button.y + button.height <= view.y + view.height).toBe(
      true,
    );
    expect(
      await review.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2));
      }),
    ).toBe(true);

    // Scrolled up to read the context, the reader stays there while new events arrive.
    await scroller.hover();
    await page.mouse.wheel(0, -100_000);
    await until(async () => (await scroller.evaluate((el) => el.scrollTop)) === 0);
    const before = await items.count();
    const tasks = await client(s.tandem.url, owner.cookie).task.list.query({ workspaceId: workspace.id });
    await client(s.tandem.url, owner.cookie).task.accept.mutate({ taskId: tasks[0]?.id ?? '' });
    await until(async () => (await items.count()) > before);
    expect(await scroller.evaluate((el) => el.scrollTop)).toBe(0);
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

  it('shows the conflict a second editor made while the task ran, with both texts, before anyone accepts, live for every member', async () => {
    const { owner, workspace, members } = await team(s.tandem.url, { [PATH]: FILE }, [
      { name: 'Eve', role: 'editor' },
    ]);
    const eve = members[0];
    if (!eve) throw new Error('no editor');
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    const evePage = await openAs(s.browser, s.tandem.url, eve.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    await editor(evePage, PATH).waitFor();
    // While the model streams, the other editor changes the very line the task will replace.
    await taskMeetsTyping(s, page, evePage, {
      path: PATH,
      line: '  return a - b;',
      replacement: '  return a - b - 0;',
      typed: ' // keep me',
      prompt: 'Make sub explicit',
    });

    // Opening the review: the change shows as a conflict with both texts, before anyone clicked Accept.
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    const change = page.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Would conflict` });
    await change.waitFor();
    const conflict = change.getByRole('group', { name: `Resolve conflict in change 1 of 1 in ${PATH}` });
    await conflict.getByText('return a - b; // keep me').waitFor();
    await conflict.getByText('return a - b - 0;').waitFor();
    // It names who changed the lines, from the document's history.
    await conflict.getByText('Eve changed these lines after the task read them', { exact: false }).waitFor();
    await page.getByText('1 change would conflict with what people typed').waitFor();
    await saveScreenshot(page, 'conflict-preview');
    await expectAccessible(page, 'conflict preview');
    const tasks = await client(s.tandem.url, owner.cookie).task.list.query({ workspaceId: workspace.id });
    const taskId = tasks[0]?.id ?? '';
    const stored = await client(s.tandem.url, owner.cookie).task.get.query({ taskId });
    expect(stored.changeset?.files[0]?.hunks.map((h) => h.status)).toEqual(['pending']);

    // The other editor sees the same, and it follows their typing live in everyone's review.
    const eveReview = await evePage.context().newPage();
    await eveReview.goto(`/w/${workspace.id}?file=${PATH}`);
    await eveReview.getByRole('button', { name: /Make sub explicit/ }).click();
    await eveReview.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    await eveReview
      .getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Would conflict` })
      .getByText('return a - b; // keep me')
      .waitFor();
    await caretAfter(evePage, 'keep me');
    await evePage.keyboard.type(' please');
    await conflict.getByText('return a - b; // keep me please').waitFor();
    await eveReview.getByText('return a - b; // keep me please').waitFor();

    // A merge by hand starts from the current text; the owner writes it and it replaces exactly what they saw.
    await conflict.getByRole('button', { name: `Merge by hand in change 1 of 1 in ${PATH}` }).click();
    const merged = conflict.getByLabel(`Merged text for change 1 of 1 in ${PATH}`);
    expect(await merged.inputValue()).toBe('  return a - b; // keep me please\n');
    await merged.fill('  return a - b - 0; // merged\n');
    await expectAccessible(page, 'merge by hand');
    await conflict.getByRole('button', { name: 'Use merged text' }).click();
    await until(async () => (await read(owner.cookie, workspace.id)).includes('return a - b - 0; // merged'));
    expect(await read(owner.cookie, workspace.id)).not.toContain('keep me');
    await page.getByRole('listitem', { name: `Change 1 of 1 in ${PATH}, Applied` }).waitFor();
    // Eve, whose text it replaced, is told in her session (in the toasts, not the screen reader's announcement).
    await toast(evePage, `Your text in ${PATH} was replaced`).waitFor();
    await toast(evePage, /^Ada settled a conflict/).waitFor();
  });

  it('keeps every decision button whole, in view and clickable in a 1024×700 window, unified and side by side', async () => {
    const deep = 'src/features/checkout/payment-providers/international/currency-conversion-rates.ts';
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE, [deep]: FILE }, []);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await page.setViewportSize({ width: 1024, height: 700 });
    await editor(page, PATH).waitFor();
    const long = `  return a + b; // ${'why the operands are swapped, at some length, '.repeat(3)}`;
    s.llm.server.enqueue([
      replay.text(
        searchReplaceBlock(PATH, '  return a + b;', long) +
          searchReplaceBlock(PATH, '  return a - b;', '  return -(b - a);') +
          searchReplaceBlock(deep, 'export const name = "tandem";', 'export const name = "duo";'),
      ),
    ]);
    await page
      .getByLabel('Ask the AI to change the code')
      .fill('Rewrite add and sub, and rename the app in the currency conversion rates module too');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 30_000 });
    const hunks = page.getByRole('listitem', { name: /^Change \d of \d in / });
    await hunks.first().waitFor();
    expect(await hunks.count()).toBe(3);

    const review = page.getByRole('region', { name: 'Review changes' });
    const buttons = [
      review.getByRole('button', { name: 'Accept all', exact: true }),
      review.getByRole('button', { name: 'Reject all', exact: true }),
      review.getByRole('button', { name: 'Roll back task' }),
      review.getByRole('button', { name: 'Back to editor' }),
      ...[PATH, deep].flatMap((path) => [
        review.getByRole('button', { name: `Show whole file ${path}` }),
        review.getByRole('button', { name: `Accept file (${path === PATH ? 2 : 1}) in ${path}` }),
        review.getByRole('button', { name: `Reject file (${path === PATH ? 2 : 1}) in ${path}` }),
      ]),
      ...[1, 2].flatMap((n) =>
        ['Accept', 'Reject'].map((verb) =>
          review.getByRole('button', { name: `${verb} change ${n} of 2 in ${PATH}`, exact: true }),
        ),
      ),
      ...['Accept', 'Reject'].map((verb) =>
        review.getByRole('button', { name: `${verb} change 1 of 1 in ${deep}`, exact: true }),
      ),
    ];
    /** Scrolled to (up or down only), the button lies inside the window and inside every box that clips it, its
     * label is not cut off, and nothing covers any part of it (the middle and each edge reach the button itself);
     * Playwright's trial click agrees it can be clicked. */
    const usable = async (button: (typeof buttons)[number], where: string) => {
      await button.scrollIntoViewIfNeeded();
      const problem = await button.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const name = el.getAttribute('aria-label') ?? el.textContent;
        if (box.width === 0 || box.height === 0) return `${name} has no size`;
        // (Within a pixel: scrolled into view, a box at a fractional position may end a fraction past the edge.)
        if (box.left < -1 || box.top < -1 || box.right > innerWidth + 1 || box.bottom > innerHeight + 1) {
          return `${name} is outside the window: ${JSON.stringify(box)}`;
        }
        if (el.scrollWidth > el.clientWidth + 1) return `${name}: its label is cut off`;
        for (let a = el.parentElement; a; a = a.parentElement) {
          const style = getComputedStyle(a);
          if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
          const where = `${a.tagName}.${a.className}`;
          if (a.scrollLeft !== 0) return `${name}: ${where} had to scroll sideways to show it`;
          const r = a.getBoundingClientRect();
          const [left, top] = [r.left + a.clientLeft, r.top + a.clientTop];
          if (
            box.left < left - 1 ||
            box.top < top - 1 ||
            box.right > left + a.clientWidth + 1 ||
            box.bottom > top + a.clientHeight + 1
          ) {
            return `${name} is cut off by ${where}`;
          }
        }
        // The middle, and just inside each edge (off the rounded corners, which hit-testing leaves out).
        const [x, y] = [box.left + box.width / 2, box.top + box.height / 2];
        const points: [number, number][] = [
          [x, y],
          [box.left + 3, y],
          [box.right - 3, y],
          [x, box.top + 3],
          [x, box.bottom - 3],
        ];
        for (const [px, py] of points) {
          const hit = document.elementFromPoint(px, py);
          if (!hit || !el.contains(hit)) {
            return `${name} is covered at ${px},${py} by ${hit?.outerHTML.slice(0, 120) ?? 'nothing'}`;
          }
        }
        return null;
      });
      expect(problem, where).toBeNull();
      // Roll back has nothing to take back yet: it is shown, disabled, and only has to fit.
      if (await button.isEnabled()) await button.click({ trial: true, timeout: 5_000 });
    };
    // Nothing in the review is wider than its pane.
    const content = review.locator('div.overflow-auto').first();
    const sideways = () => content.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(await sideways()).toBeLessThanOrEqual(0);
    // What the window shows, as someone at 1024×700 sees it.
    await saveScreenshot(page, 'diff-review-1024', { fullPage: false });
    for (const button of buttons) await usable(button, 'unified');
    // A change's Accept and Reject stay side by side, however the row wraps.
    const paired = async () => {
      for (const change of [
        `change 1 of 2 in ${PATH}`,
        `change 2 of 2 in ${PATH}`,
        `change 1 of 1 in ${deep}`,
      ]) {
        const [accept, reject] = await Promise.all(
          ['Accept', 'Reject'].map((verb) =>
            review.getByRole('button', { name: `${verb} ${change}`, exact: true }).boundingBox(),
          ),
        );
        expect(accept && reject && Math.abs(accept.y - reject.y) < 1 && accept.x < reject.x, change).toBe(
          true,
        );
      }
    };
    await paired();
    await page.getByRole('button', { name: 'Side by side' }).click();
    await hunks.first().getByLabel('After accepting', { exact: true }).waitFor();
    expect(await sideways()).toBeLessThanOrEqual(0);
    await saveScreenshot(page, 'diff-review-1024-side-by-side', { fullPage: false });
    for (const button of buttons) await usable(button, 'side by side');
    await paired();

    // And they work: the deep file's change is accepted from its own button, the rest rejected per file.
    await review.getByRole('button', { name: `Accept change 1 of 1 in ${deep}`, exact: true }).click();
    await page.getByRole('listitem', { name: `Change 1 of 1 in ${deep}, Applied` }).waitFor();
    await review.getByRole('button', { name: `Reject file (2) in ${PATH}` }).click();
    await until(
      async () =>
        (await page.getByRole('listitem', { name: new RegExp(`in ${PATH}, Rejected$`) }).count()) === 2,
    );
  });
});
