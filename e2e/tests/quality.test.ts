// Task quality in a real browser: a member rates a finished task with the thumbs in its timeline (a new rating
// replaces theirs), and the admin console's Quality tab charts the model's completion against the 90% target, with
// the numbers in a table under the chart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, replay, saveScreenshot, searchReplaceBlock, until } from '../harness.ts';
import { editor, openAs, stage, team, type Stage } from '../scenario.ts';

const PATH = 'src/math.ts';
const FILE = ['export function add(a: number, b: number) {', '  return a + b;', '}', ''].join('\n');

describe('task quality', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('rates a finished task and charts quality per model in the admin console', async () => {
    // The first account of the instance is its admin.
    const { owner, workspace } = await team(s.tandem.url, { [PATH]: FILE }, []);
    const api = client(s.tandem.url, owner.cookie);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${PATH}`);
    await editor(page, PATH).waitFor();
    s.llm.server.enqueue([replay.text(searchReplaceBlock(PATH, '  return a + b;', '  return b + a;'))]);
    await page.getByLabel('Ask the AI to change the code').fill('Swap the operands');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).waitFor({ timeout: 30_000 });

    const rating = page.getByRole('group', { name: 'Rate this task' });
    await rating.getByRole('button', { name: /^Thumbs up\s*0$/ }).click();
    const up = rating.getByRole('button', { name: /^Thumbs up\s*1$/ });
    await up.waitFor();
    expect(await up.getAttribute('aria-pressed')).toBe('true');
    const [task] = await api.task.list.query({ workspaceId: workspace.id });
    if (!task) throw new Error('no task');
    expect(await api.task.ratings.query({ taskId: task.id })).toMatchObject({ up: 1, down: 0 });

    // Changing one's mind replaces the rating, with a note this time.
    await rating.getByLabel('Note with your rating (optional)').fill('Swapped the wrong thing.');
    await rating.getByRole('button', { name: /^Thumbs down\s*0$/ }).click();
    await rating.getByRole('button', { name: /^Thumbs down\s*1$/ }).waitFor();
    expect(await rating.getByRole('button', { name: /^Thumbs up\s*0$/ }).getAttribute('aria-pressed')).toBe(
      'false',
    );
    expect(await api.task.ratings.query({ taskId: task.id })).toEqual({
      up: 0,
      down: 1,
      mine: { rating: 'down', note: 'Swapped the wrong thing.' },
    });
    await expectAccessible(page, 'task rating');

    await page.goto('/admin');
    await page.getByRole('tab', { name: 'Quality' }).click();
    const chart = page.getByRole('img', { name: /Completion rate per model and day/ });
    await chart.waitFor();
    // One model, one day with a point, and the dashed target line at 90%.
    expect(await chart.locator('[data-series="replay-model"] circle').count()).toBe(1);
    expect(await chart.locator('[data-target="0.9"]').count()).toBe(1);
    await chart.getByText('Target 90%').waitFor();
    const table = page.getByRole('table', { name: 'Task quality per model and day' });
    const row = table.getByRole('row').filter({ hasText: 'replay-model' });
    await until(async () => (await row.count()) === 1);
    const cells = await row.getByRole('cell').allInnerTexts();
    // Model, day, tasks, completed, first round, survived (none decided yet), ratings.
    expect(cells.slice(2, 6)).toEqual(['1', '100%', '100%', '—']);
    expect(cells[6]).toContain('1');
    await page.getByLabel('Measure').selectOption({ label: 'First-round pass rate' });
    await page.getByRole('img', { name: /First-round pass rate per model and day/ }).waitFor();
    expect(await page.locator('[data-target]').count()).toBe(0);
    await saveScreenshot(page, 'admin-quality');
    await expectAccessible(page, 'admin quality');
  });
});
