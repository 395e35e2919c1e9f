// Reviewing a large changeset (issue #18's benchmark): 50 files, 200 hunks proposed by a scripted model through the
// real server. Measured: the review page from navigation to every hunk's actions usable (a fresh browser context
// each time), "accept all" on the server (the mutation's round trip on loopback), and how long the live preview
// (core `previewChangeset`, what the review recomputes) takes after a peer's keystroke in a reviewed file.
// Targets: review interactive under 1 s, accept-all under 500 ms, preview update under 100 ms.
import { performance } from 'node:perf_hooks';
import {
  anchorChangeset,
  captureBase,
  computeChangeset,
  createFile,
  getStoredFile,
  previewChangeset,
} from '../packages/core/src/index.ts';
import * as Y from 'yjs';
import { until, yClient } from '../apps/server/test/yjs-client.ts';
import buildWeb from '../e2e/global-setup.ts';
import {
  client,
  launchBrowser,
  replay,
  searchReplaceBlock,
  signUp,
  startLlm,
  startTandem,
  userContext,
} from '../e2e/harness.ts';
import { percentiles, report, round } from './stats.ts';

const FILES = 50;
const HUNKS_PER_FILE = 4;
const OPENS = 5;
const ACCEPTS = Number(process.env.BENCH_ACCEPTS ?? 5);
const KEYSTROKES = 40;

/** A file of four functions far enough apart that a change in each is its own hunk. */
function source(i: number): string {
  const parts: string[] = [`// module ${i}`, ''];
  for (let f = 0; f < HUNKS_PER_FILE; f++) {
    parts.push(`export function f${i}_${f}(value: number): number {`);
    parts.push(`  return value + ${f};`, '}', '');
    for (let pad = 0; pad < 8; pad++) parts.push(`// filler ${f}.${pad}`);
    parts.push('');
  }
  return parts.join('\n');
}

const path = (i: number) => `src/m${String(i).padStart(2, '0')}.ts`;

/** The model's answer: one edit per function of every file. */
function answer(): string {
  let text = 'Doubling every value.\n\n';
  for (let i = 0; i < FILES; i++) {
    for (let f = 0; f < HUNKS_PER_FILE; f++) {
      text += searchReplaceBlock(path(i), `  return value + ${f};`, `  return value * 2 + ${f};`);
    }
  }
  return text;
}

const stats = (samples: number[], digits = 0) => {
  const p = percentiles(samples);
  return { runs: p.n, p50_ms: round(p.p50, digits), max_ms: round(p.max, digits) };
};

/** The preview after each of a peer's keystrokes in a reviewed file, in process (what the review recomputes). */
function previewAfterKeystrokes() {
  const doc = new Y.Doc();
  for (let i = 0; i < FILES; i++) createFile(doc, path(i), source(i));
  const base = captureBase(doc);
  const proposed = new Map<string, string>();
  for (let i = 0; i < FILES; i++) {
    proposed.set(
      path(i),
      source(i).replace(/return value \+ (\d);/g, (_, f: string) => `return value * 2 + ${f};`),
    );
  }
  const changeset = anchorChangeset(doc, computeChangeset(base.texts, proposed, [], { taskId: 'bench' }), {
    snapshot: base.snapshot,
  });
  const hunks = changeset.files.reduce((n, f) => n + f.hunks.length, 0);
  const peer = new Y.Doc();
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
  peer.on('update', (update: Uint8Array) => Y.applyUpdate(doc, update));
  const samples: number[] = [];
  for (let k = 0; k < KEYSTROKES; k++) {
    const file = getStoredFile(peer, path(k % FILES));
    if (file && !file.binary) file.text.insert(file.text.length, 'x');
    const started = performance.now();
    previewChangeset(doc, changeset);
    samples.push(performance.now() - started);
  }
  return { hunks, ...stats(samples, 1) };
}

