// What the page's headers and static files give away: WebSockets only to its own origin, no source maps.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { directive, rawGet, webFixture } from './http-raw.ts';

describe('a built web app', () => {
  let server: TestServer;
  let webDist: string;
  beforeAll(async () => {
    webDist = await webFixture();
    server = await startTestServer('pglite', { webDist });
  });
  afterAll(async () => {
    await server.close();
    await rm(webDist, { recursive: true, force: true });
  });

  it('limits connect-src to its own origin, also against a forged Host', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    const host = new URL(server.url).host;
    expect(directive(page.headers.get('content-security-policy'), 'connect-src')).toBe(
      `'self' ws://${host} wss://${host}`,
    );
    const forged = await rawGet(`${server.url}/`, { host: "evil.example; script-src 'unsafe-inline'" });
    const forgedCsp = String(forged.headers['content-security-policy']);
    expect(directive(forgedCsp, 'connect-src')).toBe("'self'");
    expect(directive(forgedCsp, 'script-src')).toBe("'self'");
  });

  it('serves the app but not source maps', async () => {
    expect((await fetch(`${server.url}/assets/app.js`)).status).toBe(200);
    const map = await fetch(`${server.url}/assets/app.js.map`);
    expect(map.status).toBe(404);
    expect(await map.text()).not.toContain('secret-source');
  });
});

describe('connect-src with a public URL', () => {
  it('names the public origin in its WebSocket form', async () => {
    const server = await startTestServer('pglite', {
      env: { TANDEM_PUBLIC_URL: 'https://tandem.example.com' },
    });
    try {
      const csp = (await fetch(`${server.url}/healthz`)).headers.get('content-security-policy');
      expect(directive(csp, 'connect-src')).toBe("'self' wss://tandem.example.com");
    } finally {
      await server.close();
    }
  });
});
