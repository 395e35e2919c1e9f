// The dependency install against the real bwrap and npm: skipped without a lockfile, no install script ever runs,
// the result is cached by lockfile and mounted read-only into check runs that have no network.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeTar } from '@tandem/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBwrapSandbox, type BwrapSandbox } from './bwrap.ts';
import { prepareDependencies } from './dependencies.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tandem-deps-test-'));
// A data directory the server makes is 755; mkdtemp's is 700, and the sandbox's nobody must pass through to the cache.
chmodSync(dir, 0o711);
const dataDir = path.join(dir, 'data');
let sandbox: BwrapSandbox;

beforeAll(async () => {
  mkdirSync(dataDir);
  sandbox = createBwrapSandbox({ searchPath: process.env.PATH ?? '/usr/bin:/bin', dataDir });
  await sandbox.ready;
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An npm package tarball whose postinstall would leave marks in its own folder and in the cache. */
function evilTarball(): Uint8Array {
  const chunks: Uint8Array[] = [];
  const script =
    "require('fs').writeFileSync('ran-postinstall','x');" +
    "try{require('fs').writeFileSync('/work/.tandem-deps-out/PWNED','x')}catch{}";
  writeTar(
    [
      {
        path: 'package/package.json',
        content: Buffer.from(
          JSON.stringify({
            name: 'evil',
            version: '1.0.0',
            main: 'index.js',
            scripts: { postinstall: `node -e "${script}"` },
          }),
        ),
      },
      { path: 'package/index.js', content: Buffer.from("module.exports = 'evil loaded';\n") },
    ],
    0,
    (chunk) => chunks.push(Buffer.from(chunk)),
  );
  return gzipSync(Buffer.concat(chunks));
}

function evilProject(): Map<string, string | Uint8Array> {
  const tarball = evilTarball();
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const pkg = {
    name: 'fixture',
    version: '1.0.0',
    dependencies: { evil: 'file:evil-1.0.0.tgz' },
    scripts: { postinstall: 'touch /work/.tandem-deps-out/ROOT-PWNED' },
  };
  const lock = {
    name: 'fixture',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'fixture', version: '1.0.0', hasInstallScript: true, dependencies: pkg.dependencies },
      'node_modules/evil': {
        version: '1.0.0',
        resolved: 'file:evil-1.0.0.tgz',
        integrity,
        hasInstallScript: true,
      },
    },
  };
  return new Map<string, string | Uint8Array>([
    ['package.json', JSON.stringify(pkg, null, 2)],
    ['package-lock.json', JSON.stringify(lock, null, 2)],
    ['evil-1.0.0.tgz', tarball],
  ]);
}

function allFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' });
}

describe('prepareDependencies', () => {
  it('skips a work tree without a lockfile and says why', async () => {
    const result = await prepareDependencies(
      sandbox,
      new Map([['package.json', JSON.stringify({ name: 'x', dependencies: { 'is-number': '^7.0.0' } })]]),
    );
    expect(result).toMatchObject({ status: 'skipped' });
    expect(result.output).toMatch(/No lockfile/);
    expect(result.mount).toBeUndefined();
  });

  it('installs with no install script running, caches by lockfile, and mounts read-only into check runs', async () => {
    const files = evilProject();
    const first = await prepareDependencies(sandbox, files);
    expect(first.output).toBeDefined();
    expect(first).toMatchObject({ status: 'installed', manager: 'npm' });
    const mount = first.mount;
    if (!mount) throw new Error('no mount');
    const installed = allFiles(mount.source);
    expect(installed).toContain(path.join('evil', 'index.js'));
    // Neither the dependency's postinstall nor the project's own ran.
    expect(installed.some((file) => file.endsWith('ran-postinstall'))).toBe(false);
    expect(allFiles(path.dirname(mount.source)).some((file) => file.includes('PWNED'))).toBe(false);
    expect(mount.source.startsWith(sandbox.cacheDir)).toBe(true);

    const again = await prepareDependencies(sandbox, files);
    expect(again).toMatchObject({ status: 'cached', mount });

    const check = await sandbox.run({
      command: [
        'sh',
        '-c',
        'node -e "console.log(require(\'evil\'))"; touch node_modules/evil/changed && echo wrote; echo done',
      ],
      files: new Map([['package.json', files.get('package.json') ?? '']]),
      mounts: [mount],
    });
    expect(check.stdout).toBe('evil loaded\ndone\n');
    expect(check.stderr).toMatch(/Read-only file system/);
    expect(existsSync(path.join(mount.source, 'evil', 'changed'))).toBe(false);
  }, 120_000);

  it('installs from the npm registry in its own sandbox, for a check run that has no network', async () => {
    const pkg = { name: 'registry-fixture', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } };
    const lock = {
      name: 'registry-fixture',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'registry-fixture', version: '1.0.0', dependencies: pkg.dependencies },
        'node_modules/is-number': {
          version: '7.0.0',
          resolved: 'https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz',
          integrity:
            'sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==',
          engines: { node: '>=0.12.0' },
        },
      },
    };
    const files = new Map([
      ['package.json', JSON.stringify(pkg)],
      ['package-lock.json', JSON.stringify(lock)],
    ]);
    const result = await prepareDependencies(sandbox, files);
    expect(result.status, result.output).toBe('installed');
    const check = await sandbox.run({
      command: ['node', '-e', "console.log(require('is-number')(5))"],
      files,
      mounts: result.mount ? [result.mount] : [],
    });
    expect(check).toMatchObject({ end: 'exit', exitCode: 0, stdout: 'true\n' });
  }, 180_000);

  it('installs a pnpm lockfile with pnpm', async () => {
    const lock = [
      "lockfileVersion: '9.0'",
      '',
      'settings:',
      '  autoInstallPeers: true',
      '  excludeLinksFromLockfile: false',
      '',
      'importers:',
      '',
      '  .:',
      '    dependencies:',
      '      is-number:',
      '        specifier: 7.0.0',
      '        version: 7.0.0',
      '',
      'packages:',
      '',
      '  is-number@7.0.0:',
      '    resolution: {integrity: sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==}',
      "    engines: {node: '>=0.12.0'}",
      '',
      'snapshots:',
      '',
      '  is-number@7.0.0: {}',
      '',
    ].join('\n');
    const files = new Map([
      [
        'package.json',
        JSON.stringify({ name: 'pnpm-fixture', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } }),
      ],
      ['pnpm-lock.yaml', lock],
    ]);
    const result = await prepareDependencies(sandbox, files);
    expect(result.status, result.output).toBe('installed');
    expect(result.manager).toBe('pnpm');
    const check = await sandbox.run({
      command: ['node', '-e', "console.log(require('is-number')(5))"],
      files,
      mounts: result.mount ? [result.mount] : [],
    });
    expect(check).toMatchObject({ end: 'exit', exitCode: 0, stdout: 'true\n' });
  }, 180_000);

  it('reports a broken lockfile as a failed install with the installer\u2019s output', async () => {
    const result = await prepareDependencies(
      sandbox,
      new Map([
        [
          'package.json',
          JSON.stringify({ name: 'broken', version: '1.0.0', dependencies: { nope: '1.0.0' } }),
        ],
        ['package-lock.json', '{ this is not json'],
      ]),
    );
    expect(result.status).toBe('failed');
    expect(result.mount).toBeUndefined();
    expect(result.output).toMatch(/npm (error|ERR)/);
  }, 120_000);
});
