// Raw HTTP for edge tests: requests fetch would normalize (a Host header, undecodable paths, upgrades) and a
// stand-in for the built web app.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A GET with headers fetch will not send (Host), answering status, headers and body. */
export function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw request bytes (a path fetch would re-encode, an upgrade) and returns everything the server answered. */
export function rawExchange(base: string, head: string) {
  const { hostname, port } = new URL(base);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

export const upgradeHead = (target: string, host: string) =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** The sources of one CSP directive, or undefined when the policy lacks it (or names it twice). */
export function directive(csp: string | null, name: string): string | undefined {
  const found = (csp ?? '')
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d.split(' ')[0] === name);
  return found.length === 1 ? found[0]?.slice(name.length + 1) : undefined;
}

/** A built web app in a temporary directory: index.html, a script and its source map. */
export async function webFixture() {
  const dir = await mkdtemp(path.join(tmpdir(), 'tandem-web-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Tandem</title><div id="root"></div>');
  await writeFile(path.join(dir, 'assets/app.js'), 'console.log(1);\n//# sourceMappingURL=app.js.map\n');
  await writeFile(path.join(dir, 'assets/app.js.map'), '{"version":3,"sources":["secret-source.ts"]}');
  return dir;
}
