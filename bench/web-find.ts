// Finding things in a big workspace, in a real browser: a generated 5,000-file, 50 MB workspace; quick-open
// results after a keystroke, find in files over every file, and replace-all of 1,000 matches until a peer sees
// it. Part of `pnpm bench web`. Beside the browser figures, the same engines timed in Node on the same files.
import * as Y from 'yjs';
import { client, type launchBrowser, userContext, type SignedUp } from '../e2e/harness.ts';
import { filesMap } from '../packages/core/src/files/workspace-doc.ts';
import { compileSearch, searchFiles } from '../packages/core/src/search/index.ts';
import { rankFiles } from '../packages/ui/src/fuzzy.ts';
import { percentiles, round, type BenchResult } from './stats.ts';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const FILES = Number(process.env.BENCH_FIND_FILES ?? 5000);
const FILE_BYTES = 10 * 1024;
const MARKED = 1000;
const RUNS = 15;

/** About 10 KB of plausible code; the first MARKED files hold `legacyName` once. */
function bigSource(i: number): string {
  const lines = [
    `// module ${i}`,
    `import { helper${(i + 1) % FILES}_0 } from '../m${(i + 1) % FILES}.ts';`,
    '',
  ];
  if (i < MARKED) lines.push(`export const legacyName = 'm${i}';`, '');
  for (let f = 0; lines.join('\n').length < FILE_BYTES; f++) {
    lines.push(`export function helper${i}_${f}(value: number, scale = ${f + 1}): number {`);
    lines.push(`  const scaled = value * scale + ${i}; // keeps the ${f}th variant in range`);
    lines.push(`  return scaled > ${1000 + f} ? scaled - ${f} : scaled;`, '}', '');
  }
  return lines.join('\n');
}

const pathOf = (i: number) => `src/d${Math.floor(i / 100)}/m${i}.ts`;

/** The engines alone, in Node, over the same files: what the browser figures are made of. */
function inNode(): Record<string, BenchResult> {
  const doc = new Y.Doc();
  const paths: string[] = [];
  doc.transact(() => {
    for (let i = 0; i < FILES; i++) {
      paths.push(pathOf(i));
      filesMap(doc).set(pathOf(i), new Y.Text(bigSource(i)));
    }
  });
  // As the web app does: each Y.Text read once into a string, kept until it changes (see workspace-search.ts).
  let started = performance.now();
  const texts = [...filesMap(doc).entries()].map(([path, t]) => ({ path, text: (t as Y.Text).toString() }));
  const read = performance.now() - started;
  const bytes = texts.reduce((n, t) => n + t.text.length, 0);
  const search: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c = compileSearch({ query: `helper${(r * 331) % FILES}_3(` });
    if (!c.ok) throw new Error(c.message);
    started = performance.now();
    const result = searchFiles(texts, c);
    search.push(performance.now() - started);
    if (result.matchCount === 0) throw new Error('nothing found');
  }
  const rank: number[] = [];
  for (let r = 0; r < RUNS * 4; r++) {
    const query = `d${r % 50}m${(r * 97) % FILES}`;
    started = performance.now();
    rankFiles(query, paths, [], 50);
    rank.push(performance.now() - started);
  }
  const ps = percentiles(search);
  const pr = percentiles(rank);
  return {
    [`node: reading ${FILES} Y.Texts to strings (once, then cached)`]: {
      runs: 1,
      p50_ms: round(read, 0),
      max_ms: round(read, 0),
    },
    [`node: find in ${FILES} files (${round(bytes / 1e6, 1)} MB of text)`]: {
      runs: RUNS,
      p50_ms: round(ps.p50, 1),
      max_ms: round(ps.max, 1),
    },
    [`node: quick-open ranking of ${FILES} paths`]: {
      runs: RUNS * 4,
      p50_ms: round(pr.p50, 2),
      max_ms: round(pr.max, 2),
    },
  };
}

/**
 * Milliseconds from just before `act` until `done` (run in the page, polled every 2 ms) returns the page's clock.
 * The page's CSP forbids evaluating strings, so `done` is a real function with a serializable argument.
 */
async function timed(
  page: Page,
  act: () => Promise<void>,
  done: (arg: string | null) => number | false,
  arg: string | null,
) {
  const start = await page.evaluate(() => performance.now());
  await act();
  const end = await page.waitForFunction(done, arg, { polling: 2, timeout: 30_000 });
  return ((await end.jsonValue()) as number) - start;
}

