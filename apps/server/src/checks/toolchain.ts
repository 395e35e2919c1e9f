// Where the check toolchain (apps/server/toolchain: ESLint with the security plugins, secretlint, TypeScript) is
// on this machine, and the read-only mounts that make it run inside the sandbox. pnpm installs it with the
// workspace, as relative links into the workspace's package store, so the store is mounted too. The sandbox takes
// mounts only below /work, so both go under /work/.tandem-toolchain with their places relative to each other kept,
// which keeps the links resolving wherever the server is installed.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { CheckToolchain } from '@tandem/core';
import { serverRoot } from '../server-root.ts';

export const toolchainDir = path.join(serverRoot, 'toolchain');

/** Where the toolchain's folders appear inside the sandbox. */
export const toolchainMountRoot = '/work/.tandem-toolchain';

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(`${parent}${path.sep}`);

function commonAncestor(paths: readonly string[]): string {
  let base = paths[0] ?? '/';
  while (!paths.every((p) => inside(p, base))) base = path.dirname(base);
  return base;
}

export function checkToolchain(dir = toolchainDir): CheckToolchain {
  const realDir = realpathSync(dir);
  // …/node_modules/.pnpm/eslint@10.15.0_…/node_modules/eslint -> …/node_modules/.pnpm
  const eslint = realpathSync(path.join(realDir, 'node_modules', 'eslint'));
  const store = path.resolve(eslint, '..', '..', '..');
  const sources = inside(store, realDir) ? [realDir] : [realDir, store];
  const base = commonAncestor(sources);
  const target = (source: string) => path.posix.join(toolchainMountRoot, path.relative(base, source));
  return { dir: target(realDir), mounts: sources.map((source) => ({ source, target: target(source) })) };
}
