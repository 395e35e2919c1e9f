// Shared setup for the scenario tests: a running Tandem with a scripted model, a browser, a workspace with
// members, and page helpers that read and type in the CodeMirror editor the way a user does.
import type { Browser, Page } from 'playwright-core';
import {
  client,
  launchBrowser,
  replay,
  searchReplaceBlock,
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

/**
 * Runs a task on `page` whose scripted model, after a pause, replaces `line` with `replacement`; meanwhile `other`
 * types `typed` at the end of that very line, and `page` sees it. The conflict a review has to show.
 */
export async function taskMeetsTyping(
  s: Stage,
  page: Page,
  other: Page,
  options: { path: string; line: string; replacement: string; typed: string; prompt: string },
) {
  s.llm.server.enqueue([
    replay.delay(2_500),
    replay.text(searchReplaceBlock(options.path, options.line, options.replacement), {
      chunks: 4,
      intervalMs: 100,
    }),
    replay.finish({ usage: { inputTokens: 500, outputTokens: 20 } }),
  ]);
  await page.getByLabel('Ask the AI to change the code').fill(options.prompt);
  await page.getByRole('button', { name: 'Run task' }).click();
  // The task has read the files once its context shows; the model is still pausing.
  await page
    .getByRole('list', { name: 'Task timeline' })
    .getByText('Context', { exact: true })
    .first()
    .waitFor();
  const trimmed = options.line.trim();
  await caretAfter(other, trimmed);
  await other.keyboard.type(options.typed);
  await waitForText(page, (t) => t.includes(trimmed + options.typed));
}

/** Sends a follow-up from the task panel on `page` and waits for revision `revision`'s proposal in the timeline. */
export async function sendFollowUp(page: Page, prompt: string, revision: number) {
  const form = page.getByRole('form', { name: 'Follow up on this task' });
  await form.getByLabel(`Follow up (makes revision ${String(revision)})`).fill(prompt);
  await form.getByRole('button', { name: 'Send follow-up' }).click();
  const timeline = page.getByRole('list', { name: 'Task timeline' });
  await timeline.getByText(`asked for revision ${String(revision)}: ${prompt}`, { exact: false }).waitFor();
  await timeline.getByText(new RegExp(`^Revision ${String(revision)}: `)).waitFor({ timeout: 30_000 });
  return timeline;
}

/**
 * A toast on `page` showing `text`. Radix also announces each toast in a visually hidden live region for a second;
 * a locator that can match that copy would wait for it to become visible, which it never does.
 */
export function toast(page: Page, text: string | RegExp) {
  return page.getByRole('region', { name: /^Notifications/ }).getByText(text);
}