export async function findBench(
  browser: Browser,
  url: string,
  ada: SignedUp,
  bob: SignedUp,
): Promise<Record<string, BenchResult>> {
  const api = client(url, ada.cookie);
  const ws = await api.workspace.create.mutate({ name: 'Huge' });
  // 50 files of 10 KB per request keeps each under the server's 1 MB body limit.
  for (let start = 0; start < FILES; start += 50) {
    const files = Array.from({ length: Math.min(50, FILES - start) }, (_, k) => ({
      path: pathOf(start + k),
      text: bigSource(start + k),
    }));
    await api.file.upload.mutate({ workspaceId: ws.id, files, overwrite: false });
  }
  const invite = await api.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'editor' });
  await client(url, bob.cookie).workspace.invite.accept.mutate({ token: invite.token });
  const first = pathOf(0);
  const target = `/w/${ws.id}?file=${first}`;
  const editor = `[aria-label="Editor for ${first}"][contenteditable="true"]`;
  const a = await (await userContext(browser, url, ada.cookie)).newPage();
  const b = await (await userContext(browser, url, bob.cookie)).newPage();
  await Promise.all([a.goto(target), b.goto(target)]);
  await Promise.all([
    a.waitForSelector(editor, { timeout: 120_000 }),
    b.waitForSelector(editor, { timeout: 120_000 }),
  ]);

  // Quick open: each keystroke of a path query until the list shows results for it. Timed twice: in the page, from
  // the input event (when the keystroke reached the page) until the frame after the list changed; and from Node,
  // which adds two DevTools round trips (sending the keystroke, then starting the poll that sees the list). Profiled
  // on this machine, those round trips were 85-90% of the Node figure, the page's own work 9-11 ms of 104-107, so
  // the page's figure is the one held to the target; the Node one stays for comparison with earlier runs.
  const quick: number[] = [];
  const quickRoundTrip: number[] = [];
  for (let r = 0; r < 5; r++) {
    await a.keyboard.press('Control+p');
    const input = a.getByRole('combobox', { name: 'File name, or :line' });
    await input.waitFor();
    await a.evaluate(() => {
      const w = window as unknown as { quick: { input: number; shown: number }[] };
      w.quick = [];
      const list = document.querySelector('[role="listbox"]');
      if (!list) throw new Error('no result list');
      list
        .closest('[role="dialog"]')
        ?.addEventListener('input', (e) => w.quick.push({ input: e.timeStamp, shown: 0 }), { capture: true });
      new MutationObserver(() => {
        const last = w.quick.at(-1);
        if (!last || last.shown !== 0) return;
        last.shown = -1;
        // After the next frame: the list as changed is on screen.
        requestAnimationFrame(() => setTimeout(() => (last.shown = performance.now()), 0));
      }).observe(list, { subtree: true, childList: true, characterData: true });
    });
    const typed = `m${(r * 977 + 13) % FILES}`;
    for (let k = 0; k < typed.length; k++) {
      const ch = typed.charAt(k);
      const before = await a.evaluate(() => document.querySelector('[role="listbox"]')?.innerHTML ?? '');
      quickRoundTrip.push(
        await timed(
          a,
          () => a.keyboard.insertText(ch),
          (was) =>
            (document.querySelector('[role="listbox"]')?.innerHTML ?? '') !== was ? performance.now() : false,
          before,
        ),
      );
      const shown = await a.waitForFunction(
        (n) => {
          const entry = (window as unknown as { quick: { input: number; shown: number }[] }).quick[Number(n)];
          return entry && entry.shown > 0 ? entry.shown - entry.input : false;
        },
        String(k),
        { polling: 2, timeout: 30_000 },
      );
      quick.push((await shown.jsonValue()) as number);
    }
    await a.keyboard.press('Escape');
  }

  // Find in files: a fresh query each time over all 5,000 files, until the result summary shows.
  await a.keyboard.press('Control+Shift+F');
  const panel = a.getByRole('region', { name: 'Find in files' });
  const find = panel.getByRole('textbox', { name: 'Find' });
  await find.waitFor();
  const summary = () =>
    /match|No results/.test(
      document.querySelector('section[aria-label="Find in files"] [aria-live] > span:first-child')
        ?.textContent ?? '',
    )
      ? performance.now()
      : false;
  const shown: number[] = [];
  const engine: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    await find.fill('');
    await a.waitForFunction(
      () =>
        (document.querySelector('section[aria-label="Find in files"] [aria-live] > span:first-child')
          ?.textContent ?? '') === '',
    );
    shown.push(await timed(a, () => find.fill(`helper${(r * 331 + 7) % FILES}_3(`), summary, null));
    const took = await panel.locator('[title^="Searched in"]').getAttribute('title');
    engine.push(Number(/(\d+)/.exec(took ?? '')?.[1] ?? NaN));
  }

  // Replace all: 1,000 matches in 1,000 files, from Ada's click until Bob's editor shows it (same clock). The click
  // is the page's own click event; Bob's editor is watched by a MutationObserver, as the keystroke-to-peer figure
  // watches it, until the frame after the text appears. Earlier runs read the clock before Playwright looked the
  // button up by its accessible name (which computes the name of each of the 3,000 buttons in 1,000 result groups:
  // 2-4 s of the figure on a busy machine, work no person clicking does) and polled Bob's page for the text; that
  // figure is kept alongside for comparison.
  const replace: number[] = [];
  const replaceAsBefore: number[] = [];
  const applied: number[] = [];
  await a.evaluate(() => {
    const w = window as unknown as { replaceClicks: number[] };
    w.replaceClicks = [];
    window.addEventListener(
      'click',
      (e) => {
        if (e.target instanceof Element && e.target.closest('button')?.textContent === 'Replace all') {
          w.replaceClicks.push(performance.timeOrigin + performance.now());
        }
      },
      { capture: true },
    );
  });
  await b.evaluate(() => {
    const w = window as unknown as { want: string; seenAt: number };
    const content = document.querySelector('.cm-content');
    if (!content) throw new Error('no editor');
    new MutationObserver(() => {
      if (w.seenAt !== 0 || !content.textContent.includes(w.want)) return;
      w.seenAt = -1;
      // After the next frame, as for quick open: a main thread kept busy after the change delays this too.
      requestAnimationFrame(() =>
        setTimeout(() => (w.seenAt = performance.timeOrigin + performance.now()), 0),
      );
    }).observe(content, { subtree: true, childList: true, characterData: true });
  });
  let from = 'legacyName';
  for (let r = 0; r < 5; r++) {
    const to = r % 2 === 0 ? 'modernName' : 'legacyName';
    await find.fill(from);
    await panel
      .getByText(`${MARKED.toLocaleString()} matches in ${MARKED.toLocaleString()} files`, { exact: true })
      .waitFor({ timeout: 30_000 });
    await panel.getByRole('textbox', { name: 'Replace' }).fill(to);
    await b.evaluate((word) => {
      const w = window as unknown as { want: string; seenAt: number };
      w.want = `export const ${word}`;
      w.seenAt = 0;
    }, to);
    const clickedAt = await a.evaluate(() => performance.timeOrigin + performance.now());
    await panel.getByRole('button', { name: 'Replace all', exact: true }).click();
    // The page measures its own replace (plan and apply, one transaction) as `tandem:replace-all`.
    const measured = await a.waitForFunction(
      (n) => performance.getEntriesByName('tandem:replace-all')[n]?.duration ?? false,
      r,
      { polling: 2, timeout: 30_000 },
    );
    applied.push((await measured.jsonValue()) as number);
    const seen = await b.waitForFunction(
      (word) =>
        document.querySelector('.cm-content')?.textContent.includes(`export const ${word}`)
          ? performance.timeOrigin + performance.now()
          : false,
      to,
      { polling: 2, timeout: 30_000 },
    );
    replaceAsBefore.push(((await seen.jsonValue()) as number) - clickedAt);
    const click = await a.evaluate(
      (n) => (window as unknown as { replaceClicks: number[] }).replaceClicks[n],
      r,
    );
    const shown = await b.waitForFunction(
      () => Math.max(0, (window as unknown as { seenAt: number }).seenAt) || false,
      null,
      {
        polling: 2,
        timeout: 30_000,
      },
    );
    if (click === undefined) throw new Error('the page saw no click on Replace all');
    replace.push(((await shown.jsonValue()) as number) - click);
    from = to;
  }

  await a.context().close();
  await b.context().close();
  // Last: it keeps Node busy for seconds, and pooled HTTP connections would time out meanwhile.
  const node = inNode();
  const pq = percentiles(quick);
  const pqr = percentiles(quickRoundTrip);
  const prb = percentiles(replaceAsBefore);
  const pf = percentiles(shown);
  const pe = percentiles(engine);
  const pr = percentiles(replace);
  const pa = percentiles(applied);
  return {
    [`quick open keystroke to results on screen, in the page (${FILES} files)`]: {
      runs: quick.length,
      p50_ms: round(pq.p50, 1),
      max_ms: round(pq.max, 1),
    },
    'quick open keystroke to results, from Node (incl. two DevTools round trips; as before)': {
      runs: quickRoundTrip.length,
      p50_ms: round(pqr.p50, 1),
      max_ms: round(pqr.max, 1),
    },
    [`find in files, query to results shown (${FILES} files, 50 MB; incl. 120 ms debounce)`]: {
      runs: RUNS,
      p50_ms: round(pf.p50, 0),
      max_ms: round(pf.max, 0),
    },
    'find in files, search itself in the page': {
      runs: RUNS,
      p50_ms: round(pe.p50, 0),
      max_ms: round(pe.max, 0),
    },
    [`replace all ${MARKED} matches in ${MARKED} files, applied in the author's tab (plan + transaction)`]: {
      runs: applied.length,
      p50_ms: round(pa.p50, 0),
      max_ms: round(pa.max, 0),
    },
    [`replace all ${MARKED} matches in ${MARKED} files, click to peer's editor`]: {
      runs: replace.length,
      p50_ms: round(pr.p50, 0),
      max_ms: round(pr.max, 0),
    },
    'replace all, as before (incl. locating the button among 3,000 by name; peer polled)': {
      runs: replaceAsBefore.length,
      p50_ms: round(prb.p50, 0),
      max_ms: round(prb.max, 0),
    },
    ...node,
  };
}
