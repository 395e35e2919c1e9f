// Screencasts of e2e scenarios for the docs, with nothing but Debian's Chromium: Playwright's own `recordVideo` needs
// an ffmpeg build it downloads, so instead the page's compositor frames come over CDP (`Page.startScreencast`, small
// JPEGs) and Chromium itself encodes them to WebM with MediaRecorder on a canvas, replayed at their own pace.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';

/** The size of the video and poster; the 1440x900 viewport scales down to it exactly. */
export const screencastSize = { width: 960, height: 600 };
/** The animated preview: half the size, a few frames from the whole flow, looping in a few seconds. */
export const previewSize = { width: 480, height: 300 };
const previewFrames = 24;
const previewFrameMs = 350;
/** A pause longer than this (a model thinking, a server starting) is cut to it, so the video stays short. */
const maxPauseMs = 1_200;
/** How long the last frame stays on screen. */
const holdLastMs = 2_000;

interface Frame {
  /** Base64 JPEG. */
  data: string;
  /** Seconds, the compositor's clock. */
  timestamp: number;
}

export interface Recording {
  /**
   * Stops recording and writes `<name>.webm`, `<name>.png` (the last frame) and `<name>-preview.webm` (an animated
   * preview of the whole flow) into `dir`; returns their paths.
   */
  save(
    dir: string,
    name: string,
  ): Promise<{ video: string; poster: string; preview: string; frames: number }>;
}

export async function startScreencast(page: Page): Promise<Recording> {
  const cdp = await page.context().newCDPSession(page);
  const frames: Frame[] = [];
  cdp.on('Page.screencastFrame', (event) => {
    frames.push({ data: event.data, timestamp: event.metadata.timestamp ?? Date.now() / 1000 });
    void cdp.send('Page.screencastFrameAck', { sessionId: event.sessionId }).catch(() => undefined);
  });
  await cdp.send('Page.startScreencast', {
    format: 'jpeg',
    quality: 70,
    maxWidth: screencastSize.width,
    maxHeight: screencastSize.height,
  });
  return {
    async save(dir, name) {
      await cdp.send('Page.stopScreencast').catch(() => undefined);
      await cdp.detach().catch(() => undefined);
      if (frames.length === 0) throw new Error(`screencast ${name}: no frame was painted`);
      const delays = frames.map((frame, i) => {
        const next = frames[i + 1];
        return next
          ? Math.min(maxPauseMs, Math.max(0, (next.timestamp - frame.timestamp) * 1000))
          : holdLastMs;
      });
      const { video, poster } = await encode(page, frames, delays, screencastSize, 350_000);
      // Frames spread evenly over the flow, each shown for the same short time.
      const step = Math.max(1, frames.length / previewFrames);
      const picked = Array.from(
        { length: Math.min(previewFrames, frames.length) },
        (_, i) => frames[Math.min(frames.length - 1, Math.round(i * step))],
      ).filter((frame): frame is Frame => frame !== undefined);
      const preview = await encode(
        page,
        picked,
        picked.map(() => previewFrameMs),
        previewSize,
        150_000,
      );
      await mkdir(dir, { recursive: true });
      const files = {
        video: path.join(dir, `${name}.webm`),
        poster: path.join(dir, `${name}.png`),
        preview: path.join(dir, `${name}-preview.webm`),
      };
      await writeFile(files.video, video);
      await writeFile(files.poster, poster);
      await writeFile(files.preview, preview.video);
      return { ...files, frames: frames.length };
    },
  };
}

/**
 * Plays the frames into a canvas of `size` in a fresh page of the same browser, each for its delay, and records that
 * with MediaRecorder at `bitsPerSecond`.
 */
