// Language intelligence in a real browser: how long after a keystroke in a 2,000-line TypeScript file its type error
// shows (or goes), counted from the key to the squiggle in the page. Includes the editor's pause before it checks
// (the lint delay) and the language worker's answer for the lines on screen (the error is on the last line, where
// the caret is), which comes before the whole file's. Part of `pnpm bench web` (`WEB_BENCH_PARTS=language` alone).
import { client, type launchBrowser, userContext, type SignedUp } from '../e2e/harness.ts';
import { percentiles, round, type BenchResult } from './stats.ts';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

const LINES = 2000;
const KEYSTROKES = 20;
const PATH = 'src/big.ts';

/** About LINES lines of typed code, ending in a line where one more `n` makes a type error. */
function bigFile(): string {
  const lines = ['export interface Item {', '  id: number;', '  name: string;', '  tags: string[];', '}', ''];
  for (let f = 0; lines.length < LINES - 4; f++) {
    lines.push(`export function step${f}(items: Item[], limit = ${f + 1}): Item[] {`);
    lines.push(
      `  const kept = items.filter((item) => item.id % ${f + 2} !== 0 && item.tags.length < limit);`,
    );
    lines.push(`  return kept.map((item) => ({ ...item, name: item.name.trim() + '${f}' }));`, '}', '');
  }
  lines.push('const n = 1;', "const nn = 'text';", 'export const probe: number = n;', '');
  return lines.join('\n');
}

export async function languageBench(
  browser: Browser,
  url: string,
  ada: SignedUp,
): Promise<Record<string, BenchResult>> {
  const api = client(url, ada.cookie);
  const ws = await api.workspace.create.mutate({ name: 'Language' });
  await api.file.create.mutate({ workspaceId: ws.id, path: PATH, content: bigFile() });
  const page = await (await userContext(browser, url, ada.cookie)).newPage();
  await page.goto(`/w/${ws.id}?file=${PATH}`);
  await page.getByRole('textbox', { name: `Editor for ${PATH}` }).waitFor();
  // Record when the squiggle appears and goes, by the page's own clock.
  await page.evaluate(() => {
    const w = window as unknown as { changes: { error: boolean; at: number }[] };
    w.changes = [];
    const content = document.querySelector('.cm-content');
    if (!content) throw new Error('no editor');
    let error = false;
    new MutationObserver(() => {
      const now = content.querySelector('.cm-lintRange-error') !== null;
      if (now !== error) w.changes.push({ error: (error = now), at: performance.now() });
    }).observe(content, { subtree: true, childList: true, attributes: true });
  });
  await page.getByRole('textbox', { name: `Editor for ${PATH}` }).press('Control+End');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  // The first check loads the worker and the standard library: waited for, not counted.
  await page.keyboard.type('n');
  await page.waitForFunction(() => document.querySelector('.cm-lintRange-error') !== null, null, {
    timeout: 120_000,
  });
  await page.keyboard.press('Backspace');
  await page.waitForFunction(() => document.querySelector('.cm-lintRange-error') === null);

  const samples: number[] = [];
  for (let i = 0; i < KEYSTROKES; i++) {
    const breaking = i % 2 === 0;
    const typedAt = await page.evaluate(() => performance.now());
    await page.keyboard.press(breaking ? 'n' : 'Backspace');
    const at = await page.waitForFunction(
      ([want, after]) =>
        (window as unknown as { changes: { error: boolean; at: number }[] }).changes.find(
          (c) => c.error === want && c.at >= after,
        )?.at,
      [breaking, typedAt] as const,
      { polling: 5, timeout: 30_000 },
    );
    samples.push(((await at.jsonValue()) as number) - typedAt);
    await new Promise((r) => setTimeout(r, 100));
  }
  const p = percentiles(samples);
  return {
    [`diagnostics after a keystroke in a ${LINES}-line file`]: {
      runs: KEYSTROKES,
      p50_ms: round(p.p50, 0),
      p99_ms: round(p.p99, 0),
      target_p50_ms: 300,
    },
  };
}
