// Runs a command on a work tree inside bubblewrap with hard limits (the `Sandbox` of @tandem/core).
// Decisions:
// - Each run is a fresh bwrap: every namespace unshared (no network), no capabilities, a cleared environment,
//   read-only system directories, /work and /tmp on size-limited tmpfs. Running as root, bwrap itself is started
//   as the host's `nobody`, so even an escape from the namespaces holds no host privilege.
// - The work tree reaches /work as a tar on stdin, unpacked by `tar` *inside* the sandbox: the host never writes
//   into a directory the sandboxed code can touch, so no symlink or `..` in the tree can point a host write
//   anywhere; a link inside /work resolves in the sandbox's own view.
// - Limits: rlimits (open files, file size, CPU per process), set by the sandbox's own shell before anything of the
//   run starts (hard limits too, which nothing inside can raise again); memory, processes and CPU of the whole tree
//   through a per-run cgroup (v1 or v2) when one is writable: bwrap reports its pid (--info-fd) and waits
//   (--block-fd) until the host has moved it into the groups. Without cgroups, RLIMIT_NPROC only, and `limitsBy`
//   says what is not enforced. Wall time, output and cancellation kill the process group, whose bwrap takes the pid
//   namespace with it (--die-with-parent), and everything left in the cgroup.
// - Few processes per run (bwrap, its init, one shell, the command; tar only with files), for a small start-up cost.
// - Fail closed: nothing runs until the start-up self-check passed; a missing bwrap or a failed check refuses
//   every run with SANDBOX_UNAVAILABLE.
import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  lstatSync,
  readlinkSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { constants as osConstants, userInfo } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import {
  AppError,
  normalizePath,
  writeTar,
  type Sandbox,
  type SandboxEnd,
  type SandboxLimits,
  type SandboxMount,
  type SandboxResult,
  type SandboxRunSpec,
  type SandboxStatus,
} from '@tandem/core';
import type { Logger } from 'pino';
import { detectCgroups, type Cgroups, type RunCgroup } from './cgroups.ts';
import { FifoGate } from './fifo-gate.ts';
import { selfCheck } from './self-check.ts';

export const defaultSandboxLimits: SandboxLimits = {
  wallMs: 60_000,
  cpuMs: 60_000,
  memoryBytes: 512 * 1024 * 1024,
  processes: 128,
  openFiles: 512,
  fileSizeBytes: 64 * 1024 * 1024,
  workBytes: 256 * 1024 * 1024,
  outputBytes: 1024 * 1024,
};

/** Bytes of one collected file kept; a tool's JSON report is far smaller. */
export const MAX_COLLECTED_BYTES = 8 * 1024 * 1024;
/** The sandbox runs as the host's `nobody` when the server runs as root. */
const NOBODY = 65534;
/** A fixed PATH; the spec's env may replace it (e.g. to put /work/node_modules/.bin first). */
const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface SandboxMetrics {
  runs: { inc(labels: { result: string }): void };
  duration: { observe(seconds: number): void };
  refused: { inc(labels: { reason: string }): void };
}

export interface BwrapSandboxOptions {
  /** `bwrap` looked up on `searchPath`, or an absolute path. */
  bwrap?: string;
  /** Directories (PATH syntax) where bwrap is looked up. */
  searchPath: string;
  /** The server's data directory: never visible inside; only `cacheDir` below it may be mounted. */
  dataDir: string;
  /** The dependency cache (mountable read-only); defaults to `<dataDir>/sandbox-cache`. */
  cacheDir?: string;
  /** Runs at once in this process; further runs wait in FIFO order. */
  concurrency?: number;
  defaultLimits?: Partial<SandboxLimits>;
  /** Where cgroup hierarchies are mounted; `false` to use rlimits only. */
  cgroupRoot?: string | false;
  /** Output beyond `outputBytes` is counted and drained; past this many dropped bytes the run is killed. */
  maxDroppedOutputBytes?: number;
  metrics?: SandboxMetrics;
  logger?: Logger;
}

/** Extra powers only the dependency install gets (see dependencies.ts); never exposed through `Sandbox`. */
export interface PrivilegedRunOptions {
  /** Share the host's network namespace (the install needs the registry). */
  network?: boolean;
  /** Host directories bound writable: the install writes node_modules into the cache through this. */
  writableMounts?: readonly SandboxMount[];
}

