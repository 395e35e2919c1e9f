// The bubblewrap sandbox against the real bwrap, one escape attempt at a time: each is stopped or contained,
// reported with the right `end`, and leaves the host and other runs untouched.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { AppError, type SandboxLimits, type SandboxRunSpec } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../http/metrics.ts';
import { createBwrapSandbox, type BwrapSandbox } from './bwrap.ts';

const searchPath = process.env.PATH ?? '/usr/bin:/bin';
/** Small bounds keep every test quick and the machine safe even when a limit failed to apply. */
const small: Partial<SandboxLimits> = {
  wallMs: 5_000,
  cpuMs: 5_000,
  memoryBytes: 64 * 1024 * 1024,
  processes: 32,
  outputBytes: 64 * 1024,
  workBytes: 16 * 1024 * 1024,
};

const dir = mkdtempSync(path.join(tmpdir(), 'tandem-sandbox-test-'));
const dataDir = path.join(dir, 'data');
const hostMarker = path.join(dir, 'host-marker.txt');
const sshDir = path.join(homedir(), '.ssh');
const sshMarker = path.join(sshDir, `tandem-sandbox-test-${randomUUID()}`);
const canary = `tandem-canary-${randomUUID()}`;
let sandbox: BwrapSandbox;
const metrics = createMetrics();

function spec(command: string[], extra: Partial<SandboxRunSpec> = {}): SandboxRunSpec {
  return { command, files: new Map(), limits: small, ...extra };
}

const sh = (script: string, extra: Partial<SandboxRunSpec> = {}) =>
  sandbox.run(spec(['sh', '-c', script], extra));

async function listen(host: string): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.end('hello from the host\n');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => connections,
  };
}

/** Node inside the sandbox trying to connect; prints `connected` or the error code. */
const connectScript = (host: string, port: number) =>
  `const s=require('net').connect(${port},'${host}');s.setTimeout(2000,()=>{console.log('timeout');process.exit(0)});` +
  `s.on('connect',()=>{console.log('connected');process.exit(0)});s.on('error',(e)=>{console.log(e.code);process.exit(0)})`;

beforeAll(async () => {
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, 'secret.txt'), 'data dir secret');
  writeFileSync(hostMarker, 'host marker');
  mkdirSync(sshDir, { recursive: true });
  writeFileSync(sshMarker, 'ssh secret');
  process.env.TANDEM_SANDBOX_TEST_CANARY = canary;
  sandbox = createBwrapSandbox({
    searchPath,
    dataDir,
    concurrency: 4,
    metrics: {
      runs: metrics.sandboxRuns,
      duration: metrics.sandboxDuration,
      refused: metrics.sandboxRefused,
    },
  });
  await sandbox.ready;
}, 60_000);

