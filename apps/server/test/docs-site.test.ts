// The docs site at /docs (VitePress' build, `pnpm docs:build`) as browsers and caches see it: clean URLs, the site's
// own 404 page, immutable hashed assets, revalidated pages, and the app's Content-Security-Policy.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { rawExchange } from './http-raw.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const page = (title: string) =>
  `<!doctype html><title>${title}</title>${'<p>Tandem documentation.</p>'.repeat(80)}`;
const chunk = Array.from({ length: 300 }, (_, i) => `export const v${i} = ${i};\n`).join('');

describe('the docs site at /docs', () => {
  let server: TestServer;
  let root: string;
  let docsDist: string;
  const get = (target: string, init: RequestInit = {}) =>
    fetch(`${server.url}${target}`, { redirect: 'manual', ...init });

  beforeAll(async () => {
    // A file beside the site, which no path under /docs may reach.
    root = await mkdtemp(path.join(tmpdir(), 'tandem-docs-'));
    await writeFile(path.join(root, 'package.json'), '{ "devDependencies": {} }');
    docsDist = path.join(root, 'site');
    await mkdir(docsDist);
    await mkdir(path.join(docsDist, 'guide'));
    await mkdir(path.join(docsDist, 'self-hosting'));
    await mkdir(path.join(docsDist, 'assets/chunks'), { recursive: true });
    await writeFile(path.join(docsDist, 'index.html'), page('Home'));
    await writeFile(path.join(docsDist, '404.html'), page('Not found'));
    await writeFile(path.join(docsDist, 'guide/review.html'), page('Reviewing changes'));
    await writeFile(path.join(docsDist, 'self-hosting/index.html'), page('Self-hosting'));
    await writeFile(path.join(docsDist, 'assets/app.BzlglI9B.js'), chunk);
    await writeFile(path.join(docsDist, 'assets/chunks/metadata.2376a804.js'), chunk);
    await writeFile(path.join(docsDist, 'assets/app.BzlglI9B.js.map'), '{"sources":["secret.ts"]}');
    await writeFile(path.join(docsDist, 'vp-icons.css'), '.vpi { color: red }\n'.repeat(100));
    server = await startTestServer('pglite', { docsDist });
  });
  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('redirects /docs to /docs/ and serves the home page there, revalidated', async () => {
    const bare = await get('/docs?x=1');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/docs/?x=1');
    const home = await get('/docs/');
    expect(home.status).toBe(200);
    expect(home.headers.get('cache-control')).toBe('no-cache');
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(await home.text()).toContain('<title>Home</title>');
  });

  it('serves clean URLs, folder indexes and .html paths', async () => {
    for (const target of ['/docs/guide/review', '/docs/guide/review.html']) {
      const response = await get(target);
      expect(response.status, target).toBe(200);
      expect(await response.text()).toContain('<title>Reviewing changes</title>');
    }
    const folder = await get('/docs/self-hosting/');
    expect(await folder.text()).toContain('<title>Self-hosting</title>');
    const folderClean = await get('/docs/self-hosting');
    expect(folderClean.status).toBe(200);
    expect(await folderClean.text()).toContain('<title>Self-hosting</title>');
  });

  it('serves hashed assets immutable and compressed, other files revalidated', async () => {
    for (const target of ['/docs/assets/app.BzlglI9B.js', '/docs/assets/chunks/metadata.2376a804.js']) {
      const response = await get(target, { headers: { 'accept-encoding': 'br' } });
      expect(response.status, target).toBe(200);
      expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
      expect(response.headers.get('content-encoding')).toBe('br');
      expect(await response.text()).toBe(chunk);
    }
    const css = await get('/docs/vp-icons.css');
    expect(css.headers.get('cache-control')).toBe('no-cache');
    const etag = css.headers.get('etag') ?? '';
    expect((await get('/docs/vp-icons.css', { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it("answers unknown pages with the site's 404 page and status 404, and never a source map", async () => {
    const missing = await get('/docs/guide/nothing-here');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<title>Not found</title>');
    const map = await get('/docs/assets/app.BzlglI9B.js.map');
    expect(map.status).toBe(404);
    expect(await map.text()).not.toContain('secret.ts');
    // Sent as written (fetch would resolve the dots before sending): nothing outside the site comes back.
    for (const target of ['/docs/../package.json', '/docs/%2e%2e/package.json', '/docs/..%2fpackage.json']) {
      const host = new URL(server.url).host;
      const answer = await rawExchange(
        server.url,
        `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(answer, target).not.toContain('devDependencies');
    }
  });

  it("runs under the app's Content-Security-Policy: scripts and connections to its own origin only", async () => {
    const csp = (await get('/docs/')).headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/connect-src 'self'/);
  });
});

describe('without a built docs site', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { docsDist: path.join(tmpdir(), 'tandem-no-docs-here') });
  });
  afterAll(() => server.close());

  it('says how to build it', async () => {
    const response = await fetch(`${server.url}/docs/guide/review`);
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/pnpm docs:build/);
  });
});
