// The network half of git over SSH. isomorphic-git speaks only HTTP, so fetch, ls-remote and push to an ssh remote
// run the real git CLI (the bare repository is the same on disk either way), with ssh locked down: the deploy key
// in a 0600 file of a private temporary folder removed afterwards, no agent, no user or system configuration, no
// password prompts, a connect timeout and keepalives, and the host's address resolved and checked here (the SSRF
// rules of guarded-http.ts) and pinned with `HostName`, so ssh never resolves the name again.
//
// Host keys: trust on first use. The first connection (git.connect) accepts the key the host presents and the
// service records it with the remote; every later connection requires exactly that key (StrictHostKeyChecking=yes)
// and a different one fails with GIT_HOST_KEY_CHANGED. Asking owners to paste a host key up front was the
// alternative: it is stricter on the very first connection, but few people have the key at hand, and the
// fingerprint Tandem shows after connecting can be checked against the one the host publishes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { AppError, classifySshFailure, parseRemoteUrl } from '@tandem/core';
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
  /** Runs `git <args>` against `gitdir` with the session's ssh; throws typed errors. */
  git(gitdir: string, args: string[], options?: { maxDownloadBytes?: number }): Promise<string>;
  /** The known_hosts text after the commands ran (the host key recorded on a first connection). */
  knownHosts(): Promise<string>;
  url: string;
}

// No git operation may run longer than this, whatever ssh's keepalives say (a server can drip bytes forever).
const HARD_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_LIMIT = 64 * 1024;

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Runs `work` with a temporary ssh setup for `remote`; the key file and folder are removed afterwards. */
export async function withSsh<T>(remote: SshRemote, work: (session: SshSession) => Promise<T>): Promise<T> {
  const parsed = parseRemoteUrl(remote.url);
  if (parsed.protocol !== 'ssh') throw new AppError('INTERNAL', 'withSsh takes ssh remotes only');
  if (!remote.ssh) {
    throw new AppError(
      'GIT_AUTH',
      'An SSH remote needs a deploy key: create one and add it to the host first.',
    );
  }
  const target = await checkedAddress(parsed.host, remote.allowedHosts);
  const dir = await fs.promises.mkdtemp(nodePath.join(tmpdir(), 'tandem-ssh-'));
  try {
    await fs.promises.chmod(dir, 0o700);
    const keyFile = nodePath.join(dir, 'id');
    const knownHostsFile = nodePath.join(dir, 'known_hosts');
    await fs.promises.writeFile(keyFile, remote.ssh.privateKey, { mode: 0o600, flag: 'wx' });
    await fs.promises.writeFile(knownHostsFile, remote.ssh.knownHosts ?? '', { mode: 0o600, flag: 'wx' });
    const seconds = Math.max(1, Math.ceil(remote.idleTimeoutMs / 1000));
    const options = [
      'IdentitiesOnly=yes',
      'IdentityAgent=none',
      'BatchMode=yes',
      'PasswordAuthentication=no',
      'KbdInteractiveAuthentication=no',
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
      'GlobalKnownHostsFile=/dev/null',
      `UserKnownHostsFile=${knownHostsFile}`,
      `StrictHostKeyChecking=${remote.ssh.knownHosts ? 'yes' : 'accept-new'}`,
      // Keys are recorded and checked under the name the owner gave, while ssh connects to the address checked here.
      `HostKeyAlias=${parsed.host}`,
      `HostName=${target.address}`,
      'LogLevel=ERROR',
    ];
    const sshCommand = [
      'ssh',
      '-F',
      '/dev/null',
      '-i',
      quote(keyFile),
      ...options.flatMap((option) => ['-o', quote(option)]),
    ].join(' ');
    const env = {
      PATH: remote.searchPath,
      HOME: dir,
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '/bin/false',
      SSH_ASKPASS: '/bin/false',
      GIT_SSH_COMMAND: sshCommand,
      GIT_SSH_VARIANT: 'ssh',
      GIT_ALLOW_PROTOCOL: 'ssh',
    };
    const session: SshSession = {
      url: parsed.href,
      git: (gitdir, args, runOptions = {}) => runGit(gitdir, args, env, runOptions.maxDownloadBytes),
      knownHosts: () => fs.promises.readFile(knownHostsFile, 'utf8'),
    };
    return await work(session);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Bytes of packs being received into `gitdir` (fetch keeps every pack: fetch.unpackLimit=1). */
async function incomingPackBytes(gitdir: string): Promise<number> {
  const packs = nodePath.join(gitdir, 'objects', 'pack');
  let total = 0;
  for (const name of await fs.promises.readdir(packs).catch(() => [] as string[])) {
    if (!name.startsWith('tmp_pack_')) continue;
    total += (await fs.promises.stat(nodePath.join(packs, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

function runGit(
  gitdir: string,
  args: string[],
  env: Record<string, string>,
  maxDownloadBytes: number | undefined,
): Promise<string> {
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
    let tooLarge = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-OUTPUT_LIMIT);
    });
    // The git CLI has no download limit for fetches: the pack being received is watched instead.
    const watch =
      maxDownloadBytes === undefined
        ? undefined
        : setInterval(() => {
            void incomingPackBytes(gitdir).then((bytes) => {
              if (bytes > maxDownloadBytes && !tooLarge) {
                tooLarge = true;
                child.kill('SIGKILL');
              }
            });
          }, 200);
    child.on('error', (error) => {
      clearInterval(watch);
      reject(new AppError('INTERNAL', `git could not be started: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearInterval(watch);
      if (tooLarge) {
        reject(
          new AppError(
            'GIT_REPO_TOO_LARGE',
            `The repository is larger than the ${maxDownloadBytes} bytes a workspace may download.`,
            { details: { maxDownloadBytes } },
          ),
        );
        return;
      }
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
      "The SSH host's key is not the one recorded when this workspace was connected. If the host really changed its key, check the new fingerprint with its owner and connect again; otherwise someone may be in between.",
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
export async function remoteDefaultBranch(session: SshSession, gitdir: string): Promise<string | null> {
  const out = await session.git(gitdir, ['ls-remote', '--symref', session.url, 'HEAD']);
  const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
  return match?.[1] ?? null;
}
