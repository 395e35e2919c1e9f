// Shared setup for the scenario tests: a running Tandem with a scripted model, a browser, a workspace with
// members, and page helpers that read and type in the CodeMirror editor the way a user does.
import type { Browser, Page } from 'playwright-core';
import {
  client,
  launchBrowser,
  signUp,
  startLlm,
  startTandem,
  until,
  userContext,
  type Llm,
  type SignedUp,
  type Tandem,
} from './harness.ts';

export interface Stage {
  tandem: Tandem;
  llm: Llm;
  browser: Browser;
  close(): Promise<void>;
}

export async function stage(): Promise<Stage> {
  const llm = await startLlm();
  const tandem = await startTandem({ llm: llm.llm });
  const browser = await launchBrowser();
  return {
    tandem,
    llm,
    browser,
    close: async () => {
      await browser.close();
      await tandem.stop();
      await llm.close();
    },
  };
}

export type Role = 'owner' | 'editor' | 'reviewer';

/** An owner's workspace with the given files, and members who joined through invites. */
export async function team(
  url: string,
  files: Record<string, string>,
  others: { name: string; role: Exclude<Role, 'owner'> }[] = [],
) {
  const owner = await signUp(url, { name: 'Ada' });
  const api = client(url, owner.cookie);
  const workspace = await api.workspace.create.mutate({ name: 'Checkout service' });
  for (const [path, content] of Object.entries(files)) {
    await api.file.create.mutate({ workspaceId: workspace.id, path, content });
  }
  const members: (SignedUp & { role: Role })[] = [];
  for (const other of others) {
    const user = await signUp(url, { name: other.name });
    const invite = await api.workspace.invite.create.mutate({ workspaceId: workspace.id, role: other.role });
    await client(url, user.cookie).workspace.invite.accept.mutate({ token: invite.token });
    members.push({ ...user, role: other.role });
  }
  return { owner, api, workspace, members };
}

export async function openAs(browser: Browser, url: string, cookie: string, path: string): Promise<Page> {
  const context = await userContext(browser, url, cookie);
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

export function editor(page: Page, path: string) {
  return page.getByRole('textbox', { name: `Editor for ${path}` });
}

/**
 * The editor's document as lines joined by newlines (CodeMirror renders one element per line), without the
 * name labels of remote carets that sit inside the lines.
 */
export function editorText(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.cm-editor:not(.cm-merge-a):not(.cm-merge-b) .cm-content .cm-line')]
      .map((line) => {
        const copy = line.cloneNode(true) as Element;
        for (const widget of copy.querySelectorAll('.cm-ySelectionCaret, .cm-ySelectionInfo'))
          widget.remove();
        return copy.textContent;
      })
      .join('\n'),
  );
}

export async function waitForText(page: Page, predicate: (text: string) => boolean, timeoutMs = 15_000) {
  return until(async () => {
    const text = await editorText(page);
    return predicate(text) ? text : null;
  }, timeoutMs);
}

/** Puts the caret at the end of the line containing `marker` (a real click, then End). */
export async function caretAfter(page: Page, marker: string) {
  await page.locator('.cm-content .cm-line', { hasText: marker }).first().click();
  await page.keyboard.press('End');
}
