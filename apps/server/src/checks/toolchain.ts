// Where the check toolchain (apps/server/toolchain: ESLint with the security plugins, secretlint, TypeScript) is
// on this machine, and the read-only mounts that make it run inside the sandbox. pnpm installs it with the
// workspace, as links into the workspace's package store, so the store is mounted too, at the same path, for the
// links to resolve.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { CheckToolchain } from '@tandem/core';
import { serverRoot } from '../server-root.ts';

export const toolchainDir = path.join(serverRoot, 'toolchain');

export function checkToolchain(dir = toolchainDir): CheckToolchain {
  // …/node_modules/.pnpm/eslint@10.15.0_…/node_modules/eslint -> …/node_modules/.pnpm
  const eslint = realpathSync(path.join(dir, 'node_modules', 'eslint'));
  const store = path.resolve(eslint, '..', '..', '..');
  const mounts = [{ source: dir, target: dir }];
  if (!store.startsWith(`${dir}${path.sep}`)) mounts.push({ source: store, target: store });
  return { dir, mounts };
}