export interface BwrapSandbox extends Sandbox {
  /** Resolves once the start-up self-check has run (whatever its outcome). */
  readonly ready: Promise<SandboxStatus>;
  run(spec: SandboxRunSpec, privileged?: PrivilegedRunOptions): Promise<SandboxResult>;
  readonly cacheDir: string;
  /** Runs waiting for a slot in this process. */
  readonly queued: number;
  /** Resolves once the cgroups of finished runs are removed. */
  settled(): Promise<void>;
}

interface Tools {
  bwrap: string;
}

function findExecutable(name: string, searchPath: string): string | undefined {
  const candidates = path.isAbsolute(name)
    ? [name]
    : searchPath
        .split(':')
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The system directories every run sees read-only, mirroring the host's merged-/usr symlinks where it has them. */
function systemView(): string[] {
  const args: string[] = [];
  for (const dir of ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  // Only what programs need to start, resolve names and check TLS; no shadow, no ssh keys, no machine secrets.
  for (const file of [
    '/etc/ld.so.cache',
    '/etc/ld.so.conf',
    '/etc/ld.so.conf.d',
    '/etc/alternatives',
    '/etc/passwd',
    '/etc/group',
    '/etc/nsswitch.conf',
    '/etc/hosts',
    '/etc/resolv.conf',
    '/etc/ssl',
    '/etc/ca-certificates',
    '/etc/localtime',
    '/etc/mime.types',
  ]) {
    args.push('--ro-bind-try', file, file);
  }
  return args;
}

// Runs inside the sandbox, as the sandboxed user: set the rlimits (soft CPU first: a hard limit below the current
// soft one is refused), unpack the tree, say so on fd 3, run the command (stdin empty, fd 3 closed), kill whatever
// it left behind, then report collected files and the exit status on fd 3. dash's `ulimit -f` counts 512-byte
// blocks; the self-check proves the file size limit by writing past it.
const INNER_SCRIPT = `
ulimit -n "$1" && ulimit -f "$2" && ulimit -St "$3" && ulimit -Ht "$(($3 + 1))" || { echo L >&3; exit 125; }
if [ "$4" != 0 ]; then ulimit -p "$4" || { echo L >&3; exit 125; }; fi
u=$5; c=$6; max=$7; shift 7
if [ "$u" = 1 ]; then
  if ! tar -x -f - -C /work -m --no-same-owner --no-same-permissions 2>/tmp/.tandem-unpack; then
    echo E >&3; cat /tmp/.tandem-unpack >&2; exit 125
  fi
  rm -f /tmp/.tandem-unpack
fi
echo R >&3
"$@" </dev/null 3>&-
s=$?
kill -9 -1 2>/dev/null
if [ -n "$c" ]; then
  printf '%s\\n' "$c" | while IFS= read -r f; do
    if [ -f "$f" ]; then
      n=$(wc -c <"$f"); [ "$n" -gt "$max" ] && n=$max
      printf 'F %s\\n' "$n"; head -c "$n" "$f"
    else
      echo -
    fi
  done >&3
fi
echo "X $s" >&3
exit $s
`;

/** The reply on fd 3: R (started), E (unpack failed), collected files, X <status>. */
class StatusReader {
  started = false;
  unpackFailed = false;
  limitsFailed = false;
  status: number | undefined;
  readonly collected = new Map<string, string>();
  private buffer = Buffer.alloc(0);
  private fileIndex = 0;
  private broken = false;

  constructor(private readonly collect: readonly string[]) {}

  push(chunk: Buffer) {
    if (this.broken) return;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    // A reply larger than every collected file plus headers is not ours; stop parsing rather than buffer it.
    if (this.buffer.length > MAX_COLLECTED_BYTES + 4096) {
      this.broken = true;
      this.buffer = Buffer.alloc(0);
      return;
    }
    for (;;) {
      const newline = this.buffer.indexOf(10);
      if (newline === -1) return;
      const line = this.buffer.subarray(0, newline).toString('latin1');
      if (line === 'R') this.started = true;
      else if (line === 'L') this.limitsFailed = true;
      else if (line === 'E') this.unpackFailed = true;
      else if (line === '-') this.fileIndex += 1;
      else if (line.startsWith('X ')) this.status = Number(line.slice(2));
      else if (line.startsWith('F ')) {
        const size = Number(line.slice(2));
        if (!Number.isSafeInteger(size) || size < 0 || size > MAX_COLLECTED_BYTES) {
          this.broken = true;
          return;
        }
        if (this.buffer.length < newline + 1 + size) return;
        const name = this.collect[this.fileIndex];
        if (name !== undefined) {
          this.collected.set(name, this.buffer.subarray(newline + 1, newline + 1 + size).toString('utf8'));
        }
        this.fileIndex += 1;
        this.buffer = this.buffer.subarray(newline + 1 + size);
        continue;
      }
      this.buffer = this.buffer.subarray(newline + 1);
    }
  }
}

function cancelledBeforeStart(): SandboxResult {
  return {
    end: 'cancelled',
    exitCode: null,
    signal: null,
    durationMs: 0,
    stdout: '',
    stderr: '',
    droppedOutputBytes: 0,
    collected: new Map(),
  };
}

function badInput(message: string): AppError {
  return new AppError('BAD_INPUT', message);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isInsideOrSame(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function resolveLimits(base: SandboxLimits, overrides: Partial<SandboxLimits> | undefined): SandboxLimits {
  const limits = { ...base };
  // A caller outside strict TypeScript (or spreading an optional value) may pass undefined: that keeps the default.
  const given = Object.entries(overrides ?? {}) as [keyof SandboxLimits, number | undefined][];
  for (const [name, value] of given) if (value !== undefined) limits[name] = value;
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0)
      throw badInput(`Sandbox limit ${name} must be a positive number.`);
  }
  return limits;
}

export function createBwrapSandbox(options: BwrapSandboxOptions): BwrapSandbox {
  const logger = options.logger;
  const dataDir = path.resolve(options.dataDir);
  const cacheDir = path.resolve(options.cacheDir ?? path.join(dataDir, 'sandbox-cache'));
  const baseLimits = { ...defaultSandboxLimits, ...options.defaultLimits };
  const maxDropped = options.maxDroppedOutputBytes ?? 16 * 1024 * 1024;
  const gate = new FifoGate(options.concurrency ?? 2);
  const asRoot = userInfo().uid === 0;

  let status: SandboxStatus = {
    available: false,
    reason: 'The sandbox self-check has not finished yet.',
    checks: [],
    limitsBy: 'unknown',
  };
  let tools: Tools | undefined;
  let cgroups: Cgroups | undefined;
  let refusedReason = 'self_check_pending';

  const view = systemView();
  const cleanups = new Set<Promise<void>>();

  /** Absolute host paths of mount sources, refused when they would show any of the data directory but the cache. */
  const checkMount = (mount: SandboxMount, writable: boolean) => {
    if (!path.isAbsolute(mount.source) || !path.isAbsolute(mount.target)) {
      throw badInput('Sandbox mounts need absolute source and target paths.');
    }
    const target = path.posix.normalize(mount.target);
    if (target === '/' || !isInsideOrSame(target, '/work') || target === '/work') {
      throw badInput(`A sandbox mount must go below /work, not at ${mount.target}.`);
    }
    let source: string;
    try {
      source = realpathSync(mount.source);
    } catch {
      throw badInput(`The sandbox mount source ${mount.source} does not exist.`);
    }
    const inCache = isInsideOrSame(source, cacheDir) && source !== cacheDir;
    if (!inCache && (isInsideOrSame(source, dataDir) || isInsideOrSame(dataDir, source))) {
      throw badInput('A sandbox mount may not show the server data directory.');
    }
    if (writable && !inCache) throw badInput('Only the dependency cache may be mounted writable.');
    // bwrap runs as nobody and resolves the source itself, so every parent must let others through.
    if (asRoot) {
      for (let dir = path.dirname(source); ; dir = path.dirname(dir)) {
        if ((statSync(dir).mode & 0o001) === 0) {
          throw new AppError(
            'SANDBOX_UNAVAILABLE',
            `The sandbox user cannot reach ${source}: ${dir} needs execute permission for others (chmod o+x).`,
          );
        }
        if (dir === path.dirname(dir)) break;
      }
    }
    return { source, target, writable };
  };

  const execute = async (
    spec: SandboxRunSpec,
    limits: SandboxLimits,
    privileged: PrivilegedRunOptions,
    toolset: Tools,
  ): Promise<SandboxResult> => {
    // Validate everything before anything starts.
    if (spec.command.length === 0 || spec.command.some((arg) => arg.includes('\0'))) {
      throw badInput('The sandbox command must be a non-empty argv without NUL bytes.');
    }
    const env: [string, string][] = [
      ['PATH', SANDBOX_PATH],
      ['HOME', '/tmp'],
    ];
    for (const [name, value] of Object.entries(spec.env ?? {})) {
      if (!ENV_NAME.test(name) || value.includes('\0'))
        throw badInput(`Invalid environment variable ${name}.`);
      env.push([name, value]);
    }
    const tarFiles = [...spec.files].map(([file, content]) => ({
      path: normalizePath(file),
      content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
    }));
    const collect = (spec.collect ?? []).map((file) => normalizePath(file));
    const binds: { source: string; target: string; writable: boolean }[] = [];
    for (const mount of spec.mounts ?? []) binds.push(checkMount(mount, false));
    for (const mount of privileged.writableMounts ?? []) binds.push(checkMount(mount, true));

    let cgroup: RunCgroup | undefined;
    try {
      cgroup = cgroups?.create({ memoryBytes: limits.memoryBytes, processes: limits.processes });
    } catch (error) {
      throw new AppError(
        'SANDBOX_UNAVAILABLE',
        `Could not create the run's cgroup: ${(error as Error).message}`,
      );
    }

    const cpuSeconds = Math.max(1, Math.ceil(limits.cpuMs / 1000));
    const bwrapArgs = [
      '--unshare-all',
      ...(privileged.network ? ['--share-net'] : []),
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--clearenv',
      ...env.flatMap(([name, value]) => ['--setenv', name, value]),
      ...view,
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--size',
      String(limits.workBytes),
      '--tmpfs',
      '/tmp',
      '--size',
      String(limits.workBytes),
      '--tmpfs',
      '/work',
    ];
    for (const bind of binds)
      bwrapArgs.push(bind.writable ? '--bind' : '--ro-bind', bind.source, bind.target);
    // With a cgroup, bwrap reports its sandbox's pid on fd 4 and waits for a byte on fd 5 before it runs anything.
    if (cgroup) bwrapArgs.push('--info-fd', '4', '--block-fd', '5');
    // The root itself (where bwrap made the mount points) becomes read-only; /work and /tmp stay writable.
    bwrapArgs.push('--remount-ro', '/');
    bwrapArgs.push(
      '--chdir',
      '/work',
      '--',
      '/bin/sh',
      '-c',
      INNER_SCRIPT,
      'sandbox',
      String(Math.max(16, limits.openFiles)),
      String(Math.max(1, Math.ceil(limits.fileSizeBytes / 512))),
      String(cpuSeconds),
      // Without a pids cgroup, RLIMIT_NPROC is the only bound on processes (per user; root ignores it, hence nobody).
      cgroup ? '0' : String(limits.processes),
      tarFiles.length > 0 ? '1' : '0',
      collect.join('\n'),
      String(MAX_COLLECTED_BYTES),
      ...spec.command,
    );

    const started = performance.now();
    const child = spawn(toolset.bwrap, bwrapArgs, {
      // 0 tar in, 1 stdout, 2 stderr, 3 status back, 4 bwrap's info, 5 the go-ahead.
      stdio: cgroup ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
      env: {},
      // libuv also drops the supplementary groups.
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });

    let killedFor: SandboxEnd | undefined;
    const kill = (reason: SandboxEnd) => {
      killedFor ??= reason;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is already gone.
        }
      }
      cgroup?.killAll();
    };

    let joinFailed: string | undefined;
    const pipes = child.stdio as unknown as (Readable | Writable | null | undefined)[];
    const info = pipes[4];
    const go = pipes[5];
    if (cgroup && info instanceof Readable && go instanceof Writable) {
      let text = '';
      let joined = false;
      go.on('error', () => undefined);
      info.on('data', (chunk: Buffer) => {
        if (joined) return;
        text += chunk.toString('utf8');
        const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
        if (!match?.[1]) return;
        const sandboxPid = match[1];
        joined = true;
        try {
          // bwrap first (its later forks follow it), then its sandbox, which has not run anything yet.
          for (const file of cgroup.procsFiles) {
            writeFileSync(file, String(child.pid));
            writeFileSync(file, sandboxPid);
          }
          go.end('1');
        } catch (error) {
          joinFailed = (error as Error).message;
          kill('cancelled');
        }
      });
    }

    const reader = new StatusReader(collect);
    const kept: Record<'stdout' | 'stderr', Buffer[]> = { stdout: [], stderr: [] };
    let keptBytes = 0;
    let dropped = 0;
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = Math.max(0, limits.outputBytes - keptBytes);
      const keep = chunk.length <= room ? chunk : chunk.subarray(0, room);
      dropped += chunk.length - keep.length;
      if (keep.length > 0) {
        keptBytes += keep.length;
        kept[stream].push(keep);
        if (spec.onOutput) {
          const text = decoders[stream].write(keep);
          if (text) spec.onOutput(text, stream);
        }
      }
      if (dropped > maxDropped) kill('output');
    };
    child.stdout.on('data', onData('stdout'));
    child.stderr.on('data', onData('stderr'));
    const statusPipe = child.stdio[3];
    if (statusPipe && 'on' in statusPipe) statusPipe.on('data', (chunk: Buffer) => reader.push(chunk));
    // The sandbox may exit before reading its input (a failed start); that is reported by the status, not as EPIPE.
    child.stdin.on('error', () => undefined);
    if (tarFiles.length > 0) {
      writeTar(tarFiles, Math.floor(Date.now() / 1000), (chunk) => child.stdin.write(chunk));
    }
    child.stdin.end();

    const wallTimer = setTimeout(() => kill('timeout'), limits.wallMs);
    const cpuTimer = cgroup
      ? setInterval(() => {
          if (cgroup.cpuMs() > limits.cpuMs) kill('cpu');
        }, 50)
      : undefined;
    const onAbort = () => kill('cancelled');
    if (spec.signal?.aborted) onAbort();
    spec.signal?.addEventListener('abort', onAbort);

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal }));
      },
    ).finally(() => {
      clearTimeout(wallTimer);
      if (cpuTimer) clearInterval(cpuTimer);
      spec.signal?.removeEventListener('abort', onAbort);
    });
    const durationMs = Math.round(performance.now() - started);
    const oom = cgroup?.oomKilled() ?? false;
    const cpuUsed = cgroup?.cpuMs() ?? 0;
    // The groups are empty now; removing them (rmdir may retry while the kernel reaps) need not delay the result.
    if (cgroup) {
      const removal = cgroup.remove().finally(() => cleanups.delete(removal));
      cleanups.add(removal);
    }

    const text = (stream: 'stdout' | 'stderr') => Buffer.concat(kept[stream]).toString('utf8');
    if (joinFailed !== undefined) {
      throw new AppError('SANDBOX_UNAVAILABLE', `Could not move the run into its cgroup: ${joinFailed}`);
    }
    if (reader.limitsFailed) {
      throw new AppError(
        'SANDBOX_UNAVAILABLE',
        `The sandbox could not set its rlimits: ${text('stderr').trim()}`,
      );
    }
    if (!reader.started && !killedFor && !oom) {
      if (reader.unpackFailed) {
        throw badInput(`The work tree could not be written into the sandbox: ${text('stderr').trim()}`);
      }
      // bwrap (or the wrapper) failed before the command could start: that is the sandbox's failure, not the run's.
      throw new AppError('SANDBOX_UNAVAILABLE', `The sandbox did not start: ${text('stderr').trim()}`);
    }

    let end: SandboxEnd;
    let exitCode: number | null = null;
    let signal: string | null = null;
    const status = reader.status ?? (exit.code === null ? undefined : exit.code);
    if (killedFor) {
      end = killedFor;
      signal = 'SIGKILL';
    } else if (oom) {
      end = 'memory';
      signal = 'SIGKILL';
    } else if (status !== undefined && status > 128 && status < 128 + 65) {
      // The shell's convention: 128 + n means killed by signal n.
      const name = Object.entries(osConstants.signals).find(([, n]) => n === status - 128)?.[0] ?? null;
      signal = name;
      end = name === 'SIGXCPU' || (name === 'SIGKILL' && cpuUsed > limits.cpuMs) ? 'cpu' : 'signal';
    } else if (status !== undefined) {
      end = 'exit';
      exitCode = status;
    } else {
      end = 'signal';
      signal = exit.signal;
    }
    return {
      end,
      exitCode,
      signal,
      durationMs,
      stdout: text('stdout'),
      stderr: text('stderr'),
      droppedOutputBytes: dropped,
      collected: reader.collected,
    };
  };

  const refuse = (reason: string): never => {
    options.metrics?.refused.inc({ reason });
    throw new AppError('SANDBOX_UNAVAILABLE', status.reason ?? 'The sandbox is unavailable.');
  };

  const runChecked = async (
    spec: SandboxRunSpec,
    privileged: PrivilegedRunOptions,
    internal: boolean,
  ): Promise<SandboxResult> => {
    const limits = resolveLimits(baseLimits, spec.limits);
    if (!internal) {
      await ready;
      if (!status.available || !tools) return refuse(refusedReason);
    }
    const toolset = tools;
    if (!toolset) return refuse(refusedReason);
    let release: () => void;
    try {
      release = await gate.acquire(spec.signal);
    } catch (error) {
      // Cancelled while it waited: nothing ran, which the contract reports as a cancelled run.
      if (error instanceof AppError && error.code === 'CANCELLED') return cancelledBeforeStart();
      throw error;
    }
    try {
      const result = await execute(spec, limits, privileged, toolset);
      if (!internal) {
        options.metrics?.runs.inc({ result: result.end });
        options.metrics?.duration.observe(result.durationMs / 1000);
      }
      return result;
    } finally {
      release();
    }
  };

  const start = async (): Promise<SandboxStatus> => {
    const bwrap = findExecutable(options.bwrap ?? 'bwrap', options.searchPath);
    if (!bwrap) {
      refusedReason = 'bwrap_missing';
      return {
        available: false,
        reason: `Runs are refused: bwrap (${options.bwrap ?? 'bwrap'}) not found on ${options.searchPath}.`,
        checks: [{ name: 'bwrap', ok: false, detail: 'not found' }],
        limitsBy: 'none',
      };
    }
    tools = { bwrap };
    const detection = options.cgroupRoot === false ? undefined : detectCgroups(options.cgroupRoot);
    cgroups = detection?.ok ? detection.cgroups : undefined;
    await cgroups?.swept;
    const limitsBy = cgroups
      ? `${cgroups.kind} (memory, processes, CPU of the whole run) + rlimits (open files, file size, CPU per process)`
      : `rlimits only: open files, file size, CPU per process, processes per user${asRoot ? ' (shared by concurrent runs)' : ''}; memory NOT enforced (${detection && !detection.ok ? detection.reason : 'cgroups disabled'})`;
    const checks = await selfCheck({
      run: (spec) => runChecked(spec, {}, true),
      dataDir,
      cgroups: cgroups !== undefined,
    });
    const failed = checks.filter((check) => !check.ok);
    refusedReason = failed.length > 0 ? 'self_check_failed' : 'none';
    return {
      available: failed.length === 0,
      ...(failed.length > 0
        ? {
            reason: `The sandbox self-check failed: ${failed.map((c) => `${c.name} (${c.detail ?? ''})`).join('; ')}`,
          }
        : {}),
      checks,
      limitsBy,
    };
  };

  const ready = start()
    .catch((error: unknown): SandboxStatus => {
      refusedReason = 'self_check_failed';
      return {
        available: false,
        reason: `The sandbox self-check crashed: ${(error as Error).message}`,
        checks: [],
        limitsBy: 'none',
      };
    })
    .then((result) => {
      status = result;
      if (!result.available) logger?.warn({ sandbox: result }, 'sandbox unavailable: check runs are refused');
      else logger?.info({ limitsBy: result.limitsBy }, 'sandbox ready');
      return result;
    });

  return {
    ready,
    cacheDir,
    get queued() {
      return gate.waiting;
    },
    status: () => status,
    settled: async () => {
      while (cleanups.size > 0) await Promise.all([...cleanups]);
    },
    run: (spec, privileged = {}) => runChecked(spec, privileged, false),
  };
}
