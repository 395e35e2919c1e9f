// Starting from a template: a new workspace from the workspaces page, and an empty workspace filled from its
// empty state, seen live by a teammate.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectNoAxeFindings } from '../harness.ts';
import { openAs, stage, team, type Stage } from '../scenario.ts';

describe('workspace templates', () => {
  let s: Stage;
  beforeAll(async () => {
    s = await stage();
  });
  afterAll(() => s.close());

  it('creates a workspace from a template, and fills an empty one from its empty state, live for a teammate', async () => {
    const { owner, workspace, members } = await team(s.tandem.url, {}, [{ name: 'Bo', role: 'editor' }]);
    const page = await openAs(s.browser, s.tandem.url, owner.cookie, '/');
    await page.getByLabel('New workspace').fill('Todo API');
    await page.getByLabel('Start from').selectOption({ label: 'Express API' });
    await page.getByText(/A JSON API on Express 5.* files; its checks pass as it comes\./).waitFor();
    await expectNoAxeFindings(page, 'workspaces page with a template chosen');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/w\/[0-9a-f-]+$/);
    const tree = page.getByRole('tree', { name: 'Files' });
    await tree.getByRole('treeitem', { name: 'package.json' }).waitFor();
    await tree.getByRole('treeitem', { name: 'src' }).waitFor();

    // The team's empty workspace: Bo watches while Ada picks a template in the empty state.
    const bo = await openAs(s.browser, s.tandem.url, members[0]?.cookie ?? '', `/w/${workspace.id}`);
    await bo.getByRole('heading', { name: 'No files yet' }).waitFor();
    await page.goto(`/w/${workspace.id}`);
    const files = page.getByRole('complementary', { name: 'Files' });
    await files.getByLabel('Or start from a template').selectOption({ label: 'TypeScript library' });
    await expectNoAxeFindings(page, 'empty workspace with a template chosen');
    await files.getByRole('button', { name: 'Add its files' }).click();
    await page.getByText(/^Added \d+ files from the template$/).waitFor();
    await tree.getByRole('treeitem', { name: 'tsconfig.json' }).waitFor();
    await bo.getByRole('tree', { name: 'Files' }).getByRole('treeitem', { name: 'tsconfig.json' }).waitFor();
  }, 90_000);
});
