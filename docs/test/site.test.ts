// Builds the docs site as `pnpm docs:build` does, inside a network namespace with no interface but loopback (bwrap
// --unshare-net), and then checks what was built: every internal link and anchor resolves, nothing is loaded from
// outside the instance, no inline script needs a CSP exception, and the API reference covers every procedure.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { routerProcedures } from '@tandem/server/reference';
import { syncCloseCodes } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procedureAnchor } from '../scripts/generate.ts';

const run = promisify(execFile);
const docsRoot = fileURLToPath(new URL('..', import.meta.url));
const base = '/docs/';

interface Page {
  /** URL path, e.g. /docs/guide/review */
  url: string;
  html: string;
  ids: Set<string>;
}

async function htmlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The page a clean URL path names, as the server resolves it (apps/server/src/http/static.ts docsSite). */
function fileFor(outDir: string, urlPath: string): string | undefined {
  const relative = decodeURIComponent(urlPath.slice(base.length));
  const candidates =
    relative === '' || relative.endsWith('/')
      ? [path.join(outDir, relative, 'index.html')]
      : path.extname(relative)
        ? [path.join(outDir, relative)]
        : [path.join(outDir, `${relative}.html`), path.join(outDir, relative, 'index.html')];
  return candidates.find((candidate) => existsSync(candidate));
}

const attributes = (html: string, tag: string, name: string) =>
  [...html.matchAll(new RegExp(`<${tag}\\b[^>]*?\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1] ?? '');

describe('the docs site', () => {
  let outDir: string;
  let buildMs = 0;
  const pages = new Map<string, Page>();

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'tandem-docs-build-'));
    const started = Date.now();
    // bwrap is what the sandbox uses too; --unshare-net leaves the build nothing but a loopback interface.
    await run(
      'bwrap',
      [
        '--dev-bind',
        '/',
        '/',
        '--unshare-net',
        '--die-with-parent',
        '--chdir',
        docsRoot,
        '--',
        'sh',
        '-c',
        'node --import tsx scripts/generate.ts && node node_modules/vitepress/bin/vitepress.js build --outDir "$1"',
        'build',
        outDir,
      ],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
    );
    buildMs = Date.now() - started;
    console.log(`docs: built with no network in ${(buildMs / 1000).toFixed(1)} s`);
    for (const file of await htmlFiles(outDir)) {
      const relative = path.relative(outDir, file).split(path.sep).join('/');
      const url = base + relative.replace(/(^|\/)index\.html$/, '$1').replace(/\.html$/, '');
      const html = await readFile(file, 'utf8');
      pages.set(url, { url, html, ids: new Set(attributes(html, '[a-z0-9]+', 'id')) });
    }
  });
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('builds every section', () => {
    for (const url of [
      '/docs/',
      '/docs/guide/getting-started',
      '/docs/guide/best-practices',
      '/docs/tutorials/',
      '/docs/tutorials/first-workspace',
      '/docs/tutorials/review-ai-change',
      '/docs/tutorials/connect-a-model',
      '/docs/tutorials/postgresql-redis',
      '/docs/tutorials/api-client',
      '/docs/self-hosting/',
      '/docs/self-hosting/configuration',
      '/docs/security',
      '/docs/architecture',
      '/docs/contributing',
      '/docs/reference/procedures',
      '/docs/reference/yjs',
      '/docs/reference/http',
      '/docs/api',
    ]) {
      expect(pages.has(url), url).toBe(true);
    }
  });

  it('has no internal link or anchor that leads nowhere', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages.values()) {
      for (const href of attributes(page.html, 'a', 'href')) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // http:, mailto: … leave the site
        const target = new URL(href.replaceAll('&amp;', '&'), `http://docs.test${page.url}`);
        if (!target.pathname.startsWith(base)) continue; // the app itself, e.g. "/" to sign in
        checked += 1;
        const file = fileFor(outDir, target.pathname);
        if (!file) {
          broken.push(`${page.url}: ${href} (no page)`);
          continue;
        }
        const anchor = decodeURIComponent(target.hash.slice(1));
        if (!anchor) continue;
        const linked = [...pages.values()].find((p) => fileFor(outDir, p.url) === file);
        if (!linked?.ids.has(anchor)) broken.push(`${page.url}: ${href} (no #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('loads nothing from outside the instance and needs no inline script', async () => {
    const outside: string[] = [];
    for (const page of pages.values()) {
      const loads = [
        ...attributes(page.html, 'script', 'src'),
        ...attributes(page.html, 'link', 'href'),
        ...attributes(page.html, 'img', 'src'),
        ...attributes(page.html, 'iframe', 'src'),
        // The tutorials' screencasts: a video that was never generated is a hole in the page.
        ...attributes(page.html, 'video', 'src'),
        ...attributes(page.html, 'video', 'poster'),
      ];
      for (const src of loads) if (!src.startsWith(base)) outside.push(`${page.url}: ${src}`);
      for (const src of loads)
        if (!fileFor(outDir, src.split(/[?#]/)[0] ?? '')) outside.push(`${page.url}: ${src} missing`);
      const inline = [...page.html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)].filter(
        ([, attrs = '', body = '']) => !attrs.includes('src=') && body.trim() !== '',
      );
      expect(inline.map(([tag]) => `${page.url}: ${tag.slice(0, 80)}`)).toEqual([]);
    }
    expect(outside).toEqual([]);
    const assets = await readdir(path.join(outDir, 'assets'), { recursive: true });
    for (const name of assets.filter((n) => n.endsWith('.css'))) {
      const css = await readFile(path.join(outDir, 'assets', name), 'utf8');
      expect(css, name).not.toMatch(/url\(\s*['"]?(https?:)?\/\//);
      expect(css, name).not.toMatch(/@import\s+url\(\s*['"]?https?:/);
    }
  });

  it('has a reference entry, with its anchor, for every procedure of the router', () => {
    const reference = pages.get('/docs/reference/procedures');
    const paths = Object.keys(routerProcedures());
    expect(paths.length).toBeGreaterThan(40);
    for (const dotted of paths) {
      expect(reference?.ids.has(procedureAnchor(dotted)), dotted).toBe(true);
      expect(reference?.html, dotted).toContain(`<code>${dotted}</code>`);
    }
  });

  it('documents every close code of the live-sync endpoint', () => {
    const yjs = pages.get('/docs/reference/yjs')?.html ?? '';
    for (const code of [...Object.values(syncCloseCodes), 4401, 4404]) {
      expect(yjs, String(code)).toMatch(new RegExp(`<td>${code}</td>`));
    }
  });

  it('shows the configuration table, every row of it', () => {
    const html = pages.get('/docs/self-hosting/configuration')?.html ?? '';
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'REDIS_URL',
      'TANDEM_OLLAMA_URL',
      'TANDEM_SANDBOX_CACHE_DIR',
    ]) {
      expect(html, name).toContain(`<code>${name}</code>`);
    }
  });

  it('builds in reasonable time', () => {
    // Measured at about a minute on a loaded two-core machine; CI's budget is the whole suite's.
    expect(buildMs).toBeLessThan(300_000);
  });
});
