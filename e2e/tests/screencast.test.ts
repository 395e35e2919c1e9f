// The screencast recorder the tutorials use (`pnpm docs:screencasts`), on its own: Chromium's frames of a page that
// changes, encoded by Chromium into a WebM that plays back at the right size and says how long it is.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../harness.ts';
import { previewSize, screencastSize, startScreencast } from '../screencast.ts';

describe('screencast', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    dir = await mkdtemp(path.join(tmpdir(), 'tandem-screencast-'));
  });
  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records a changing page to a WebM with a duration, a poster of the last frame and an animated preview', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.setContent('<h1 style="font: 64px sans-serif">Step 0</h1>');
    const recording = await startScreencast(page);
    for (let i = 1; i <= 5; i++) {
      await page.evaluate((n) => {
        const heading = document.querySelector('h1');
        if (heading) heading.textContent = `Step ${n}`;
        document.body.style.background = n % 2 ? '#def' : '#fed';
      }, i);
      await page.waitForTimeout(200);
    }
    const saved = await recording.save(dir, 'sample');
    await context.close();
    expect(saved.frames).toBeGreaterThanOrEqual(5);

    const poster = await readFile(saved.poster);
    expect(poster.subarray(1, 4).toString()).toBe('PNG');
    expect([poster.readUInt32BE(16), poster.readUInt32BE(20)]).toEqual([
      screencastSize.width,
      screencastSize.height,
    ]);

    // Played back by the same browser: its size, and a finite duration of at least the 1 s of changes.
    const play = async (file: string) => {
      const video = await readFile(file);
      const player = await browser.newPage();
      await player.setContent('<video muted></video>');
      const played = await player.evaluate(async (base64) => {
        const element = document.querySelector('video') as HTMLVideoElement;
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        element.src = URL.createObjectURL(new Blob([bytes], { type: 'video/webm' }));
        await new Promise((resolve, reject) => {
          element.onloadedmetadata = resolve;
          element.onerror = () => reject(new Error(`cannot play: ${element.error?.message ?? '?'}`));
        });
        return { width: element.videoWidth, height: element.videoHeight, duration: element.duration };
      }, video.toString('base64'));
      await player.close();
      return played;
    };
    const played = await play(saved.video);
    expect(played.width).toBe(screencastSize.width);
    expect(played.height).toBe(screencastSize.height);
    expect(played.duration).toBeGreaterThan(1);
    expect(played.duration).toBeLessThan(10);

    // The animated preview: half the size, every recorded frame for 350 ms (at most 24 of them).
    const preview = await play(saved.preview);
    expect(preview.width).toBe(previewSize.width);
    expect(preview.height).toBe(previewSize.height);
    expect(preview.duration).toBeGreaterThan(0.35 * Math.min(saved.frames, 24) - 0.5);
    expect(preview.duration).toBeLessThan(0.35 * 24 + 1);
  });
});
