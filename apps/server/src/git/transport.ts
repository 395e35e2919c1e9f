// The network half of git: fetch, ls-remote and push run the real git CLI on the workspace's bare repository (from
// the git worker thread), over HTTP(S) or ssh, locked down: no user or system configuration, no hooks, no prompts,
// no credential helpers, only the remote's own protocol, and a private temporary HOME removed afterwards.
//
// Why the CLI and not isomorphic-git's HTTP client: connecting a 5,000-file repository took four times as long as
// `git clone` of it, nearly all of it isomorphic-git receiving and indexing the pack in JavaScript; git's own
// index-pack does that natively. Reading objects afterwards is ours either way (object-store.ts).
//
// git never reaches the network itself. It connects to a relay this module opens on loopback for one command, which
// connects only to the remote's host and port, at the address resolved and checked here by the SSRF rules (so DNS is
// not asked twice, and no redirect or other host gets through), and counts the bytes the host sends. That is where
// the download limit is enforced, at the byte: the git CLI has no limit of its own for a fetch, and watching the
// pack grow on disk misses a transfer that finishes between two looks.
// - HTTP(S): git (curl) uses the relay as its SOCKS5 proxy, one connection per request; TLS runs end to end through
//   it, so certificates are checked against the host's own name. Credentials go in an Authorization header set
//   through the environment (never on a command line another process could read), redirects are not followed, and a
//   transfer slower than a byte a second for the idle timeout fails.
// - ssh: ssh connects to the relay as if it were the host. The relay takes one connection (git opens one ssh
//   connection per command) and closes its listener; a local process that took that connection first would only
//   make the command fail.
//
// Host keys (ssh): trust on first use. The first connection (git.connect) accepts the key the host presents and the
// service records it with the remote; every later connection requires exactly that key (StrictHostKeyChecking=yes)
// and a different one fails with GIT_HOST_KEY_CHANGED, whose details name the recorded key and the one the host
// presents now (read by a second connection that offers no key and runs nothing). An owner who checked the new key
// with the host accepts it by its fingerprint (`presentedHostKeys`, then the service's `trustHostKey`). Asking owners
// to paste a host key up front was the alternative: it is stricter on the very first connection, but few people
// have the key at hand, and the fingerprint Tandem shows after connecting can be checked against the one the host
// publishes.
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import {
  AppError,
  checkRemoteAddresses,
  classifyRemoteFailure,
  isAppError,
  parseKnownHosts,
  parseRemoteUrl,
  type RemoteUrl,
} from '@tandem/core';

export interface SshAccess {
  /** The deploy key's private key, OpenSSH format. Written to disk only for the length of one operation. */
  privateKey: string;
  /** The host key recorded on connect (known_hosts text); null on the first connection, which records it. */
  knownHosts: string | null;
}

export interface RemoteAccess {
  url: string;
  /** HTTP(S) basic auth; absent for a public remote. */
  auth: { username: string; password: string } | undefined;
  /** The deploy key and recorded host key of an ssh remote. */
  ssh?: SshAccess | undefined;
  allowedHosts: string[];
  /** Connecting, or a transfer that stalls, fails with GIT_UNREACHABLE after this long. */
  idleTimeoutMs: number;
  /** PATH for the git CLI and ssh. */
  searchPath: string;
}

export interface RemoteSession {
  /**
   * Runs `git <args>` against `gitdir` with the session's transport; throws typed errors. The host may send at most
   * `maxDownloadBytes` (GIT_REPO_TOO_LARGE past it, with the partial pack removed).
   */
  git(gitdir: string, args: string[], options: { maxDownloadBytes: number }): Promise<string>;
  /** ssh: the known_hosts text after the commands ran (the host key recorded on a first connection); else null. */
  knownHosts(): Promise<string | null>;
  /** The remote's URL as git is given it. */
  url: string;
}

// No git operation may run longer than this, whatever the timeouts say (a server can drip bytes forever).
const HARD_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_LIMIT = 64 * 1024;
/** What a host may send to a connection that only reads its host key (a banner and a key exchange). */
const SCAN_DOWNLOAD_LIMIT = 1024 * 1024;
const DEFAULT_PORTS = { ssh: 22, https: 443, http: 80 } as const;

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/** Resolves and checks `host` by the SSRF rules; the returned address is the one to connect to. */
export async function checkedAddress(
  host: string,
  allowedHosts: readonly string[],
): Promise<{ address: string; family: number }> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (error) {
    throw new AppError('GIT_UNREACHABLE', `The remote host ${host} could not be resolved.`, {
      details: { host },
      cause: error,
    });
  }
  checkRemoteAddresses(
    host,
    addresses.map((a) => a.address),
    allowedHosts,
  );
  const first = addresses[0];
  if (!first) throw new AppError('GIT_UNREACHABLE', `The remote host ${host} has no address.`);
  return first;
}

