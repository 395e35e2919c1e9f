// Installs a work tree's dependencies once per lockfile, outside the no-network check runs, and hands back a
// read-only mount of the result for them. Decisions:
// - Only with a lockfile (package-lock.json / npm-shrinkwrap.json -> `npm ci`, pnpm-lock.yaml -> `pnpm install
//   --frozen-lockfile`), always with --ignore-scripts: no package code (postinstall…) runs, so the install runs
//   only npm or pnpm themselves. No lockfile: skipped, and the caller says which checks that leaves out.
// - The install runs in its own sandbox: no capabilities, a clean env, no data directory, the usual limits, but
//   the host's network (the registry). bwrap cannot narrow the network to one host, so it can reach any host the
//   server can; nothing of the package code runs there to use that.
// - It installs into the sandbox's tmpfs (bounded by workBytes), then copies the tree into a fresh staging
//   directory of the cache, bound writable; the host only renames that directory into place and never follows a
//   link in it. Check runs see it read-only at /work/node_modules, where its relative links resolve in their view.
import { createHash, randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import type { SandboxLimits, SandboxMount, SandboxResult } from '@tandem/core';
import type { BwrapSandbox } from './bwrap.ts';

export const defaultInstallLimits: Partial<SandboxLimits> = {
  wallMs: 5 * 60_000,
  cpuMs: 5 * 60_000,
  // The tmpfs holding node_modules and the package cache is charged to the run's memory too.
  memoryBytes: 3 * 1024 * 1024 * 1024,
  workBytes: 1024 * 1024 * 1024,
  processes: 256,
  openFiles: 4096,
  fileSizeBytes: 256 * 1024 * 1024,
  outputBytes: 256 * 1024,
};

export interface DependencyInstall {
  /** `cached`: an earlier install of the same lockfile is reused; `skipped`: no lockfile. */
  status: 'installed' | 'cached' | 'skipped' | 'failed';
  /** For check runs: the installed node_modules, read-only at /work/node_modules. */
  mount?: SandboxMount;
  manager?: 'npm' | 'pnpm';
  /** The cache key (hash of manager, Node version, package.json and lockfile). */
  key?: string;
  /** What to show: why it was skipped or failed, or the installer's output. */
  output: string;
  durationMs: number;
  /** The install run itself, when one ran. */
  result?: SandboxResult;
}

export interface PrepareOptions {
  /** Defaults to the public npm registry. */
  registry?: string;
  limits?: Partial<SandboxLimits>;
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

const NOBODY = 65534;
const OUT = '/work/.tandem-deps-out';

function textOf(content: string | Uint8Array | undefined): string | undefined {
  if (content === undefined) return undefined;
  return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
}

function detect(files: ReadonlyMap<string, string | Uint8Array>) {
  const pnpmLock = textOf(files.get('pnpm-lock.yaml'));
  if (pnpmLock !== undefined) return { manager: 'pnpm' as const, lockfile: pnpmLock };
  const npmLock = textOf(files.get('package-lock.json')) ?? textOf(files.get('npm-shrinkwrap.json'));
  if (npmLock !== undefined) return { manager: 'npm' as const, lockfile: npmLock };
  return undefined;
}

function installScript(manager: 'npm' | 'pnpm'): string {
  const install =
    manager === 'npm'
      ? 'npm ci --ignore-scripts --no-audit --no-fund --cache /tmp/npm-cache --registry "$REGISTRY"'
      : // pnpm must not fetch another pnpm for the project's `packageManager` field, nor link from a store on
        // another filesystem.
        'pnpm install --frozen-lockfile --ignore-scripts --store-dir /tmp/pnpm-store --package-import-method copy ' +
        '--config.manage-package-manager-versions=false --registry "$REGISTRY"';
  return `set -e; ${install}; cp -a node_modules/. ${OUT}/`;
}

/**
 * Installs the dependencies of `files` (a work tree with package.json and a lockfile at its root) into the
 * cache, or reuses an earlier install of the same lockfile. Never throws for the project's faults (a broken
 * lockfile, an unreachable registry: `failed` with the output); rejects only with the sandbox's own errors
 * (SANDBOX_UNAVAILABLE, BAD_INPUT).
 */
export async function prepareDependencies(
  sandbox: BwrapSandbox,
  files: ReadonlyMap<string, string | Uint8Array>,
  options: PrepareOptions = {},
): Promise<DependencyInstall> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const packageJson = textOf(files.get('package.json'));
  const found = detect(files);
  if (packageJson === undefined || found === undefined) {
    return {
      status: 'skipped',
      output:
        packageJson === undefined
          ? 'No package.json: there are no dependencies to install.'
          : 'No lockfile (package-lock.json or pnpm-lock.yaml): dependencies are not installed.',
      durationMs: elapsed(),
    };
  }
  const key = createHash('sha256')
    .update(`${found.manager}\0${process.version}\0${packageJson}\0${found.lockfile}`)
    .digest('hex');
  const entry = path.join(sandbox.cacheDir, key);
  const mount = { source: path.join(entry, 'node_modules'), target: '/work/node_modules' };
  if (existsSync(mount.source)) {
    return { status: 'cached', mount, manager: found.manager, key, output: '', durationMs: elapsed() };
  }

  // Others may pass through (the sandbox's nobody must reach its mounts) but not list the cache.
  mkdirSync(sandbox.cacheDir, { recursive: true, mode: 0o711 });
  const staging = path.join(sandbox.cacheDir, `staging-${randomUUID()}`);
  const out = path.join(staging, 'node_modules');
  mkdirSync(out, { recursive: true, mode: 0o711 });
  // The sandbox writes as nobody when the server is root.
  if (userInfo().uid === 0) chownSync(out, NOBODY, NOBODY);
  try {
    const result = await sandbox.run(
      {
        command: ['sh', '-c', installScript(found.manager)],
        files,
        env: { REGISTRY: options.registry ?? 'https://registry.npmjs.org/' },
        limits: { ...defaultInstallLimits, ...options.limits },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      },
      { network: true, writableMounts: [{ source: out, target: OUT }] },
    );
    const output = `${result.stdout}${result.stderr}`;
    if (result.end !== 'exit' || result.exitCode !== 0) {
      return { status: 'failed', manager: found.manager, key, output, durationMs: elapsed(), result };
    }
    try {
      renameSync(staging, entry);
    } catch (error) {
      // Another install of the same lockfile finished first; its copy is as good as ours.
      if (!existsSync(mount.source)) throw error;
    }
    return { status: 'installed', mount, manager: found.manager, key, output, durationMs: elapsed(), result };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
