// The network half of git over SSH. isomorphic-git speaks only HTTP, so fetch, ls-remote and push to an ssh remote
// run the real git CLI (the bare repository is the same on disk either way), with ssh locked down: the deploy key
// in a 0600 file of a private temporary folder removed afterwards, no agent, no user or system configuration, no
// password prompts, a connect timeout and keepalives, and the host's address resolved and checked here (the SSRF
// rules of guarded-http.ts).
//
// ssh does not connect to the host itself: it connects to a relay this module opens on loopback for one command,
// which connects to the checked address (so ssh never resolves the name again) and counts the bytes the host sends.
// That is where the download limit is enforced, at the byte: the git CLI has no limit of its own for a fetch, and
// watching the pack grow on disk misses a transfer that finishes between two looks. The relay takes one connection
// (git opens one ssh connection per command) and closes its listener; a local process that took that connection
// first would only make the command fail.
//
// Host keys: trust on first use. The first connection (git.connect) accepts the key the host presents and the
// service records it with the remote; every later connection requires exactly that key (StrictHostKeyChecking=yes)
// and a different one fails with GIT_HOST_KEY_CHANGED, whose details name the recorded key and the one the host
// presents now (read by a second connection that offers no key and runs nothing). An owner who checked the new key
// with the host accepts it by its fingerprint (`presentedHostKeys`, then the service's `trustHostKey`). Asking owners
// to paste a host key up front was the alternative: it is stricter on the very first connection, but few people
// have the key at hand, and the fingerprint Tandem shows after connecting can be checked against the one the host
// publishes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import {
  AppError,
  classifySshFailure,
  isAppError,
  parseKnownHosts,
  parseRemoteUrl,
  type RemoteUrl,
} from '@tandem/core';
import { checkedAddress } from './guarded-http.ts';

export interface SshAccess {
  /** The deploy key's private key, OpenSSH format. Written to disk only for the length of one operation. */
  privateKey: string;
  /** The host key recorded on connect (known_hosts text); null on the first connection, which records it. */
  knownHosts: string | null;
}

export interface SshRemote {
  url: string;
  ssh?: SshAccess | undefined;
  allowedHosts: string[];
  idleTimeoutMs: number;
  /** PATH for the git CLI and ssh. */
  searchPath: string;
}

export interface SshSession {
  /**
   * Runs `git <args>` against `gitdir` with the session's ssh; throws typed errors. The host may send at most
   * `maxDownloadBytes` (GIT_REPO_TOO_LARGE past it, with the partial pack removed).
   */
  git(gitdir: string, args: string[], options: { maxDownloadBytes: number }): Promise<string>;
  /** The known_hosts text after the commands ran (the host key recorded on a first connection). */
  knownHosts(): Promise<string>;
  url: string;
}

// No git operation may run longer than this, whatever ssh's keepalives say (a server can drip bytes forever).
const HARD_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_LIMIT = 64 * 1024;
/** What a host may send to a connection that only reads its host key (a banner and a key exchange). */
const SCAN_DOWNLOAD_LIMIT = 1024 * 1024;

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** A resolved and checked remote, and the private folder its key and known_hosts files live in. */
interface Setup {
  parsed: RemoteUrl;
  address: string;
  port: number;
  dir: string;
  idleTimeoutMs: number;
  searchPath: string;
}

