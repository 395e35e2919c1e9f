// The tutorials stay true because an e2e test walks each one (e2e/tests/tutorial-<page>.test.ts). This checks the
// pairing without a browser: every numbered step of a page carries a `<!-- step: id -->` marker, the page's test
// walks exactly those steps in that order, the API client page shows the example's own code, and every screencast
// a page embeds exists.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const docsRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(docsRoot, '..');
const tutorialsDir = path.join(docsRoot, 'tutorials');

const tutorials = (await readdir(tutorialsDir))
  .filter((name) => name.endsWith('.md') && name !== 'index.md')
  .map((name) => name.slice(0, -'.md'.length))
  .sort();

const markdown = (slug: string) => readFile(path.join(tutorialsDir, `${slug}.md`), 'utf8');
const testFile = (slug: string) => path.join(repoRoot, 'e2e/tests', `tutorial-${slug}.test.ts`);

/** The `<!-- step: id -->` markers of a page, in order. */
const pageSteps = (text: string) => [...text.matchAll(/<!--\s*step:\s*([a-z0-9-]+)\s*-->/g)].map((m) => m[1]);
/** The `t.step('id', …)` calls of a test, in order. */
const testSteps = (text: string) => [...text.matchAll(/\bt\.step\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1]);

describe('tutorials', () => {
  it('are the five the docs promise, each with its e2e test', () => {
    expect(tutorials).toEqual([
      'api-client',
      'connect-a-model',
      'first-workspace',
      'postgresql-redis',
      'review-ai-change',
    ]);
    for (const slug of tutorials) expect(existsSync(testFile(slug)), testFile(slug)).toBe(true);
  });

  it.each(tutorials)('%s: every numbered step has a marker, and the markers are unique', async (slug) => {
    const text = await markdown(slug);
    const sections = text.split(/^## /m).slice(1);
    const numbered = sections.filter((section) => /^\d+\. /.test(section));
    expect(numbered.length).toBeGreaterThan(2);
    numbered.forEach((section, i) => {
      expect(section.startsWith(`${i + 1}. `), `step ${i + 1} of ${slug} is numbered in order`).toBe(true);
      expect(pageSteps(section), `"## ${section.split('\n')[0] ?? ''}" has one step marker`).toHaveLength(1);
    });
    const steps = pageSteps(text);
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps).toHaveLength(numbered.length);
  });

  it.each(tutorials)('%s: its e2e test walks exactly the page’s steps, in order', async (slug) => {
    const [page, test] = await Promise.all([markdown(slug), readFile(testFile(slug), 'utf8')]);
    expect(testSteps(test)).toEqual(pageSteps(page));
    // And checks at run time that it walked them all (a step skipped behind an `if` fails there).
    expect(test).toContain(`tutorial('${slug}')`);
    expect(test).toContain('await t.done();');
  });

  it('shows in the API client page only code that examples/api-client runs', async () => {
    const [page, source] = await Promise.all([
      markdown('api-client'),
      readFile(path.join(repoRoot, 'examples/api-client/client.ts'), 'utf8'),
    ]);
    const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    // Line by line, leading spaces aside: the page shows an excerpt from inside a function flush left.
    const lines = (text: string) =>
      text
        .trimEnd()
        .split('\n')
        .map((line) => line.trim());
    const sourceLines = lines(source);
    const at = (block: string[]) =>
      sourceLines.findIndex((_, i) => block.every((line, j) => sourceLines[i + j] === line));
    for (const block of blocks) expect(at(lines(block)), block.split('\n')[0]).toBeGreaterThanOrEqual(0);
  });

  it.each(tutorials)('%s: embeds its screencast, which exists, with a description', async (slug) => {
    const text = await markdown(slug);
    const videos = [...text.matchAll(/<video\b[^>]*>/g)].map((m) => m[0]);
    expect(videos).toHaveLength(1);
    const video = videos[0] ?? '';
    for (const attribute of ['src', 'poster']) {
      const url = new RegExp(`\\s${attribute}="/([^"]+)"`).exec(video)?.[1];
      expect(url, `${slug}: ${attribute}`).toBeDefined();
      expect(existsSync(path.join(docsRoot, 'public', url ?? '')), `${slug}: ${url ?? ''}`).toBe(true);
    }
    expect(video).toMatch(/\scontrols\b/);
    expect(video).toMatch(/\smuted\b/);
    const described = /aria-describedby="([^"]+)"/.exec(video)?.[1] ?? '';
    expect(text).toContain(`id="${described}"`);
  });

  it("the index shows every tutorial's animated preview, which exists, loops without sound and can be paused", async () => {
    const text = await readFile(path.join(tutorialsDir, 'index.md'), 'utf8');
    const previews = [...text.matchAll(/<video\b[^>]*>/g)].map((m) => m[0]);
    const sources = previews.map(
      (video) => /\ssrc="\/screencasts\/([a-z0-9-]+)-preview\.webm"/.exec(video)?.[1],
    );
    expect(sources).toEqual([...tutorials].sort((a, b) => text.indexOf(`${a}.md`) - text.indexOf(`${b}.md`)));
    for (const video of previews) {
      for (const attribute of ['src', 'poster']) {
        const url = new RegExp(`\\s${attribute}="/([^"]+)"`).exec(video)?.[1] ?? '';
        expect(existsSync(path.join(docsRoot, 'public', url)), url).toBe(true);
      }
      for (const flag of ['autoplay', 'loop', 'muted', 'playsinline', 'controls'])
        expect(video).toContain(` ${flag}`);
      const described = /aria-describedby="([^"]+)"/.exec(video)?.[1] ?? '';
      expect(text).toContain(`id="${described}"`);
    }
  });
});
