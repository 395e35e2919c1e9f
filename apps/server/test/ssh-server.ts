// A real OpenSSH server on loopback for tests: Debian's sshd on a random port with its own host key and config,
// running as the current user, whose authorized keys send every login to `git-shell` (the way a git host limits a
// deploy key to git). Bare repositories are made with the real git CLI.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SshServer {
  port: number;
  user: string;
  root: string;
  /** The SHA256 fingerprint of the host key sshd presents now. */
  hostKeyFingerprint(): Promise<string>;
  /** Lets `publicKey` (an `ssh-ed25519 AAAA…` line) log in, for git only. */
  authorize(publicKey: string): Promise<void>;
  /** Creates a bare repository `name.git` with one commit of `files` on main; returns its ssh:// URL. */
  createRepo(name: string, files: Record<string, string>): Promise<{ url: string; bare: string }>;
  /**
   * Gives sshd a new host key (a restart on the same port), of another type if asked: what a changed or impersonated
   * host looks like.
   */
  changeHostKey(type?: 'ed25519' | 'ecdsa'): Promise<void>;
  close(): Promise<void>;
}

const identity = ['-c', 'user.name=Remote Dev', '-c', 'user.email=remote@example.com'];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startSshServer(): Promise<SshServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'tandem-sshd-'));
  const repos = path.join(root, 'repos');
  await mkdir(repos);
  const user = userInfo().username;
  const hostKey = path.join(root, 'host_key');
  const authorizedKeys = path.join(root, 'authorized_keys');
  await writeFile(authorizedKeys, '', { mode: 0o600 });
  // sshd started as root separates privileges into this directory.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = path.join(root, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(root, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `AllowUsers ${user}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PermitTTY no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  let sshd: ChildProcess | undefined;
  const newHostKey = async (type: 'ed25519' | 'ecdsa' = 'ed25519') => {
    await rm(hostKey, { force: true });
    await rm(`${hostKey}.pub`, { force: true });
    await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', hostKey]);
  };
  const start = async () => {
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    sshd = child;
    let said = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        said += chunk;
        if (said.includes('Server listening on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${said}`)));
    });
  };
  const stop = async () => {
    const child = sshd;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  await newHostKey();
  await start();
  return {
    port,
    user,
    root,
    async hostKeyFingerprint() {
      const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]);
      return stdout.split(' ')[1] ?? '';
    },
    async authorize(publicKey) {
      const options =
        'command="git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"",no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-pty';
      await appendFile(authorizedKeys, `${options} ${publicKey.trim()}\n`);
    },
    async createRepo(name, files) {
      const bare = path.join(repos, `${name}.git`);
      await run('git', ['init', '-q', '--bare', '-b', 'main', bare]);
      const work = path.join(root, `seed-${name}`);
      await run('git', ['init', '-q', '-b', 'main', work]);
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(work, file)), { recursive: true });
        await writeFile(path.join(work, file), content);
      }
      await run('git', [...identity, 'add', '-A'], { cwd: work });
      await run('git', [...identity, 'commit', '-q', '-m', 'Initial commit'], { cwd: work });
      await run('git', ['push', '-q', bare, 'main'], { cwd: work });
      return { url: `ssh://${user}@127.0.0.1:${port}${bare}`, bare };
    },
    async changeHostKey(type) {
      await stop();
      await newHostKey(type);
      await start();
    },
    async close() {
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
