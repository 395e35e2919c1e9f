// Walks a tutorial of docs/tutorials step by step. Each step of a page carries a `<!-- step: id -->` marker; the
// test performs the steps with `step(id, …)` in the same order, and `done()` fails when the page and the test
// disagree (a step added to the page but not walked, or walked but no longer on the page). docs/test/tutorials.test.ts
// checks the same pairing without a browser. With TANDEM_E2E_RECORD set, `record(page)` makes the page's screencast.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { e2eEnv } from './env.ts';
import { startScreencast, type Recording } from './screencast.ts';

/**
 * A tutorial is one long walk (a page of steps, in one `it`), longer than the e2e default of 90 s on a loaded
 * machine, and recording adds the encoding, which runs as long as the video.
 */
export const WALK_TIMEOUT_MS = 240_000;

const tutorialsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/tutorials');

/** The step ids of a tutorial page, in page order (the `<!-- step: id -->` markers). */
export function pageSteps(markdown: string): string[] {
  return [...markdown.matchAll(/<!--\s*step:\s*([a-z0-9-]+)\s*-->/g)].map((m) => m[1] ?? '');
}

export function tutorial(slug: string) {
  const file = path.join(tutorialsDir, `${slug}.md`);
  const markdown = readFileSync(file, 'utf8');
  const expected = pageSteps(markdown);
  const walked: string[] = [];
  let recording: Recording | undefined;

  return {
    /** The page's text, for asserting that what the test types is what the page tells a reader to type. */
    markdown,
    /** Runs one step of the page; a failure names the step and the page. */
    async step(id: string, body: () => Promise<void> | void): Promise<void> {
      if (!expected.includes(id)) throw new Error(`docs/tutorials/${slug}.md has no step "${id}"`);
      walked.push(id);
      try {
        await body();
      } catch (error) {
        throw new Error(`docs/tutorials/${slug}.md, step "${id}": ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    /** Starts the screencast of `page` when recording is on (`pnpm docs:screencasts`); a no-op otherwise. */
    async record(page: Page): Promise<void> {
      if (e2eEnv.recordDir) recording = await startScreencast(page);
    },
    /** Asserts every step of the page was walked, in order, and writes the screencast if one was recorded. */
    async done(): Promise<void> {
      expect(walked, `the steps of docs/tutorials/${slug}.md`).toEqual(expected);
      if (recording && e2eEnv.recordDir) {
        const saved = await recording.save(e2eEnv.recordDir, slug);
        console.log(`screencast: ${saved.video} (${saved.frames} frames)`);
      }
    },
  };
}

/** The text of the first fenced code block after a `<!-- code: id -->` marker, to type exactly what the page shows. */
export function codeBlock(markdown: string, id: string): string {
  const at = markdown.indexOf(`<!-- code: ${id} -->`);
  const match = at < 0 ? null : /```[^\n]*\n([\s\S]*?)```/.exec(markdown.slice(at));
  if (!match?.[1]) throw new Error(`no code block marked "${id}"`);
  return match[1];
}
