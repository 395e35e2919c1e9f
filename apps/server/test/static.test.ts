// The built web app's caching and compression headers, as a CDN in front of the server sees them.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { rawExchange, webFixture } from './http-raw.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
// Text large enough to be worth compressing, as a built bundle is.
const bundle = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i} * 2;\n`).join('');
const styles = Array.from({ length: 200 }, (_, i) => `.c${i} { margin: ${i}px; }\n`).join('');
const indexHtml = `<!doctype html><title>Tandem</title>${'<meta name="x" content="padding">'.repeat(60)}<div id="root"></div>`;
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('the built web app over HTTP', () => {
  let server: TestServer;
  let webDist: string;
  const get = (target: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${target}`, { headers });

  beforeAll(async () => {
    webDist = await webFixture();
    await writeFile(path.join(webDist, 'index.html'), indexHtml);
    await writeFile(path.join(webDist, 'assets/index-Bx3k_9aZ.js'), bundle);
    await writeFile(path.join(webDist, 'assets/index-C4f-2mQp.css'), styles);
    await writeFile(path.join(webDist, 'assets/logo-D8e1Lk0w.png'), png);
    server = await startTestServer('pglite', { webDist });
  });
  afterAll(async () => {
    await server.close();
    await rm(webDist, { recursive: true, force: true });
  });

  it('serves hashed assets immutable, brotli or gzip as accepted, each with its own ETag', async () => {
    const br = await get('/assets/index-Bx3k_9aZ.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    expect(Number(br.headers.get('content-length'))).toBeLessThan(bundle.length / 4);
    expect(await br.text()).toBe(bundle);

    const gz = await get('/assets/index-C4f-2mQp.css', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe(styles);

    const plain = await get('/assets/index-Bx3k_9aZ.js', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Number(plain.headers.get('content-length'))).toBe(bundle.length);
    const gzJs = await get('/assets/index-Bx3k_9aZ.js', { 'accept-encoding': 'gzip' });
    const etags = [br, gzJs, plain].map((response) => response.headers.get('etag'));
    expect(etags.every((etag) => /^"[^"]+"$/.test(etag ?? ''))).toBe(true);
    expect(new Set(etags).size).toBe(3);
  });

  it('answers a revalidation with 304 for the ETag it gave', async () => {
    const first = await get('/assets/index-Bx3k_9aZ.js', { 'accept-encoding': 'br' });
    const etag = first.headers.get('etag') ?? '';
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await get('/assets/index-Bx3k_9aZ.js', {
        'accept-encoding': 'br',
        'if-none-match': ifNoneMatch,
      });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('cache-control')).toBe(IMMUTABLE);
    }
    const changed = await get('/assets/index-Bx3k_9aZ.js', {
      'accept-encoding': 'br',
      'if-none-match': '"other"',
    });
    expect(changed.status).toBe(200);
  });

  it('makes index.html and the SPA fallback revalidate, compressed', async () => {
    for (const target of ['/', '/index.html', '/w/some-workspace/files']) {
      const page = await get(target, { 'accept-encoding': 'br, gzip' });
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('content-encoding')).toBe('br');
      expect(page.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect(await page.text()).toBe(indexHtml);
    }
  });

  it('revalidates unhashed files and keeps binary hashed assets immutable with an ETag', async () => {
    const unhashed = await get('/assets/app.js', { 'accept-encoding': 'br' });
    expect(unhashed.status).toBe(200);
    expect(unhashed.headers.get('cache-control')).toBe('no-cache');
    const image = await get('/assets/logo-D8e1Lk0w.png', { 'accept-encoding': 'br, gzip' });
    expect(image.status).toBe(200);
    expect(image.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(image.headers.get('content-encoding')).toBeNull();
    expect(image.headers.get('etag')).toBeTruthy();
    expect(Buffer.from(await image.arrayBuffer())).toEqual(png);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await fetch(`${server.url}/assets/index-Bx3k_9aZ.js`, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-encoding')).toBe('gzip');
    expect(head.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(await head.text()).toBe('');
  });

  it('serves nothing outside the built app, however the path is encoded', async () => {
    const host = new URL(server.url).host;
    await writeFile(path.join(webDist, '..', `${path.basename(webDist)}-secret.js`), 'secret'.repeat(300));
    for (const target of [
      `/..%2f${path.basename(webDist)}-secret.js`,
      `/assets/..%2f..%2f${path.basename(webDist)}-secret.js`,
      `/%2e%2e/${path.basename(webDist)}-secret.js`,
      '/assets/%00.js',
    ]) {
      const answer = await rawExchange(
        server.url,
        `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 (200|400|403|404)/);
      expect(answer).not.toContain('secretsecret');
    }
    await rm(path.join(webDist, '..', `${path.basename(webDist)}-secret.js`));
  });

  it('leaves the API and probes uncompressed and out of the asset cache', async () => {
    for (const target of ['/trpc/no.such.procedure', '/readyz', '/api/workspaces/x/archive']) {
      const response = await get(target, { 'accept-encoding': 'br, gzip' });
      expect(response.headers.get('content-encoding')).toBeNull();
      expect(response.headers.get('cache-control')).not.toBe(IMMUTABLE);
    }
  });
});
