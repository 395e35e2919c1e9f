// Undecodable URLs are the client's mistake: a typed 400 on every route and upgrade, never a 500 or a crash.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { rawExchange, upgradeHead, webFixture } from './http-raw.ts';

describe('the edge with a built web app', () => {
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

  it.each([
    '/%E0%A4%A',
    '/workspace/%E0%A4%A',
    '/api/workspaces/%E0%A4%A/archive',
    '/trpc/%E0%A4%A',
    '/trpc/auth.me?input=%E0%A4%A',
    '/healthz?x=%ZZ',
    'http://[x/healthz',
  ])('answers the malformed URL %s with a typed 400', async (target) => {
    const answer = await rawExchange(
      server.url,
      `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };
    expect(body.error.code).toBe('BAD_INPUT');
  });

  it.each(['/yjs/%E0%A4%A', '/trpc?connectionParams=%E0', 'http://[x/yjs/w'])(
    'refuses the malformed upgrade %s with a typed 400 and stays up',
    async (target) => {
      const answer = await rawExchange(server.url, upgradeHead(target, new URL(server.url).host));
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"code":"BAD_INPUT"');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    },
  );
});
