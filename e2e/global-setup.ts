// Builds the web app, the docs and the server once per run, so every server the tests start is what `pnpm start`
// runs: the bundled apps/server/dist serving the current apps/web/dist and docs/dist.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { e2eEnv } from './env.ts';

const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../apps/web');
const serverRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../apps/server');

export default async function setup(): Promise<void> {
  if (e2eEnv.skipBuild) return;
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build; test what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: webRoot, logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  execFileSync('pnpm', ['--filter', '@tandem/docs', 'build'], { cwd: serverRoot, stdio: 'inherit' });
  execFileSync(process.execPath, ['--import', 'tsx', 'build.ts'], { cwd: serverRoot, stdio: 'inherit' });
}
