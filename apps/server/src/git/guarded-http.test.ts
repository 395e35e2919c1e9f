import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedHttp } from './guarded-http.ts';

async function drain(body: AsyncIterableIterator<Uint8Array> | undefined): Promise<string> {
  const parts: Uint8Array[] = [];
  if (body) for await (const part of body) parts.push(part);
  return Buffer.concat(parts).toString();
}

describe('guardedHttp', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      else if (req.url === '/big') res.end('x'.repeat(10_000));
      else if (req.url === '/stall') res.writeHead(200).write('start');
      else {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => res.end(`${req.method ?? ''} ${body}`));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const client = (allowedHosts: string[] = ['127.0.0.1'], maxDownloadBytes = 1_000_000) =>
    guardedHttp({ allowedHosts, idleTimeoutMs: 500, maxDownloadBytes });

  it('refuses loopback unless allowed, and sends bodies when allowed', async () => {
    await expect(client([]).request({ url: `${base}/` })).rejects.toMatchObject({ code: 'GIT_URL_REFUSED' });
    const body = (async function* () {
      await Promise.resolve();
      yield new TextEncoder().encode('hello');
    })();
    const response = await client().request({ url: `${base}/echo`, method: 'POST', body });
    expect(response.statusCode).toBe(200);
    expect(await drain(response.body)).toBe('POST hello');
  });

  it('does not follow redirects', async () => {
    const response = await client().request({ url: `${base}/redirect` });
    expect(response.statusCode).toBe(302);
  });

  it('stops a download past the limit, counted over all requests', async () => {
    const http = client(['127.0.0.1'], 15_000);
    expect(await drain((await http.request({ url: `${base}/big` })).body)).toHaveLength(10_000);
    const second = await http.request({ url: `${base}/big` });
    await expect(drain(second.body)).rejects.toMatchObject({ code: 'GIT_REPO_TOO_LARGE' });
  });

  it('fails a reply that stops arriving', async () => {
    const response = await client().request({ url: `${base}/stall` });
    await expect(drain(response.body)).rejects.toMatchObject({ code: 'GIT_UNREACHABLE' });
  });

  it('refuses other schemes and unresolvable hosts', async () => {
    await expect(client().request({ url: 'ftp://127.0.0.1/x' })).rejects.toMatchObject({
      code: 'GIT_URL_REFUSED',
    });
    await expect(client().request({ url: 'http://no-such-host.invalid/x' })).rejects.toMatchObject({
      code: 'GIT_UNREACHABLE',
    });
  });
});