async function encode(
  source: Page,
  frames: Frame[],
  delays: number[],
  size: { width: number; height: number },
  bitsPerSecond: number,
): Promise<{ video: Buffer; poster: Buffer }> {
  const context = await source.context().browser()?.newContext({ viewport: size });
  if (!context) throw new Error('screencast: the page has no browser to encode with');
  try {
    const page = await context.newPage();
    await page.setContent('<canvas></canvas>');
    // Handed over in slices: one evaluate with every frame would be tens of megabytes of JSON.
    await page.evaluate(() => ((window as unknown as { frames_: string[] }).frames_ = []));
    for (let i = 0; i < frames.length; i += 50) {
      const slice = frames.slice(i, i + 50).map((f) => f.data);
      await page.evaluate(
        (data) => (window as unknown as { frames_: string[] }).frames_.push(...data),
        slice,
      );
    }
    const result = await page.evaluate(
      async ({ delays, size, bitsPerSecond }) => {
        const canvas = document.querySelector('canvas') as HTMLCanvasElement;
        canvas.width = size.width;
        canvas.height = size.height;
        const draw = canvas.getContext('2d') as CanvasRenderingContext2D;
        const data = (window as unknown as { frames_: string[] }).frames_;
        const image = async (base64: string) =>
          createImageBitmap(new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))]));
        const paint = async (base64: string) => {
          const bitmap = await image(base64);
          draw.fillStyle = '#fff';
          draw.fillRect(0, 0, size.width, size.height);
          draw.drawImage(bitmap, 0, 0, size.width, (bitmap.height * size.width) / bitmap.width);
          bitmap.close();
        };
        await paint(data[0] ?? '');
        const mimeType = MediaRecorder.isTypeSupported('video/webm;codecs=vp9')
          ? 'video/webm;codecs=vp9'
          : 'video/webm';
        const recorder = new MediaRecorder(canvas.captureStream(15), {
          mimeType,
          videoBitsPerSecond: bitsPerSecond,
        });
        const chunks: Blob[] = [];
        recorder.ondataavailable = (event) => chunks.push(event.data);
        const stopped = new Promise((resolve) => (recorder.onstop = resolve));
        recorder.start(1_000);
        for (const [i, base64] of data.entries()) {
          await paint(base64);
          await new Promise((resolve) => setTimeout(resolve, delays[i] ?? 0));
        }
        recorder.stop();
        await stopped;
        const toBase64 = async (blob: Blob) => {
          const bytes = new Uint8Array(await blob.arrayBuffer());
          let text = '';
          for (let i = 0; i < bytes.length; i += 0x8000)
            text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          return btoa(text);
        };
        const poster = canvas.toDataURL('image/png').split(',')[1] ?? '';
        return { video: await toBase64(new Blob(chunks, { type: 'video/webm' })), poster };
      },
      { delays, size, bitsPerSecond },
    );
    const durationMs = delays.reduce((sum, delay) => sum + delay, 0);
    return {
      video: withDuration(Buffer.from(result.video, 'base64'), durationMs),
      poster: Buffer.from(result.poster, 'base64'),
    };
  } finally {
    await context.close();
  }
}

/**
 * MediaRecorder writes a live stream: its WebM has no Duration, so a player shows no length and seeks poorly. This
 * adds the Duration element (milliseconds, at the default TimecodeScale) to the Segment's Info, growing Info's size.
 */
export function withDuration(webm: Buffer, durationMs: number): Buffer {
  const info = webm.indexOf(Buffer.from([0x15, 0x49, 0xa9, 0x66]));
  if (info < 0) return webm;
  const sizeAt = info + 4;
  const first = webm[sizeAt] ?? 0;
  const length = Math.clz32(first) - 23; // a VINT's length is its leading zero bits + 1
  if (length < 1 || length > 8) return webm;
  let size = first & (0xff >> length);
  for (let i = 1; i < length; i++) size = size * 256 + (webm[sizeAt + i] ?? 0);
  const body = webm.subarray(sizeAt + length, sizeAt + length + size);
  if (body.indexOf(Buffer.from([0x44, 0x89])) >= 0) return webm;
  const duration = Buffer.alloc(11);
  duration.set([0x44, 0x89, 0x88]);
  duration.writeDoubleBE(durationMs, 3);
  const grown = size + duration.length;
  if (grown >= 2 ** (7 * length) - 1) return webm;
  const encoded = Buffer.alloc(length);
  let rest = grown;
  for (let i = length - 1; i >= 0; i--) {
    encoded[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  encoded[0] = (encoded[0] ?? 0) | (0x80 >> (length - 1));
  return Buffer.concat([
    webm.subarray(0, sizeAt),
    encoded,
    body,
    duration,
    webm.subarray(sizeAt + length + size),
  ]);
}
