// The deployment recipes in deploy/ are not run here (no container engine, systemd is not PID 1), so they are kept
// honest another way: each is parsed and held against what the server really reads and how `pnpm start` really
// starts it. A renamed variable, a changed start command or a root container fails this test.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariables } from '../src/env.ts';
import { serverDir } from './server-process.ts';

const repo = path.resolve(serverDir, '../..');
const read = (file: string) => readFileSync(path.join(repo, file), 'utf8');

/** `pnpm start`'s final command in apps/server, e.g. `node --max-semi-space-size=4 dist/main.js`. */
function startCommand(): string[] {
  const manifest = JSON.parse(read('apps/server/package.json')) as { scripts: { start: string } };
  const last = manifest.scripts.start.split('&&').at(-1)?.trim() ?? '';
  return last.split(/\s+/);
}

/** Dockerfile instructions of the last stage (continuation lines joined), as [keyword, rest]. */
function finalStage(dockerfile: string): [string, string][] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: [string, string][][] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)?.push([keyword.toUpperCase(), rest.join(' ')]);
  }
  return stages.at(-1) ?? [];
}

describe('deploy/Dockerfile', () => {
  const stage = finalStage(read('deploy/Dockerfile'));
  const all = (keyword: string) => stage.filter(([k]) => k === keyword).map(([, rest]) => rest);

  it('runs `pnpm start`’s command as an unprivileged user, with a readiness health check', () => {
    expect(JSON.parse(all('CMD').at(-1) ?? '[]')).toEqual(startCommand());
    const user = all('USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const health = all('HEALTHCHECK').at(-1) ?? '';
    expect(health).toMatch(/\/readyz/);
  });

  it('runs on the Node major CI builds the apps and runs the e2e suite on, not an end-of-life one', () => {
    // .ci/run's `if [ "$major" = N ]` branch is the version that builds and serves the apps end to end.
    const ciMajor = /if \[ "\$major" = (\d+) \]/.exec(read('.ci/run'))?.[1];
    const imageMajor = /^ARG NODE_VERSION=(\d+)$/m.exec(read('deploy/Dockerfile'))?.[1];
    expect(ciMajor).toBeDefined();
    expect(imageMajor).toBe(ciMajor);
  });

  it('installs the programs the server runs: bubblewrap for checks, git and ssh for git remotes', () => {
    const installed = all('RUN')
      .join(' ')
      .split(/\s+/)
      .filter((word) => /^[a-z][a-z0-9.+-]*$/.test(word));
    for (const name of ['bubblewrap', 'git', 'openssh-client']) expect(installed, name).toContain(name);
  });

  it('sets only variables the server reads, and exposes the port it listens on', () => {
    const env = Object.fromEntries(
      all('ENV')
        .join(' ')
        .split(/\s+/)
        .map((pair) => pair.split('=') as [string, string]),
    );
    for (const name of Object.keys(env)) expect(configVariables, name).toContain(name);
    expect(all('EXPOSE')).toEqual([env.PORT]);
    expect(env.NODE_ENV).toBe('production');
  });
});

describe('deploy/compose.yaml', () => {
  const compose = parse(read('deploy/compose.yaml')) as {
    services: Record<
      string,
      {
        build?: { context: string; dockerfile: string };
        environment?: Record<string, string>;
        ports?: string[];
        depends_on?: Record<string, { condition: string }>;
        healthcheck?: unknown;
      }
    >;
  };
  const tandem = compose.services.tandem;

  it('builds the Dockerfile and passes only variables the server reads', () => {
    if (!tandem?.build) throw new Error('no tandem service built from the repository');
    expect(existsSync(path.resolve(repo, 'deploy', tandem.build.context, tandem.build.dockerfile))).toBe(
      true,
    );
    for (const name of Object.keys(tandem.environment ?? {})) expect(configVariables, name).toContain(name);
    expect(tandem.ports).toEqual(['3000:3000']);
  });

  it('wires PostgreSQL and Redis in, and starts only once both are healthy', () => {
    const env = tandem?.environment ?? {};
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    for (const dependency of ['postgres', 'redis']) {
      expect(compose.services[dependency]?.healthcheck).toBeDefined();
      expect(tandem?.depends_on?.[dependency]).toEqual({ condition: 'service_healthy' });
    }
    // Secrets are required from the operator, never defaulted in the file.
    expect(env.TANDEM_SECRET_KEY).toMatch(/^\$\{TANDEM_SECRET_KEY:\?/);
  });
});

describe('deploy/systemd/tandem.service', () => {
  const file = path.join(repo, 'deploy/systemd/tandem.service');
  const settings = new Map<string, string[]>();
  for (const line of read('deploy/systemd/tandem.service').split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line.trim());
    if (match?.[1]) settings.set(match[1], [...(settings.get(match[1]) ?? []), match[2] ?? '']);
  }
  const one = (key: string) => settings.get(key)?.at(-1);

  it('starts what `pnpm start` starts, hardened, and restarts on failure', () => {
    const [node, ...args] = (one('ExecStart') ?? '').split(/\s+/);
    expect(path.basename(node ?? '')).toBe('node');
    expect(args).toEqual(startCommand().slice(1));
    expect(one('WorkingDirectory')).toMatch(/\/apps\/server$/);
    expect(one('DynamicUser') === 'yes' || (one('User') ?? 'root') !== 'root').toBe(true);
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('Restart')).toBe('on-failure');
    const env = (settings.get('Environment') ?? []).flatMap((line) => line.split(/\s+/));
    for (const pair of env) expect(configVariables).toContain(pair.split('=')[0]);
  });

  it('passes systemd-analyze verify where systemd is installed', async () => {
    const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((candidate) =>
      existsSync(candidate),
    );
    if (!analyze) {
      // Not every machine has systemd; the static checks above still ran.
      expect(existsSync(file)).toBe(true);
      return;
    }
    const { stderr } = await promisify(execFile)(analyze, ['verify', file]);
    expect(stderr).toBe('');
    // And it does reject a broken unit, so a pass means something.
    const dir = mkdtempSync(path.join(tmpdir(), 'tandem-unit-'));
    try {
      const broken = path.join(dir, 'tandem.service');
      writeFileSync(
        broken,
        read('deploy/systemd/tandem.service').replace('ProtectSystem=strict', 'ProtectSystem=bogus'),
      );
      const { stderr: complaint } = await promisify(execFile)(analyze, ['verify', broken]);
      expect(complaint).toMatch(/protect system value/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
