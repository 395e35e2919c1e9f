// "Run checks" in the browser: an editor presses it, and a reviewer in another browser sees the same run stream in
// — which check is running, what the tests print, and the verdict — without being able to start one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectAccessible, replay, saveScreenshot, searchReplaceBlock } from '../harness.ts';
import { editor, openAs, stage, team, type Stage } from '../scenario.ts';

const FILES = {
  'package.json': JSON.stringify(
    { name: 'checkout', type: 'module', scripts: { test: 'node --test' } },
    null,
    2,
  ),
  'test/price.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "test('rounds prices', () => { console.log('checking rounding'); assert.equal(Math.round(1.005 * 100), 101); });",
    '',
  ].join('\n'),
};

describe('checks', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('an editor runs the checks and a reviewer in another browser watches the result stream in', async () => {
    const { owner, workspace, members } = await team(s.tandem.url, FILES, [
      { name: 'Rita', role: 'reviewer' },
    ]);
    const rita = members[0];
    if (!rita) throw new Error('no reviewer');
    const path = `/w/${workspace.id}`;
    const ada = await openAs(s.browser, s.tandem.url, owner.cookie, path);
    const reviewer = await openAs(s.browser, s.tandem.url, rita.cookie, path);
    const adaChecks = ada.getByRole('region', { name: 'Checks' });
    const ritaChecks = reviewer.getByRole('region', { name: 'Checks' });
    await ritaChecks.getByText('No checks have run here yet', { exact: false }).waitFor();
    // Reviewers watch; only editors and owners start runs.
    expect(await ritaChecks.getByRole('button', { name: 'Run checks' }).count()).toBe(0);

    await adaChecks.getByRole('button', { name: 'Run checks' }).click();

    // The reviewer's panel follows the run Ada started: the tests' own output, then the verdict.
    const tests = ritaChecks.locator('[data-check="test"]');
    await tests.getByText('checking rounding', { exact: false }).waitFor({ timeout: 60_000 });
    await ritaChecks.locator('[data-state="failed"]').waitFor({ timeout: 60_000 });
    expect(await tests.getAttribute('data-status')).toBe('failed');
    await tests.getByRole('status', { name: /^Tests: Failed/ }).waitFor();
    expect(await tests.locator('pre').textContent()).toContain('rounds prices');
    // Ada sees the same verdict, and the button is back for the next run.
    await adaChecks.locator('[data-state="failed"]').waitFor();
    await adaChecks.getByRole('button', { name: 'Run checks' }).waitFor();
    await expectAccessible(reviewer, 'checks panel');
    await saveScreenshot(reviewer, 'checks-reviewer');
  });

  it('shows a flagged change with its finding in the review and asks before accepting it', async () => {
    const path = 'src/handler.ts';
    const before = 'export const handle = (req: { query: { x: string } }) => req.query.x;\n';
    const { owner, workspace } = await team(s.tandem.url, { [path]: before });
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, `/w/${workspace.id}?file=${path}`);
    await editor(page, path).waitFor();
    // The model insists on the same risky change through every reflection round the finding causes.
    const reply = searchReplaceBlock(
      path,
      'export const handle = (req: { query: { x: string } }) => req.query.x;',
      'export const handle = (req: { query: { x: string } }) => eval(req.query.x);',
    );
    for (let round = 0; round <= 3; round++) s.llm.server.enqueue([replay.text(reply)]);
    await page.getByLabel('Ask the AI to change the code').fill('Evaluate what they send');
    await page.getByRole('button', { name: 'Run task' }).click();
    await page.getByRole('button', { name: 'Review changes' }).click({ timeout: 80_000 });
    const review = page.getByRole('region', { name: `Review ${path}` });
    await review.waitFor();
    // The proposal's checks, and the finding on the change it falls in.
    const checks = page.getByRole('region', { name: 'Checks of this proposal' });
    await checks.locator('[data-check="security"][data-status="failed"]').waitFor();
    const hunk = review
      .getByRole('list', { name: `Hunks in ${path}` })
      .locator(':scope > li')
      .first();
    await hunk.getByText('Flagged by checks').waitFor();
    await hunk
      .getByRole('list', { name: /^Findings on/ })
      .getByText('security/detect-eval-with-expression', { exact: false })
      .waitFor();
    await expectAccessible(page, 'review with findings');
    await saveScreenshot(page, 'review-findings');

    // Accepting asks first; Cancel leaves the file alone.
    await hunk.getByRole('button', { name: /^Accept/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Accept changes the checks flagged?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const api = client(s.tandem.url, owner.cookie);
    const read = async () => {
      const file = await api.file.read.query({ workspaceId: workspace.id, path });
      return file.binary ? '' : file.content;
    };
    expect(await read()).toBe(before);
    await hunk.getByRole('button', { name: /^Accept/ }).click();
    await dialog.getByRole('button', { name: 'Accept anyway' }).click();
    await hunk.getByText('by you').waitFor();
    expect(await read()).toContain('eval(req.query.x)');
  });
});
