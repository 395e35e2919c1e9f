// Debian's nginx on loopback running deploy/nginx/tandem.conf as shipped, with only what a deployment sets for
// itself swapped in: the instances' addresses, the listen ports and a certificate (self-signed, made here).
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { until } from './harness.ts';

const siteConfig = fileURLToPath(new URL('../deploy/nginx/tandem.conf', import.meta.url));

export interface Nginx {
  /** `https://localhost:<port>`: the address users would type. */
  url: string;
  /** The self-signed certificate (PEM) nginx presents, for clients that check it instead of ignoring errors. */
  certificate: string;
  /** The plain-HTTP listener, which only redirects. */
  httpUrl: string;
  /** The error log so far, for failure messages. */
  errors(): Promise<string>;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the OS's choice), for servers that must know their port in advance. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Replaces every match; throws when there is none, so a change to the deploy file's shape fails the test. */
function substitute(text: string, pattern: RegExp, replacement: string): string {
  const all = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  if (!all.test(text)) throw new Error(`deploy/nginx/tandem.conf no longer has ${pattern.source}`);
  return text.replace(all, replacement);
}

/** The shipped site config with this machine's ports, upstreams and certificate. */
export function renderSite(
  site: string,
  options: { upstreams: string[]; httpPort: number; httpsPort: number; cert: string; key: string },
): string {
  // The upstreams keep the shipped parameters (how long a failed instance is left out matters in a restart).
  const parameters = /^\s*server 127\.0\.0\.1:\d+ (.*);$/m.exec(site)?.[1] ?? '';
  let text = substitute(site, /^\s*server 127\.0\.0\.1:\d+ (.*);$\n/m, '');
  text = substitute(
    text,
    /^(\s*)least_conn;$/m,
    `$1least_conn;\n${options.upstreams.map((u) => `    server ${u} ${parameters};`).join('\n')}`,
  );
  // Loopback only, and no IPv6 listener (a test machine may have no ::1).
  text = substitute(text, /^\s*listen \[::\]:.*$\n/m, '');
  text = substitute(text, /listen 80;/, `listen 127.0.0.1:${options.httpPort};`);
  text = substitute(text, /listen 443 /, `listen 127.0.0.1:${options.httpsPort} `);
  text = substitute(text, /ssl_certificate \s*\S+;/, `ssl_certificate ${options.cert};`);
  return substitute(text, /ssl_certificate_key \S+;/, `ssl_certificate_key ${options.key};`);
}

export async function startNginx(
  upstreams: string[],
  ports?: { http: number; https: number },
): Promise<Nginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tandem-nginx-'));
  // Worker processes run as `nobody` when nginx starts as root; they must reach the temp folders nginx makes here.
  await chmod(dir, 0o755);
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await promisify(execFile)('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
    ...['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ...['-keyout', key, '-out', cert],
  ]);
  const httpPort = ports?.http ?? (await freePort());
  const httpsPort = ports?.https ?? (await freePort());
  const site = renderSite(await readFile(siteConfig, 'utf8'), { upstreams, httpPort, httpsPort, cert, key });
  await writeFile(path.join(dir, 'tandem.conf'), site);
  const errorLog = path.join(dir, 'error.log');
  await writeFile(
    path.join(dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log ${dir}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
      `  include ${dir}/tandem.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(
    'nginx',
    ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const errors = async () => `${stderr}${await readFile(errorLog, 'utf8').catch(() => '')}`;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  try {
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${await errors()}`);
      const response = await fetch(`${httpUrl}/`, { redirect: 'manual' });
      return response.status === 308;
    }, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: `https://localhost:${httpsPort}`,
    certificate: await readFile(cert, 'utf8'),
    httpUrl,
    errors,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