/** A resolved and checked remote, and the private folder its HOME, key and known_hosts files live in. */
interface Setup {
  parsed: RemoteUrl;
  address: string;
  port: number;
  dir: string;
  idleTimeoutMs: number;
  searchPath: string;
}

async function withSetup<T>(remote: RemoteAccess, work: (setup: Setup) => Promise<T>): Promise<T> {
  const parsed = parseRemoteUrl(remote.url);
  const target = await checkedAddress(parsed.host, remote.allowedHosts);
  const dir = await fs.promises.mkdtemp(nodePath.join(tmpdir(), 'tandem-git-'));
  try {
    await fs.promises.chmod(dir, 0o700);
    return await work({
      parsed,
      address: target.address,
      port: parsed.port ?? DEFAULT_PORTS[parsed.protocol],
      dir,
      idleTimeoutMs: remote.idleTimeoutMs,
      searchPath: remote.searchPath,
    });
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

export interface Relay {
  port: number;
  /** What the relay saw go wrong (the download limit passed, the host unreachable, another host asked for). */
  failure(): AppError | null;
  close(): void;
}

/** A host name or address in one spelling, to compare what git asks the relay for with the remote's host. */
function canonicalHost(host: string): string {
  if (net.isIPv6(host)) return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  return host.toLowerCase();
}

type SocksRequest = { host: string; port: number; used: number } | 'incomplete' | 'unsupported';

/** The destination of a SOCKS5 CONNECT request at the start of `data` (after the greeting). */
function readSocksRequest(data: Buffer): SocksRequest {
  if (data.length < 5) return 'incomplete';
  if (data[0] !== 5 || data[1] !== 1) return 'unsupported';
  const type = data[3];
  let host: string;
  let at: number;
  if (type === 1) {
    if (data.length < 10) return 'incomplete';
    host = [...data.subarray(4, 8)].join('.');
    at = 8;
  } else if (type === 3) {
    const length = data[4] ?? 0;
    if (data.length < 7 + length) return 'incomplete';
    host = data.subarray(5, 5 + length).toString('latin1');
    at = 5 + length;
  } else if (type === 4) {
    if (data.length < 22) return 'incomplete';
    const groups: string[] = [];
    for (let i = 4; i < 20; i += 2) groups.push(data.readUInt16BE(i).toString(16));
    host = groups.join(':');
    at = 20;
  } else {
    return 'unsupported';
  }
  return { host, port: data.readUInt16BE(at), used: at + 2 };
}

const SOCKS_REPLY = (status: number) => Buffer.from([5, status, 0, 1, 0, 0, 0, 0, 0, 0]);
const SOCKS_NOT_ALLOWED = 2;
const SOCKS_UNSUPPORTED = 7;

/**
 * A loopback listener that relays to the checked address and cuts every connection once the host has sent more
 * than `maxDownloadBytes` over all of them. `socks`: each connection first asks for its destination (SOCKS5, no
 * authentication), which must be the remote's host and port; otherwise the relay takes one connection, as is.
 */
export async function openRelay(
  setup: Pick<Setup, 'parsed' | 'address' | 'port' | 'idleTimeoutMs'>,
  maxDownloadBytes: number,
  mode: 'socks' | 'direct',
): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let received = 0;
  let failure: AppError | null = null;
  const fail = (error: AppError) => {
    failure ??= error;
  };
  const wanted = new Set([canonicalHost(setup.parsed.host), canonicalHost(setup.address)]);

  /** Connects `local` to the host; `first` is what the client already sent past its handshake. */
  const relay = (local: net.Socket, first: Buffer, onConnected: () => void) => {
    // Each piece goes on at once: held until the previous one was acknowledged (Nagle's algorithm), a piece waited
    // out the peer's delayed acknowledgement, 40 ms on Linux, several times a request (70 ms of a 5,000-file clone).
    const upstream = net.connect({ host: setup.address, port: setup.port, noDelay: true });
    local.setNoDelay(true);
    sockets.add(upstream);
    let connected = false;
    const cut = () => {
      local.destroy();
      upstream.destroy();
    };
    upstream.setTimeout(setup.idleTimeoutMs, () => {
      fail(
        new AppError(
          'GIT_UNREACHABLE',
          `The remote ${setup.parsed.host} did not answer within ${setup.idleTimeoutMs} ms.`,
          { details: { host: setup.parsed.host } },
        ),
      );
      cut();
    });
    upstream.once('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      onConnected();
      if (first.length > 0) upstream.write(first);
      local.pipe(upstream);
    });
    upstream.on('error', (error) => {
      if (!connected) {
        fail(
          new AppError(
            'GIT_UNREACHABLE',
            `The remote ${setup.parsed.host} could not be reached: ${error.message}`,
            {
              details: { host: setup.parsed.host },
            },
          ),
        );
      }
      cut();
    });
    upstream.on('close', cut);
    local.on('error', cut).on('close', cut);
    upstream.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (received > maxDownloadBytes) {
        fail(
          new AppError(
            'GIT_REPO_TOO_LARGE',
            `The repository is larger than the ${maxDownloadBytes} bytes a workspace may download.`,
            { details: { maxDownloadBytes } },
          ),
        );
        cut();
        return;
      }
      if (!local.write(chunk)) {
        upstream.pause();
        local.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => local.end());
  };

  const socks = (local: net.Socket) => {
    let data = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (!greeted) {
        const methods = data[1];
        if (data.length < 2 || methods === undefined || data.length < 2 + methods) return;
        if (data[0] !== 5 || !data.subarray(2, 2 + methods).includes(0)) {
          local.end(Buffer.from([5, 0xff]));
          return;
        }
        local.write(Buffer.from([5, 0]));
        data = data.subarray(2 + methods);
        greeted = true;
      }
      const request = readSocksRequest(data);
      if (request === 'incomplete') return;
      local.off('data', onData).pause();
      if (request === 'unsupported') {
        local.end(SOCKS_REPLY(SOCKS_UNSUPPORTED));
        return;
      }
      if (!wanted.has(canonicalHost(request.host)) || request.port !== setup.port) {
        fail(
          new AppError(
            'GIT_URL_REFUSED',
            `The remote sent git to another host (${request.host}:${request.port}); only ${setup.parsed.host} is allowed.`,
            { details: { host: request.host } },
          ),
        );
        local.end(SOCKS_REPLY(SOCKS_NOT_ALLOWED));
        return;
      }
      relay(local, data.subarray(request.used), () => local.write(SOCKS_REPLY(0)));
    };
    local.on('data', onData);
    local.on('error', () => local.destroy());
  };

  const server = net.createServer((local) => {
    sockets.add(local);
    if (mode === 'direct') {
      server.close();
      relay(local, Buffer.alloc(0), () => undefined);
    } else {
      socks(local);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    failure: () => failure,
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

/** The environment every git command runs in: nothing of the server's own, no prompts, one protocol. */
function baseEnv(setup: Setup, config: [string, string][]): Record<string, string> {
  const env: Record<string, string> = {
    PATH: setup.searchPath,
    HOME: setup.dir,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
    GIT_ALLOW_PROTOCOL: setup.parsed.protocol,
    GIT_CONFIG_COUNT: String(config.length),
  };
  // Where the operator keeps extra certificate authorities for curl.
  for (const name of ['SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

const idleSeconds = (setup: Setup) => Math.max(1, Math.ceil(setup.idleTimeoutMs / 1000));

interface SshIdentity {
  /** The deploy key file; null offers no key (a connection that only reads the host key). */
  keyFile: string | null;
  knownHostsFile: string;
  /** Accept and record the key of a host that has none recorded (the first connection); otherwise require it. */
  record: boolean;
}

/** The ssh command line git runs, pointed at a relay on loopback port `relayPort`. */
function sshCommand(setup: Setup, identity: SshIdentity, relayPort: number): string {
  const seconds = idleSeconds(setup);
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

/** How git reaches the remote for one command: the environment, given the relay's port. */
type Transport = { mode: 'socks' | 'direct'; env: (relayPort: number) => Record<string, string> };

function httpTransport(setup: Setup, auth: RemoteAccess['auth']): Transport {
  const config: [string, string][] = [
    ['credential.helper', ''],
    ['http.followRedirects', 'false'],
    ['http.lowSpeedLimit', '1'],
    ['http.lowSpeedTime', String(idleSeconds(setup))],
  ];
  if (auth) {
    const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
  }
  return {
    mode: 'socks',
    env: (relayPort) => baseEnv(setup, [...config, ['http.proxy', `socks5h://127.0.0.1:${relayPort}`]]),
  };
}

function sshTransport(setup: Setup, identity: SshIdentity): Transport {
  return {
    mode: 'direct',
    env: (relayPort) => ({
      ...baseEnv(setup, []),
      GIT_SSH_COMMAND: sshCommand(setup, identity, relayPort),
      GIT_SSH_VARIANT: 'ssh',
    }),
  };
}

/** Runs `git <args>` through a relay of its own; throws typed errors. */
async function relayedGit(
  setup: Setup,
  transport: Transport,
  gitdir: string,
  args: string[],
  maxDownloadBytes: number,
): Promise<string> {
  const relay = await openRelay(setup, maxDownloadBytes, transport.mode);
  try {
    return await runGit(setup, gitdir, args, transport.env(relay.port));
  } catch (error) {
    const seen = relay.failure();
    if (!seen) throw error;
    if (seen.code === 'GIT_REPO_TOO_LARGE') await removePartialPacks(gitdir);
    throw seen;
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
    await relayedGit(
      setup,
      sshTransport(setup, { keyFile: null, knownHostsFile, record: true }),
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
export function presentedHostKeys(remote: RemoteAccess, gitdir: string): Promise<string> {
  if (parseRemoteUrl(remote.url).protocol !== 'ssh') {
    throw new AppError('BAD_INPUT', 'Only SSH remotes have host keys.');
  }
  return withSetup(remote, (setup) => readPresentedKeys(setup, gitdir));
}

async function sshSession(setup: Setup, access: SshAccess): Promise<RemoteSession> {
  const keyFile = nodePath.join(setup.dir, 'id');
  const knownHostsFile = nodePath.join(setup.dir, 'known_hosts');
  await fs.promises.writeFile(keyFile, access.privateKey, { mode: 0o600, flag: 'wx' });
  await fs.promises.writeFile(knownHostsFile, access.knownHosts ?? '', { mode: 0o600, flag: 'wx' });
  const transport = sshTransport(setup, { keyFile, knownHostsFile, record: !access.knownHosts });
  return {
    url: setup.parsed.href,
    git: async (gitdir, args, { maxDownloadBytes }) => {
      try {
        return await relayedGit(setup, transport, gitdir, args, maxDownloadBytes);
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
}

/** Runs `work` with a session on `remote`; the temporary folder (and an ssh key's file) is removed afterwards. */
export async function withRemote<T>(
  remote: RemoteAccess,
  work: (session: RemoteSession) => Promise<T>,
): Promise<T> {
  const ssh = parseRemoteUrl(remote.url).protocol === 'ssh';
  if (ssh && !remote.ssh) {
    throw new AppError(
      'GIT_AUTH',
      'An SSH remote needs a deploy key: create one and add it to the host first.',
    );
  }
  if (!ssh && remote.ssh) {
    throw new AppError('BAD_INPUT', 'A deploy key works with ssh remotes only; use a token for https.');
  }
  return withSetup(remote, async (setup) => {
    if (remote.ssh) return work(await sshSession(setup, remote.ssh));
    const transport = httpTransport(setup, remote.auth);
    return work({
      url: setup.parsed.href,
      git: (gitdir, args, { maxDownloadBytes }) =>
        relayedGit(setup, transport, gitdir, args, maxDownloadBytes),
      knownHosts: () => Promise.resolve(null),
    });
  });
}

function runGit(setup: Setup, gitdir: string, args: string[], env: Record<string, string>): Promise<string> {
  const fullArgs = [
    '-c',
    'core.hooksPath=/dev/null',
    '-c',
    'protocol.allow=never',
    '-c',
    `protocol.${setup.parsed.protocol}.allow=always`,
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
        reject(new AppError('GIT_UNREACHABLE', `git was stopped (${signal}) before it finished.`));
        return;
      }
      // push --porcelain reports a rejected ref on stdout.
      reject(remoteError(setup, `${stdout}\n${stderr}`));
    });
  });
}

/** The typed error for what git, curl and ssh printed; the text is kept short and carries no key material. */
function remoteError(setup: Setup, output: string): AppError {
  const { code, reason } = classifyRemoteFailure(output);
  const said = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('@') && !/^[A-Za-z0-9+/=]{40,}$/.test(line))
    .slice(-3)
    .join(' ')
    .slice(0, 500);
  const ssh = setup.parsed.protocol === 'ssh';
  const messages: Record<typeof reason, string> = {
    'host key':
      "The SSH host's key is not the one recorded for this remote. If the host really changed its key, check the new fingerprint with its owners; an owner can then accept it. Otherwise someone may be in between.",
    refused: ssh
      ? 'The SSH host refused the deploy key: add its public key to the repository (with write access to push).'
      : 'The remote refused the credentials (or needs some).',
    connection: `The remote could not be reached: ${said}`,
    rejected: 'The remote branch has commits this workspace does not have; pull them first, then push again.',
    'not found': 'The remote has no repository at this URL.',
    'no branch': `The remote has no such branch: ${said}`,
    remote: `The remote refused the operation: ${said}`,
  };
  return new AppError(code, messages[reason], {
    details: code === 'GIT_NON_FAST_FORWARD' ? { reason, suggestion: 'pull' } : { reason },
  });
}
