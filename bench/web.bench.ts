// The web app in a real browser against a real server: how long a 500-file workspace takes to reach an
// editable editor, how fast a keystroke reaches a connected peer, how big the first page is, and finding things in
// a 5,000-file workspace (web-find.ts), and diagnostics after a keystroke in a 2,000-line file (web-language.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import buildWeb from '../e2e/global-setup.ts';
import { client, launchBrowser, signUp, startTandem, userContext, type SignedUp } from '../e2e/harness.ts';
import { percentiles, report, round, type BenchResult } from './stats.ts';
import { findBench } from './web-find.ts';
import { languageBench } from './web-language.ts';

const FILES = Number(process.env.BENCH_WEB_FILES ?? 500);
// WEB_BENCH_PARTS=language runs only the named parts (workspace: opening the 500-file workspace and typing to a peer;
// find; language; bundle), to measure one change without the minutes the big workspaces take.
const parts = (process.env.WEB_BENCH_PARTS ?? '').split(',').filter(Boolean);
const wants = (part: string) => parts.length === 0 || parts.includes(part);
const OPENS = 7;
const KEYSTROKES = 60;
const dist = path.resolve(import.meta.dirname, '../apps/web/dist');

/** A plausible source file of about 40 lines. */
function source(i: number): string {
  const lines = [
    `// module ${i}`,
    `import { helper${(i + 1) % FILES} } from './m${(i + 1) % FILES}.ts';`,
    '',
  ];
  for (let f = 0; f < 6; f++) {
    lines.push(`export function helper${i}_${f}(value: number): number {`);
    lines.push(`  const scaled = value * ${f + 1};`);
    lines.push(`  return scaled + ${i};`, '}', '');
  }
  return lines.join('\n');
}

function bundle() {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] ?? '');
  const size = (files: string[]) => {
    let raw = 0;
    let gz = 0;
    for (const file of files) {
      const bytes = readFileSync(path.join(dist, file));
      raw += bytes.length;
      gz += gzipSync(bytes).length;
    }
    return { files: files.length, raw_kb: round(raw / 1024, 1), gzip_kb: round(gz / 1024, 1) };
  };
  const lazy = (prefix: string) => {
    const file = readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8');
    const manifest = JSON.parse(file) as Record<string, { file: string; src?: string }>;
    const entry = Object.values(manifest).find((e) => e.src?.includes(prefix));
    return entry ? size([entry.file]) : { files: 0, raw_kb: 0, gzip_kb: 0 };
  };
  return {
    'initial route (sign-in / workspaces)': size(initial),
    'code mode chunk (lazy)': lazy('workspace/workspace-page.tsx'),
    'diff review chunk (lazy)': lazy('workspace/review-view.tsx'),
    'admin console chunk (lazy)': lazy('pages/admin-page.tsx'),
    'language features chunk (lazy, first TS/JS file)': lazy('workspace/ts-features.ts'),
  };
}

/** Opening a 500-file workspace, and a keystroke from one member's editor to another's. */
async function workspaceBench(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  url: string,
  ada: SignedUp,
  bob: SignedUp,
): Promise<Record<string, BenchResult>> {
  const api = client(url, ada.cookie);
  const ws = await api.workspace.create.mutate({ name: 'Big' });
  for (let start = 0; start < FILES; start += 100) {
    const files = Array.from({ length: Math.min(100, FILES - start) }, (_, k) => ({
      path: `src/m${start + k}.ts`,
      text: source(start + k),
    }));
    await api.file.upload.mutate({ workspaceId: ws.id, files, overwrite: false });
  }
  const invite = await api.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'editor' });
  await client(url, bob.cookie).workspace.invite.accept.mutate({ token: invite.token });
  const middle = `src/m${Math.floor(FILES / 2)}.ts`;
  const target = `/w/${ws.id}?file=${middle}`;
  const editor = `[aria-label="Editor for ${middle}"][contenteditable="true"]`;

  // Open: navigation start to an editor that accepts typing, fresh context (cold cache) each time.
  const opens: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const context = await userContext(browser, url, ada.cookie);
    const page = await context.newPage();
    await page.goto(target, { waitUntil: 'commit' });
    await page.waitForSelector(editor, { timeout: 60_000 });
    opens.push(await page.evaluate(() => performance.now()));
    await context.close();
  }

  // Typing: Ada's input to the text showing in Bob's editor (same machine, same clock). The clock is read
  // just before the input is sent, so each sample also holds one DevTools round trip: an upper bound.
  const a = await (await userContext(browser, url, ada.cookie)).newPage();
  const b = await (await userContext(browser, url, bob.cookie)).newPage();
  await Promise.all([a.goto(target), b.goto(target)]);
  await Promise.all([a.waitForSelector(editor), b.waitForSelector(editor)]);
  await b.evaluate(() => {
    const w = window as unknown as { seen: Map<string, number> };
    w.seen = new Map();
    const content = document.querySelector('.cm-content');
    if (!content) throw new Error('no editor');
    new MutationObserver(() => {
      const now = performance.timeOrigin + performance.now();
      for (const m of content.textContent.matchAll(/§(\d+)/g)) {
        if (m[1] && !w.seen.has(m[1])) w.seen.set(m[1], now);
      }
    }).observe(content, { subtree: true, childList: true, characterData: true });
  });
  await a.locator('.cm-content .cm-line').first().click();
  await a.keyboard.press('End');
  const latency: number[] = [];
  for (let i = 0; i < KEYSTROKES; i++) {
    const typedAt = await a.evaluate(() => performance.timeOrigin + performance.now());
    await a.keyboard.insertText(`§${i}`);
    const seenAt = await b.waitForFunction(
      (n) => (window as unknown as { seen: Map<string, number> }).seen.get(String(n)),
      i,
      { polling: 5 },
    );
    latency.push(((await seenAt.jsonValue()) as number) - typedAt);
    await new Promise((r) => setTimeout(r, 30));
  }
  const po = percentiles(opens);
  const pl = percentiles(latency);
  return {
    [`open ${FILES}-file workspace to editable editor`]: {
      runs: OPENS,
      p50_ms: round(po.p50, 0),
      max_ms: round(po.max, 0),
    },
    'keystroke to peer editor (same machine)': {
      runs: KEYSTROKES,
      p50_ms: round(pl.p50, 1),
      p99_ms: round(pl.p99, 1),
    },
  };
}

export async function run() {
  await buildWeb();
  const tandem = await startTandem();
  const browser = await launchBrowser();
  try {
    const ada = await signUp(tandem.url, { name: 'Ada' });
    const bob = await signUp(tandem.url, { name: 'Bob' });
    const results = {
      ...(wants('workspace') ? await workspaceBench(browser, tandem.url, ada, bob) : {}),
      ...(wants('find') ? await findBench(browser, tandem.url, ada, bob) : {}),
      ...(wants('language') ? await languageBench(browser, tandem.url, ada) : {}),
      ...(wants('bundle') ? bundle() : {}),
    };
    report(parts.length === 0 ? 'web' : `web-${parts.join('-')}`, results);
  } finally {
    await browser.close();
    await tandem.stop();
  }
}
