import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseRemoteUrl } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../../test/git-server.ts';
import { openRelay, withRemote, type RemoteAccess } from './transport.ts';

const TOKEN = 'transport-token';
const listen = async (server: Server | net.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
};
/** A relay to a listener on loopback: git's SOCKS5 proxy (HTTP remotes), or a plain one (ssh). */
const relayTo = (port: number, mode: 'socks' | 'direct', maxDownloadBytes: number) =>
  openRelay(
    {
      parsed: parseRemoteUrl(`${mode === 'socks' ? 'http' : 'ssh'}://127.0.0.1:${port}/r.git`),
      address: '127.0.0.1',
      port,
      idleTimeoutMs: 5_000,
    },
    maxDownloadBytes,
    mode,
  );

describe('the git transport (the git CLI through a checked relay)', () => {
  let remote: GitServer;
  let dir: string;
  let gitdir: string;
  const access = (url: string, overrides: Partial<RemoteAccess> = {}): RemoteAccess => ({
    url,
    auth: { username: 'tandem', password: TOKEN },
    allowedHosts: ['127.0.0.1'],
    idleTimeoutMs: 1_000,
    searchPath: process.env.PATH ?? '/usr/bin:/bin',
    ...overrides,
  });
  const lsRemote = (remoteAccess: RemoteAccess, maxDownloadBytes = 1_000_000) =>
    withRemote(remoteAccess, (session) =>
      session.git(gitdir, ['ls-remote', session.url], { maxDownloadBytes }),
    );

  beforeAll(async () => {
    remote = await startGitServer(TOKEN);
    dir = await mkdtemp(path.join(tmpdir(), 'tandem-transport-'));
    gitdir = path.join(dir, 'repo.git');
    await remote.git(dir, 'init', '--bare', gitdir);
  });
  afterAll(async () => {
    await remote.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches the remote with the credential, and is refused without it', async () => {
    const url = await remote.createRepo('plain', { 'a.txt': 'a\n' });
    expect(await lsRemote(access(url))).toMatch(/\trefs\/heads\/main\n/);
    await expect(lsRemote(access(url, { auth: undefined }))).rejects.toMatchObject({ code: 'GIT_AUTH' });
    await expect(
      lsRemote(access(url, { auth: { username: 'tandem', password: 'wrong' } })),
    ).rejects.toMatchObject({ code: 'GIT_AUTH' });
  });

  it('does not follow a redirect to another place', async () => {
    let elsewhere = 0;
    const other = createServer((_req, res) => {
      elsewhere += 1;
      res.end();
    });
    const otherPort = await listen(other);
    const redirecting = createServer((_req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${otherPort}/r.git/info/refs` }).end(),
    );
    const port = await listen(redirecting);
    try {
      await expect(lsRemote(access(`http://127.0.0.1:${port}/r.git`))).rejects.toMatchObject({
        code: 'GIT_REMOTE_ERROR',
      });
      expect(elsewhere).toBe(0);
    } finally {
      redirecting.close();
      other.close();
    }
  });

  it('cuts a download past the limit, counted over all of a command’s requests', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`f${i}.txt`, `${randomBytes(1500).toString('base64')}\n`]),
    );
    const url = await remote.createRepo('large', files);
    // The refs alone fit; the pack does not.
    expect(await lsRemote(access(url), 20_000)).toContain('refs/heads/main');
    await expect(
      withRemote(access(url), (session) =>
        session.git(gitdir, ['fetch', session.url, '+refs/heads/main:refs/remotes/large/main'], {
          maxDownloadBytes: 20_000,
        }),
      ),
    ).rejects.toMatchObject({ code: 'GIT_REPO_TOO_LARGE' });
  });

  it('gives up on a remote that stops sending', async () => {
    const stalled = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      res.write('001e# service=git-upload-pack\n');
    });
    const port = await listen(stalled);
    try {
      const started = Date.now();
      await expect(lsRemote(access(`http://127.0.0.1:${port}/r.git`))).rejects.toMatchObject({
        code: 'GIT_UNREACHABLE',
      });
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      stalled.closeAllConnections();
      stalled.close();
    }
  });

  it('relays only to the remote’s own host and port', async () => {
    const target = net.createServer((socket) => socket.end('hello'));
    const port = await listen(target);
    const relay = await relayTo(port, 'socks', 1_000);
    const ask = (host: number[], askedPort: number) =>
      new Promise<Buffer>((resolve) => {
        const parts: Buffer[] = [];
        const socket = net.connect(relay.port, '127.0.0.1', () => {
          socket.write(Buffer.from([5, 1, 0]));
          socket.write(Buffer.from([5, 1, 0, 1, ...host, askedPort >> 8, askedPort & 255]));
        });
        socket.on('data', (chunk: Buffer) => parts.push(chunk));
        socket.on('close', () => resolve(Buffer.concat(parts)));
      });
    try {
      // Greeting accepted (no authentication), then the CONNECT refused (2: not allowed by the rule set).
      expect([...(await ask([10, 0, 0, 1], port))]).toEqual([5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0]);
      expect(relay.failure()).toMatchObject({ code: 'GIT_URL_REFUSED' });
      // The remote's own host and port: connected (0), then the host's bytes.
      const reply = await ask([127, 0, 0, 1], port);
      expect([...reply.subarray(0, 12)]).toEqual([5, 0, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
      expect(reply.subarray(12).toString()).toBe('hello');
    } finally {
      relay.close();
      target.close();
    }
  });
  it('passes small writes on at once, in both directions', async () => {
    // git's requests and the host's answers go in small pieces: a relay socket that held a piece until the previous
    // one was acknowledged (Nagle's algorithm, on by default) waited out the peer's delayed acknowledgement, 40 ms
    // on Linux, several times a request (about 70 ms of a 5,000-file clone).
    const ROUNDS = 30;
    const target = net.createServer((socket) => {
      socket.setNoDelay(true);
      let seen = 0;
      socket.on('data', (chunk: Buffer) => {
        seen += chunk.byteLength;
        if (seen % 2 !== 0) return;
        socket.write('o');
        setTimeout(() => socket.write('k'), 2);
      });
    });
    const port = await listen(target);
    const relay = await relayTo(port, 'direct', 1_000_000);
    const socket = net.connect({ port: relay.port, host: '127.0.0.1', noDelay: true });
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      let received = 0;
      const started = performance.now();
      for (let round = 1; round <= ROUNDS; round += 1) {
        const answered = new Promise<void>((resolve) => {
          const onData = (chunk: Buffer) => {
            received += chunk.byteLength;
            if (received < 2 * round) return;
            socket.off('data', onData);
            resolve();
          };
          socket.on('data', onData);
        });
        socket.write('a');
        await delay(2);
        socket.write('b');
        await answered;
      }
      const perRound = (performance.now() - started) / ROUNDS;
      // Held pieces cost at least 40 ms a round; passed on at once, a round takes the two 2 ms pauses and little more.
      expect(perRound).toBeLessThan(30);
    } finally {
      socket.destroy();
      relay.close();
      target.close();
    }
  });
});