async function withSetup<T>(remote: SshRemote, work: (setup: Setup) => Promise<T>): Promise<T> {
  const parsed = parseRemoteUrl(remote.url);
  if (parsed.protocol !== 'ssh') throw new AppError('INTERNAL', 'withSsh takes ssh remotes only');
  const target = await checkedAddress(parsed.host, remote.allowedHosts);
  const dir = await fs.promises.mkdtemp(nodePath.join(tmpdir(), 'tandem-ssh-'));
  try {
    await fs.promises.chmod(dir, 0o700);
    return await work({
      parsed,
      address: target.address,
      port: parsed.port ?? 22,
      dir,
      idleTimeoutMs: remote.idleTimeoutMs,
      searchPath: remote.searchPath,
    });
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

interface SshIdentity {
  /** The deploy key file; null offers no key (a connection that only reads the host key). */
  keyFile: string | null;
  knownHostsFile: string;
  /** Accept and record the key of a host that has none recorded (the first connection); otherwise require it. */
  record: boolean;
}

/** The ssh command line git runs, pointed at a relay on loopback port `relayPort`. */
function sshCommand(setup: Setup, identity: SshIdentity, relayPort: number): string {
  const seconds = Math.max(1, Math.ceil(setup.idleTimeoutMs / 1000));
  const options = [
    'IdentitiesOnly=yes',
    'IdentityAgent=none',
    'BatchMode=yes',
    'PasswordAuthentication=no',
    'KbdInteractiveAuthentication=no',
    ...(identity.keyFile === null ? ['PubkeyAuthentication=no'] : []),
    `ConnectTimeout=${seconds}`,
    `ServerAliveInterval=${seconds}`,
    'ServerAliveCountMax=2',
    'ProxyCommand=none',
    'ProxyJump=none',
    'ControlMaster=no',
    'ControlPath=none',
    'ForwardAgent=no',
    'ForwardX11=no',
    'ClearAllForwardings=yes',
    'PermitLocalCommand=no',
    'UpdateHostKeys=no',
    'CheckHostIP=no',
    'GlobalKnownHostsFile=/dev/null',
    `UserKnownHostsFile=${identity.knownHostsFile}`,
    `StrictHostKeyChecking=${identity.record ? 'accept-new' : 'yes'}`,
    // Keys are recorded and checked under the name the owner gave, while ssh connects to the relay (ssh takes the
    // first value of an option, so this Port wins over the `-p` git adds for a URL with a port).
    `HostKeyAlias=${setup.parsed.host}`,
    'HostName=127.0.0.1',
    `Port=${relayPort}`,
    'LogLevel=ERROR',
  ];
  return [
    'ssh',
    '-F',
    '/dev/null',
    ...(identity.keyFile === null ? [] : ['-i', quote(identity.keyFile)]),
    ...options.flatMap((option) => ['-o', quote(option)]),
  ].join(' ');
}

interface Relay {
  port: number;
  /** Whether the host sent more than the limit (the connection was cut there). */
  overLimit(): boolean;
  close(): void;
}

/** A loopback listener that relays one connection to the checked address and cuts it past `maxDownloadBytes`. */
async function openRelay(setup: Setup, maxDownloadBytes: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let received = 0;
  let over = false;
  const server = net.createServer((local) => {
    server.close();
    const upstream = net.connect({ host: setup.address, port: setup.port });
    sockets.add(local).add(upstream);
    // ssh's ConnectTimeout covers the connection to the relay; this covers the relay's own connection.
    upstream.setTimeout(setup.idleTimeoutMs, () => upstream.destroy());
    upstream.once('connect', () => upstream.setTimeout(0));
    const cut = () => {
      local.destroy();
      upstream.destroy();
    };
    local.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    local.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > maxDownloadBytes) {
        over = true;
        cut();
        return;
      }
      if (!local.write(chunk)) {
        upstream.pause();
        local.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => local.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    overLimit: () => over,
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** Removes what a cut-off fetch leaves in the pack folder (index-pack's temporary pack and index files). */
async function removePartialPacks(gitdir: string): Promise<void> {
  const packs = nodePath.join(gitdir, 'objects', 'pack');
  for (const name of await fs.promises.readdir(packs).catch(() => [] as string[])) {
    if (name.startsWith('tmp_')) await fs.promises.rm(nodePath.join(packs, name), { force: true });
  }
}

/** Runs `git <args>` over ssh through a relay of its own; throws typed errors. */
async function sshGit(
  setup: Setup,
  identity: SshIdentity,
  gitdir: string,
  args: string[],
  maxDownloadBytes: number,
): Promise<string> {
  const relay = await openRelay(setup, maxDownloadBytes);
  const env = {
    PATH: setup.searchPath,
    HOME: setup.dir,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_SSH_COMMAND: sshCommand(setup, identity, relay.port),
    GIT_SSH_VARIANT: 'ssh',
    GIT_ALLOW_PROTOCOL: 'ssh',
  };
  try {
    return await runGit(gitdir, args, env);
  } catch (error) {
    if (!relay.overLimit()) throw error;
    await removePartialPacks(gitdir);
    throw new AppError(
      'GIT_REPO_TOO_LARGE',
      `The repository is larger than the ${maxDownloadBytes} bytes a workspace may download.`,
      { details: { maxDownloadBytes } },
    );
  } finally {
    relay.close();
  }
}

/**
 * The host keys `setup`'s host presents now, as known_hosts text under the name the owner gave (what a first
 * connection records). The connection offers no key, so the host refuses it right after the key exchange: nothing
 * runs there, and no deploy key is needed.
 */
async function readPresentedKeys(setup: Setup, gitdir: string): Promise<string> {
  const knownHostsFile = nodePath.join(setup.dir, `presented-${process.hrtime.bigint()}`);
  await fs.promises.writeFile(knownHostsFile, '', { mode: 0o600, flag: 'wx' });
  try {
    await sshGit(
      setup,
      { keyFile: null, knownHostsFile, record: true },
      gitdir,
      ['ls-remote', '--heads', setup.parsed.href, 'refs/heads/tandem-host-key-probe'],
      SCAN_DOWNLOAD_LIMIT,
    );
  } catch (error) {
    // Refused for want of a key is the expected end; anything else (unreachable, refused address) is the answer.
    if (!isAppError(error) || error.code !== 'GIT_AUTH') throw error;
  }
  const presented = await fs.promises.readFile(knownHostsFile, 'utf8');
  if (parseKnownHosts(presented).length === 0) {
    throw new AppError('GIT_UNREACHABLE', 'The SSH host presented no host key.');
  }
  return presented;
}

const fingerprints = (knownHosts: string | null) =>
  parseKnownHosts(knownHosts ?? '').map(({ type, fingerprint }) => ({ type, fingerprint }));

/**
 * The host keys an ssh remote's host presents now (known_hosts text, as a first connection records it), through the
 * same checked address and locked-down ssh as every operation. `gitdir` is any repository (git needs one to run in);
 * nothing is written to it.
 */
export function presentedHostKeys(remote: SshRemote, gitdir: string): Promise<string> {
  return withSetup(remote, (setup) => readPresentedKeys(setup, gitdir));
}

/** Runs `work` with a temporary ssh setup for `remote`; the key file and folder are removed afterwards. */
export async function withSsh<T>(remote: SshRemote, work: (session: SshSession) => Promise<T>): Promise<T> {
  const access = remote.ssh;
  if (!access) {
    throw new AppError(
      'GIT_AUTH',
      'An SSH remote needs a deploy key: create one and add it to the host first.',
    );
  }
  return withSetup(remote, async (setup) => {
    const keyFile = nodePath.join(setup.dir, 'id');
    const knownHostsFile = nodePath.join(setup.dir, 'known_hosts');
    await fs.promises.writeFile(keyFile, access.privateKey, { mode: 0o600, flag: 'wx' });
    await fs.promises.writeFile(knownHostsFile, access.knownHosts ?? '', { mode: 0o600, flag: 'wx' });
    const identity: SshIdentity = { keyFile, knownHostsFile, record: !access.knownHosts };
    const session: SshSession = {
      url: setup.parsed.href,
      git: async (gitdir, args, { maxDownloadBytes }) => {
        try {
          return await sshGit(setup, identity, gitdir, args, maxDownloadBytes);
        } catch (error) {
          if (!isAppError(error) || error.code !== 'GIT_HOST_KEY_CHANGED') throw error;
          // Name both keys, so an owner can compare them and accept the new one if the host confirms it.
          const presented = await readPresentedKeys(setup, gitdir).catch(() => null);
          throw new AppError(error.code, error.message, {
            details: {
              ...error.details,
              recorded: fingerprints(access.knownHosts),
              presented: fingerprints(presented),
            },
          });
        }
      },
      knownHosts: () => fs.promises.readFile(knownHostsFile, 'utf8'),
    };
    return work(session);
  });
}

function runGit(gitdir: string, args: string[], env: Record<string, string>): Promise<string> {
  const fullArgs = [
    '-c',
    'core.hooksPath=/dev/null',
    '-c',
    'protocol.allow=never',
    '-c',
    'protocol.ssh.allow=always',
    '-c',
    'gc.auto=0',
    '-c',
    'fetch.unpackLimit=1',
    `--git-dir=${gitdir}`,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: HARD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-OUTPUT_LIMIT);
    });
    child.on('error', (error) => {
      reject(new AppError('INTERNAL', `git could not be started: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve(stdout);
        return;
      }
      if (signal) {
        reject(new AppError('GIT_UNREACHABLE', `git over SSH was stopped (${signal}) before it finished.`));
        return;
      }
      // push --porcelain reports a rejected ref on stdout.
      reject(sshError(`${stdout}\n${stderr}`));
    });
  });
}

/** The typed error for what git and ssh printed; the text is kept short and carries no key material. */
function sshError(stderr: string): AppError {
  const { code, reason } = classifySshFailure(stderr);
  const said = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('@') && !/^[A-Za-z0-9+/=]{40,}$/.test(line))
    .slice(-3)
    .join(' ')
    .slice(0, 500);
  const messages: Record<typeof code, string> = {
    GIT_HOST_KEY_CHANGED:
      "The SSH host's key is not the one recorded for this remote. If the host really changed its key, check the new fingerprint with its owners; an owner can then accept it. Otherwise someone may be in between.",
    GIT_AUTH:
      'The SSH host refused the deploy key: add its public key to the repository (with write access to push).',
    GIT_UNREACHABLE: `The SSH host could not be reached: ${said}`,
    GIT_NON_FAST_FORWARD:
      'The remote branch has commits this workspace does not have; pull them first, then push again.',
    GIT_REMOTE_ERROR: `The SSH remote refused the operation: ${said}`,
  };
  return new AppError(code, messages[code], {
    details: code === 'GIT_NON_FAST_FORWARD' ? { reason, suggestion: 'pull' } : { reason },
  });
}

/** The branch the remote's HEAD points at, or null for an empty repository. */
export async function remoteDefaultBranch(
  session: SshSession,
  gitdir: string,
  maxDownloadBytes: number,
): Promise<string | null> {
  const out = await session.git(gitdir, ['ls-remote', '--symref', session.url, 'HEAD'], { maxDownloadBytes });
  const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
  return match?.[1] ?? null;
}