afterAll(() => {
  delete process.env.TANDEM_SANDBOX_TEST_CANARY;
  rmSync(sshMarker, { force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe('the bwrap sandbox', () => {
  it('passes its self-check on this machine and says how limits are enforced', () => {
    const status = sandbox.status();
    expect(status.checks.filter((check) => !check.ok)).toEqual([]);
    expect(status.available).toBe(true);
    expect(status.checks.map((check) => check.name)).toEqual(
      expect.arrayContaining(['no-network-loopback', 'no-capabilities', 'data-dir-invisible', 'rlimits']),
    );
    expect(status.limitsBy).toMatch(/cgroup-v[12]|rlimits only/);
  });

  it('runs a command on the work tree, collects files and sees only the env it was given', async () => {
    const result = await sandbox.run(
      spec(['sh', '-c', 'cat src/a.txt; env; echo "{\\"ok\\":true}" > report.json'], {
        files: new Map<string, string | Uint8Array>([
          ['src/a.txt', 'file content\n'],
          ['bin.dat', new Uint8Array([0, 1, 2])],
        ]),
        env: { CI: '1' },
        collect: ['report.json', 'absent.json'],
      }),
    );
    expect(result).toMatchObject({ end: 'exit', exitCode: 0, signal: null, droppedOutputBytes: 0 });
    expect(result.stdout).toContain('file content');
    expect(result.stdout).toContain('CI=1');
    expect(result.stdout).not.toContain(canary);
    expect(result.stdout).not.toContain('DATABASE_URL');
    expect([...result.collected]).toEqual([['report.json', '{"ok":true}\n']]);
  });

  it('reports a failing command with its exit code and streams output as it comes', async () => {
    const chunks: string[] = [];
    const result = await sh('echo out; echo err >&2; exit 3', {
      onOutput: (chunk, stream) => chunks.push(`${stream}:${chunk}`),
    });
    expect(result).toMatchObject({ end: 'exit', exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(chunks.sort()).toEqual(['stderr:err\n', 'stdout:out\n']);
  });

  it('cannot open a socket to a listening server on the host loopback', async () => {
    const host = await listen('127.0.0.1');
    try {
      const result = await sandbox.run(spec(['node', '-e', connectScript('127.0.0.1', host.port)]));
      expect(result.end).toBe('exit');
      expect(result.stdout.trim()).toBe('ECONNREFUSED');
      expect(host.connections()).toBe(0);
    } finally {
      host.server.close();
    }
  });

  it('cannot reach another host: the machine\u2019s own address with a server listening, or the internet', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
    expect(address).toBeDefined();
    const host = await listen('0.0.0.0');
    try {
      // The listener is reachable from the host itself, so a refusal inside is the sandbox's doing.
      const outside = spawnSync(process.execPath, ['-e', connectScript(address ?? '', host.port)], {
        encoding: 'utf8',
      });
      expect(outside.stdout.trim()).toBe('connected');
      const inside = await sandbox.run(spec(['node', '-e', connectScript(address ?? '', host.port)]));
      expect(inside.stdout.trim()).toBe('ENETUNREACH');
      const internet = await sandbox.run(spec(['node', '-e', connectScript('1.1.1.1', 443)]));
      expect(internet.stdout.trim()).toBe('ENETUNREACH');
      expect(host.connections()).toBe(1);
    } finally {
      host.server.close();
    }
  });

  it('cannot write outside the work tree, and what it writes to its /tmp stays inside', async () => {
    const name = `tandem-sandbox-escape-${randomUUID()}`;
    const result = await sh(
      `for p in /usr/${name} /etc/${name} /${name} ${dir}/${name}; do echo x > "$p" && echo "wrote $p"; done; ` +
        `echo x > /tmp/${name} && echo "tmp ok"; echo x > /work/${name} && echo "work ok"`,
    );
    expect(result.stdout).not.toContain('wrote');
    expect(result.stdout).toContain('tmp ok');
    expect(result.stdout).toContain('work ok');
    for (const host of [`/usr/${name}`, `/etc/${name}`, `/${name}`, path.join(dir, name), `/tmp/${name}`]) {
      expect(existsSync(host)).toBe(false);
    }
  });

  it('cannot read /proc/1/environ of the host, the server\u2019s environment, its data directory or ~/.ssh', async () => {
    const result = await sh(
      `cat /proc/1/environ; cat /proc/${process.pid}/environ; cat ${dataDir}/secret.txt; cat ${sshMarker}; ` +
        `ls ${path.dirname(sshDir)}; cat ${hostMarker}; echo done`,
    );
    expect(result.stdout).toContain('done');
    const everything = result.stdout + result.stderr;
    expect(everything).not.toContain(canary);
    expect(everything).not.toContain('data dir secret');
    expect(everything).not.toContain('ssh secret');
    expect(everything).not.toContain('host marker');
    expect(result.stderr).toMatch(/No such file or directory/);
  });

  it('a symlink in the work tree pointing outside reads the sandbox\u2019s view, never the host file', async () => {
    const result = await sh(
      `ln -s ${hostMarker} link-marker; ln -s ${dataDir}/secret.txt link-data; ln -s /etc/shadow link-shadow; ` +
        `ln -s ../../../../${sshMarker} link-relative; cat link-marker link-data link-shadow link-relative; echo done`,
    );
    expect(result.stdout).toBe('done\n');
    expect(result.stderr).not.toMatch(/host marker|data dir secret|ssh secret|root:/);
  });

  it('leaves the host untouched when a package.json test script runs rm -rf /', async () => {
    const result = await sandbox.run(
      spec(['npm', 'test', '--silent'], {
        files: new Map([
          [
            'package.json',
            JSON.stringify({ name: 'evil', scripts: { test: 'rm -rf --no-preserve-root /' } }),
          ],
        ]),
        // rm walks all of the read-only /usr, failing file by file; on a busy machine that may outlast the wall time.
        limits: { ...small, wallMs: 15_000, cpuMs: 15_000, memoryBytes: 256 * 1024 * 1024 },
      }),
    );
    expect(['exit', 'signal', 'timeout']).toContain(result.end);
    expect(result.stderr).toMatch(/Read-only file system|Permission denied|cannot remove/);
    expect(existsSync(hostMarker)).toBe(true);
    expect(existsSync(path.join(dataDir, 'secret.txt'))).toBe(true);
    expect(existsSync('/usr/bin/env')).toBe(true);
    expect(existsSync(sshMarker)).toBe(true);
  });

  it('contains a fork bomb within the process limit and the run ends', async () => {
    // Counting first: of 200 children asked for, only what fits under the limit (with node's own threads) starts.
    const counted = await sandbox.run(
      spec(
        [
          'node',
          '-e',
          "const {spawn}=require('child_process');let ok=0;for(let i=0;i<200;i++){const c=spawn('sleep',['30']);" +
            "c.on('error',()=>{});if(c.pid)ok++}console.log('started',ok);process.exit(0)",
        ],
        { limits: { ...small, processes: 24 } },
      ),
    );
    const started = Number(/started (\d+)/.exec(counted.stdout)?.[1]);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(24);
    const begun = performance.now();
    const bomb = await sh('bomb() { bomb | bomb & }; bomb; wait; sleep 30', {
      limits: { ...small, processes: 24, wallMs: 3_000 },
    });
    // Stopped by the wall clock, by its CPU time (the bomb's shells burn it fast) or by dying out: contained either way.
    expect(['timeout', 'exit', 'cpu']).toContain(bomb.end);
    expect(performance.now() - begun).toBeLessThan(15_000);
    // The host still forks.
    expect(spawnSync('true').status).toBe(0);
  });

  it('ends a run that allocates until killed with end: memory', async () => {
    const result = await sandbox.run(
      spec(['node', '-e', 'const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'], {
        limits: { ...small, wallMs: 20_000, cpuMs: 20_000 },
      }),
    );
    expect(result).toMatchObject({ end: 'memory', exitCode: null });
  });

  it('ends an infinite loop at the wall-clock limit with end: timeout', async () => {
    const started = performance.now();
    const result = await sh('while :; do :; done', { limits: { ...small, wallMs: 1_500, cpuMs: 60_000 } });
    expect(result).toMatchObject({ end: 'timeout', exitCode: null, signal: 'SIGKILL' });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('ends an infinite loop at the CPU limit with end: cpu', async () => {
    const result = await sh('while :; do :; done', { limits: { ...small, wallMs: 30_000, cpuMs: 1_000 } });
    expect(result.end).toBe('cpu');
    expect(result.exitCode).toBeNull();
  });

  it('bounds a run that prints gigabytes: output kept, the rest counted, the server\u2019s memory flat', async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await sh('head -c 4000000000 /dev/zero | tr "\\0" x', {
      limits: { ...small, wallMs: 30_000, cpuMs: 30_000 },
    });
    expect(result.end).toBe('output');
    expect(result.stdout.length).toBe(64 * 1024);
    expect(result.droppedOutputBytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses a work tree larger than its tmpfs with a clear error', async () => {
    const big = new Uint8Array(2 * 1024 * 1024);
    await expect(
      sandbox.run(
        spec(['true'], {
          files: new Map([['big.bin', big]]),
          limits: { ...small, workBytes: 1024 * 1024 },
        }),
      ),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('refuses bad input with typed errors: absolute paths, odd env names, mounts of the data directory', async () => {
    await expect(
      sandbox.run(spec(['true'], { files: new Map([['/etc/passwd', 'x']]) })),
    ).rejects.toMatchObject({ code: 'INVALID_PATH' });
    await expect(sandbox.run(spec(['true'], { env: { 'A=B': '1' } }))).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    await expect(sandbox.run(spec([]))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(
      sandbox.run(spec(['true'], { mounts: [{ source: dataDir, target: '/work/data' }] })),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(
      sandbox.run(spec(['true'], { mounts: [{ source: '/usr', target: '/etc' }] })),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('two runs in parallel do not affect each other', async () => {
    const [hog, bomb, worker] = await Promise.all([
      sandbox.run(
        spec(['node', '-e', 'const a=[];for(;;)a.push(Buffer.alloc(1<<20,1))'], {
          limits: { ...small, wallMs: 20_000 },
        }),
      ),
      sh('bomb() { bomb | bomb & }; bomb; sleep 2', { limits: { ...small, processes: 16, wallMs: 4_000 } }),
      sh('echo first > a.txt; sleep 1; for i in 1 2 3 4 5 6 7 8; do sh -c "echo $i" ; done; cat a.txt', {
        limits: { ...small, wallMs: 20_000 },
      }),
    ]);
    expect(hog.end).toBe('memory');
    expect(['exit', 'timeout']).toContain(bomb.end);
    expect(worker).toMatchObject({ end: 'exit', exitCode: 0, stdout: '1\n2\n3\n4\n5\n6\n7\n8\nfirst\n' });
  });

  it('cancels a run through its signal', async () => {
    const controller = new AbortController();
    const running = sh('sleep 30', { signal: controller.signal, limits: { ...small, wallMs: 60_000 } });
    setTimeout(() => controller.abort(), 300);
    expect(await running).toMatchObject({ end: 'cancelled', exitCode: null });
  });

  it('removes every run\u2019s cgroups once runs are over', async () => {
    await sandbox.settled();
    const own = (controller: string) =>
      new RegExp(`^\\d+:${controller}:(.*)$`, 'm').exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ??
      '/';
    const kind = sandbox.status().limitsBy.split(' ')[0];
    const left =
      kind === 'cgroup-v1'
        ? ['memory', 'pids', 'cpuacct'].flatMap((controller) =>
            readdirSync(path.join('/sys/fs/cgroup', controller, own(controller))).filter((name) =>
              name.startsWith(`tandem-sandbox-${process.pid}-`),
            ),
          )
        : kind === 'cgroup-v2'
          ? [own(''), '/'].flatMap((base) => {
              const parent = path.join('/sys/fs/cgroup', base, 'tandem-sandbox');
              return existsSync(parent)
                ? readdirSync(parent).filter((name) => name.startsWith(`tandem-sandbox-${process.pid}-`))
                : [];
            })
          : [];
    expect(left).toEqual([]);
  });

  it('counts runs by result in the metrics', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/tandem_sandbox_runs_total\{result="exit"\} [1-9]/);
    expect(text).toMatch(/tandem_sandbox_runs_total\{result="memory"\} [1-9]/);
    expect(text).toMatch(/tandem_sandbox_run_duration_seconds_count [1-9]/);
  });
});

describe('when the server dies', () => {
  it('takes every sandboxed process with it, and the next start removes its cgroups', async () => {
    // An unusual sleep length marks the sandboxed process in the host's process list.
    const marker = String(3000 + Math.floor(Math.random() * 5000));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, '../../test/sandbox-child.ts'), dataDir, marker],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const sleepers = () =>
      readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
          } catch {
            return false;
          }
        });
    await vi.waitFor(() => expect(output).toContain('running'), { timeout: 60_000, interval: 100 });
    expect(sleepers()).toHaveLength(1);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    // Reaped, not a zombie: a zombie still counts as a live process to the sweep.
    await exited;
    await vi.waitFor(() => expect(sleepers()).toEqual([]), { timeout: 10_000, interval: 100 });
    // The dead server's cgroups are removed by the next sandbox that starts on this machine.
    const memory = '/sys/fs/cgroup/memory';
    const own = /^\d+:memory:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
    const leftovers = () =>
      existsSync(memory)
        ? readdirSync(path.join(memory, own)).filter((name) =>
            name.startsWith(`tandem-sandbox-${child.pid}-`),
          )
        : [];
    if (existsSync(memory)) expect(leftovers()).toHaveLength(1);
    await createBwrapSandbox({ searchPath, dataDir }).ready;
    expect(leftovers()).toEqual([]);
  }, 90_000);
});

describe('the concurrency limit', () => {
  it('queues runs beyond it in FIFO order', async () => {
    const limited = createBwrapSandbox({ searchPath, dataDir, concurrency: 1 });
    await limited.ready;
    const order: string[] = [];
    const first = limited
      .run(spec(['sh', '-c', 'sleep 1; echo first']))
      .then((r) => order.push(r.stdout.trim()));
    const second = limited.run(spec(['sh', '-c', 'echo second'])).then((r) => order.push(r.stdout.trim()));
    const third = limited.run(spec(['sh', '-c', 'echo third'])).then((r) => order.push(r.stdout.trim()));
    await vi.waitFor(() => expect(limited.queued).toBe(2), { timeout: 5_000 });
    await Promise.all([first, second, third]);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(limited.queued).toBe(0);
  }, 30_000);

  it('a queued run cancelled before its turn ends as cancelled without running', async () => {
    const limited = createBwrapSandbox({ searchPath, dataDir, concurrency: 1 });
    await limited.ready;
    const blocker = limited.run(spec(['sh', '-c', 'sleep 1']));
    const controller = new AbortController();
    const queued = limited.run(spec(['sh', '-c', 'echo ran'], { signal: controller.signal }));
    await vi.waitFor(() => expect(limited.queued).toBe(1), { timeout: 5_000 });
    controller.abort();
    expect(await queued).toMatchObject({ end: 'cancelled', stdout: '' });
    expect((await blocker).end).toBe('exit');
  }, 30_000);
});

describe('fail closed', () => {
  it('refuses every run with SANDBOX_UNAVAILABLE when bwrap is not on the PATH, and runs nothing', async () => {
    // A PATH with every tool the runner uses except bwrap.
    const bin = path.join(dir, 'bin-without-bwrap');
    mkdirSync(bin);
    for (const tool of ['sh', 'prlimit', 'setpriv']) symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
    const refusedMetrics = createMetrics();
    const missing = createBwrapSandbox({
      searchPath: bin,
      dataDir,
      metrics: {
        runs: refusedMetrics.sandboxRuns,
        duration: refusedMetrics.sandboxDuration,
        refused: refusedMetrics.sandboxRefused,
      },
    });
    const status = await missing.ready;
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(/bwrap/);
    const marker = path.join(dir, `ran-unsandboxed-${randomUUID()}`);
    const error = await missing.run(spec(['sh', '-c', `touch ${marker}`])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
    expect((error as AppError).message).toMatch(/bwrap/);
    expect(existsSync(marker)).toBe(false);
    expect(await refusedMetrics.registry.metrics()).toMatch(
      /tandem_sandbox_refused_total\{reason="bwrap_missing"\} 1/,
    );
  });

  it('refuses when the configured bwrap path does not exist', async () => {
    const missing = createBwrapSandbox({ searchPath, dataDir, bwrap: path.join(dir, 'no-such-bwrap') });
    expect((await missing.ready).available).toBe(false);
    await expect(missing.run(spec(['true']))).rejects.toMatchObject({ code: 'SANDBOX_UNAVAILABLE' });
  });
});