export async function run() {
  const preview = previewAfterKeystrokes();
  await buildWeb();
  const llm = await startLlm();
  const tandem = await startTandem({ llm: llm.llm });
  const browser = await launchBrowser();
  try {
    const ada = await signUp(tandem.url, { name: 'Ada' });
    const api = client(tandem.url, ada.cookie);

    /** A fresh workspace with a proposed 200-hunk task; resolves with their ids once it is proposed. */
    const proposedTask = async () => {
      const ws = await api.workspace.create.mutate({ name: 'Large review' });
      await api.file.upload.mutate({
        workspaceId: ws.id,
        files: Array.from({ length: FILES }, (_, i) => ({ path: path(i), text: source(i) })),
        overwrite: false,
      });
      llm.server.enqueue([replay.text(answer())]);
      const { taskId } = await api.task.create.mutate({ workspaceId: ws.id, prompt: 'Double every value' });
      for (;;) {
        const task = await api.task.get.query({ taskId });
        if (task.state === 'proposed') {
          const hunks = task.changeset?.files.reduce((n, f) => n + f.hunks.length, 0) ?? 0;
          if (hunks !== FILES * HUNKS_PER_FILE) throw new Error(`expected 200 hunks, got ${hunks}`);
          return { workspaceId: ws.id, taskId };
        }
        if (task.state === 'failed')
          throw new Error(`the task failed: ${task.errorCode ?? ''} ${task.errorMessage ?? ''}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    // Review interactive: from "Review changes" in the open workspace to the last file's last hunk with its Accept
    // button usable; and, for comparison, a cold start (navigation in a fresh context straight to the review's
    // address, loading the app, the workspace and the task first).
    const reviewed = await proposedTask();
    const lastHunk = `button[aria-label="Accept change ${HUNKS_PER_FILE} of ${HUNKS_PER_FILE} in ${path(FILES - 1)}"]:not([disabled])`;
    const opens: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      const context = await userContext(browser, tandem.url, ada.cookie);
      const page = await context.newPage();
      await page.goto(`/w/${reviewed.workspaceId}?task=${reviewed.taskId}&review=1`, { waitUntil: 'commit' });
      await page.waitForSelector(lastHunk, { timeout: 60_000 });
      cold.push(await page.evaluate(() => performance.now()));
      await page.getByRole('button', { name: 'Back to editor' }).click();
      const review = page.getByRole('button', { name: 'Review changes' });
      await review.waitFor();
      const started = await page.evaluate(() => performance.now());
      await review.click();
      await page.waitForSelector(lastHunk, { timeout: 60_000 });
      opens.push((await page.evaluate(() => performance.now())) - started);
      await context.close();
    }

    // A peer types inside a reviewed hunk: from the keystroke (a Yjs client over the real WebSocket) to the review
    // showing the hunk in conflict with the typed text (same machine, same clock).
    const live: number[] = [];
    {
      const context = await userContext(browser, tandem.url, ada.cookie);
      const page = await context.newPage();
      await page.goto(`/w/${reviewed.workspaceId}?task=${reviewed.taskId}&review=1`);
      await page.waitForSelector(lastHunk, { timeout: 60_000 });
      await page.evaluate(() => {
        const w = window as unknown as { seen: Map<string, number> };
        w.seen = new Map();
        new MutationObserver(() => {
          const now = performance.timeOrigin + performance.now();
          for (const m of document.body.textContent.matchAll(/§(\d+)§/g)) {
            if (m[1] && !w.seen.has(m[1])) w.seen.set(m[1], now);
          }
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      const peer = yClient(tandem.url, reviewed.workspaceId, ada.cookie);
      await until(() => peer.provider.synced, 10_000, 'the peer to sync');
      for (let k = 0; k < KEYSTROKES; k++) {
        const file = getStoredFile(peer.doc, path(k % FILES));
        if (!file || file.binary) throw new Error('no file');
        const at = file.text.toString().indexOf(`value + ${String(Math.floor(k / FILES))};`);
        const typedAt = performance.timeOrigin + performance.now();
        file.text.insert(at, `§${String(k)}§`);
        const seenAt = await page.waitForFunction(
          (n) => (window as unknown as { seen: Map<string, number> }).seen.get(String(n)),
          k,
          { polling: 5, timeout: 10_000 },
        );
        live.push(((await seenAt.jsonValue()) as number) - typedAt);
      }
      peer.destroy();
      await context.close();
    }

    // Accept all, on a fresh proposal each time.
    const accepts: number[] = [];
    for (let i = 0; i < ACCEPTS; i++) {
      const { taskId } = await proposedTask();
      const started = performance.now();
      const result = await api.task.accept.mutate({ taskId });
      accepts.push(performance.now() - started);
      if (result.applied.length !== FILES * HUNKS_PER_FILE) throw new Error('not every hunk applied');
    }

    report('review', {
      [`review ${FILES} files / ${FILES * HUNKS_PER_FILE} hunks interactive (target < 1 s)`]: stats(opens),
      'the same, cold: navigation to the review address in a fresh browser context': stats(cold),
      'accept all, round trip on loopback (target < 500 ms)': stats(accepts),
      'peer keystroke in a reviewed hunk to the review showing it (target < 100 ms)': stats(live),
      [`preview computed after a peer keystroke, ${preview.hunks} hunks, in process`]: {
        runs: preview.runs,
        p50_ms: preview.p50_ms,
        max_ms: preview.max_ms,
      },
    });
  } finally {
    await browser.close();
    await tandem.stop();
    await llm.close();
  }
}
