// A real git server on loopback for tests: Debian's `git http-backend` behind a small node:http CGI bridge, with
// bare repositories made by the real `git` CLI. Basic auth is checked when a token is set, so a wrong token fails
// the way it does against a real host (401 with a challenge).
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitServer {
  url: string;
  root: string;
  /** Basic-auth password every request must carry (any user name). */
  token: string;
  /** The real git CLI with a fixed identity, in `cwd`. */
  git(cwd: string, ...args: string[]): Promise<string>;
  /**
   * Creates a bare repository `name.git` holding one commit of `files` on `main`; returns its clone URL. `extra` runs
   * after the files are staged, to stage more (links, gitlinks) itself.
   */
  createRepo(
    name: string,
    files: Record<string, string>,
    extra?: (work: string) => Promise<void>,
  ): Promise<string>;
  /** A fresh clone (with the CLI, over HTTP with the token) in a temporary folder. */
  clone(name: string): Promise<string>;
  close(): Promise<void>;
}

const identity = [
  '-c',
  'user.name=Remote Dev',
  '-c',
  'user.email=remote@example.com',
  '-c',
  'init.defaultBranch=main',
];

export async function startGitServer(token: string): Promise<GitServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'tandem-git-'));
  const repos = path.join(root, 'repos');
  await mkdir(repos);
  const git = async (cwd: string, ...args: string[]) =>
    (await run('git', [...identity, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 })).stdout;

  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const password = auth.startsWith('Basic ')
      ? Buffer.from(auth.slice(6), 'base64').toString().split(':').slice(1).join(':')
      : undefined;
    if (password !== token) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: repos,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: 'tester',
        REMOTE_ADDR: '127.0.0.1',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      },
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headerDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headerDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      res.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => res.end());
    child.on('error', () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const authed = (name: string) =>
    `http://tester:${token}@127.0.0.1:${(server.address() as AddressInfo).port}/${name}.git`;

  return {
    url: base,
    root,
    token,
    git,
    async createRepo(name, files, extra) {
      const bare = path.join(repos, `${name}.git`);
      await run('git', ['init', '--bare', '-b', 'main', bare]);
      await git(bare, 'config', 'http.receivepack', 'true');
      const work = path.join(root, `seed-${name}`);
      await run('git', ['init', '-b', 'main', work]);
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(work, file)), { recursive: true });
        await writeFile(path.join(work, file), content);
      }
      await git(work, 'add', '-A');
      await extra?.(work);
      await git(work, 'commit', '-q', '-m', 'Initial commit');
      await git(work, 'push', '-q', bare, 'main');
      return `${base}/${name}.git`;
    },
    async clone(name) {
      const target = await mkdtemp(path.join(root, `clone-${name}-`));
      await git(root, 'clone', '-q', authed(name), target);
      return target;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

export { symlink };
