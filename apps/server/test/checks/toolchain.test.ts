// The security toolchain and the check pipeline against the real tools (ESLint with the security plugins,
// secretlint, TypeScript, node:test), on small fixture projects this test writes. Run without isolation by a
// test-only runner: the bubblewrap runner's own tests cover isolation.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  computeChangeset,
  mayAutoApply,
  parseEslintJson,
  parseSecretlintJson,
  planChecks,
  runChecks,
  type CheckEvent,
} from '@tandem/core';
import { describe, expect, it } from 'vitest';
import { checkToolchain, toolchainDir, toolchainMountRoot } from '../../src/checks/toolchain.ts';
import { UnsandboxedTestRunner } from './unsandboxed-runner.ts';

const run = promisify(execFile);

// Assembled here so no credential-shaped string sits in the repository; secretlint sees the whole thing.
const AWS_KEY_ID = ['AKIA', '2E0A8F3B', '244C9986'].join('');
const AWS_SECRET = ['g7Hk2pQ9vX4mLr8Z', 'tW1yB6nC3sJ5dF0a', 'E2uK7oPq'].join('');
const EVAL_HANDLER =
  'export function handle(req, res) {\n  const result = eval(req.query.x);\n  res.send(String(result));\n}\n';
const AWS_CONFIG = `export const aws = {\n  region: 'eu-west-1',\n  accessKeyId: '${AWS_KEY_ID}',\n  secretAccessKey: '${AWS_SECRET}',\n};\n`;

function writeTree(files: ReadonlyMap<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-toolchain-'));
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

async function tool(dir: string, args: string[]): Promise<string> {
  try {
    return (await run('node', args, { cwd: dir })).stdout;
  } catch (error) {
    // Both tools exit 1 when they find something; their report is still on stdout.
    return (error as { stdout: string }).stdout;
  }
}

describe('the security toolchain', () => {
  it('finds eval of request input (high) and a hard-coded AWS key (critical), run directly', async (context) => {
    const dir = writeTree(
      new Map([
        ['src/handler.js', EVAL_HANDLER],
        ['src/config.js', AWS_CONFIG],
      ]),
    );
    context.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));

    const eslintJson = await tool(dir, [
      path.join(toolchainDir, 'node_modules/eslint/bin/eslint.js'),
      ...['--config', path.join(toolchainDir, 'eslint.config.js'), '--format', 'json', '--no-warn-ignored'],
      ...['src/handler.js', 'src/config.js'],
    ]);
    const eslint = parseEslintJson(eslintJson.replaceAll(`${dir}/`, '/work/'), { security: true });
    expect(eslint?.map((f) => [f.path, f.line, f.rule, f.severity])).toEqual([
      ['src/handler.js', 2, 'security/detect-eval-with-expression', 'high'],
      ['src/handler.js', 2, 'no-eval', 'high'],
    ]);
    // detect-object-injection is off: `req.query.x` and `obj[key]` alone raise nothing.
    expect(eslintJson).not.toContain('detect-object-injection');

    const secretJson = await tool(dir, [
      path.join(toolchainDir, 'node_modules/secretlint/bin/secretlint.js'),
      ...['--secretlintrc', path.join(toolchainDir, '.secretlintrc.json'), '--format', 'json'],
      ...['src/handler.js', 'src/config.js'],
    ]);
    const secrets = parseSecretlintJson(secretJson.replaceAll(`${dir}/`, '/work/'));
    expect(secrets?.map((f) => [f.path, f.line, f.rule, f.severity])).toEqual([
      ['src/config.js', 4, '@secretlint/secretlint-rule-aws', 'critical'],
    ]);
    expect(secrets?.[0]?.message).not.toContain(AWS_SECRET);
  });

  it('mounts the toolchain and the package store it links into below /work, keeping their relative places', () => {
    const { dir, mounts } = checkToolchain();
    expect(mounts[0]?.source).toBe(realpathSync(toolchainDir));
    expect(mounts[0]?.target).toBe(dir);
    expect(mounts[1]?.source).toMatch(/node_modules\/\.pnpm$/);
    for (const mount of mounts) expect(mount.target.startsWith(`${toolchainMountRoot}/`)).toBe(true);
    // pnpm's links are relative: the store must sit where the toolchain's links expect it.
    const [toolchain, store] = mounts;
    if (!toolchain || !store) throw new Error('expected two mounts');
    expect(path.posix.relative(toolchain.target, store.target)).toBe(
      path.relative(toolchain.source, store.source),
    );
  });
});

// A small TypeScript-checked project: JavaScript with JSDoc types (`checkJs`), since Node 20 runs no .ts tests
// without a build step; tsc checks it like TypeScript.
const MATH =
  '// @ts-check\n/** @param {number} a @param {number} b @returns {number} */\nexport function add(a, b) {\n  return a + b;\n}\n';
const MATH_TEST =
  "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/math.js';\n\ntest('add adds', () => {\n  assert.equal(add(1, 2), 3);\n});\n";

function fixtureProject(): Map<string, string> {
  return new Map([
    [
      'package.json',
      JSON.stringify({ name: 'fixture', type: 'module', scripts: { test: 'node --test test/' } }),
    ],
    [
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          allowJs: true,
          checkJs: true,
          noEmit: true,
          strict: true,
          module: 'nodenext',
          target: 'es2022',
          types: [],
          lib: ['es2022'],
        },
        include: ['src'],
      }),
    ],
    ['src/math.js', MATH],
    ['test/math.test.js', MATH_TEST],
  ]);
}

async function checkChange(before: Map<string, string>, after: Map<string, string>) {
  const changed = [...after.keys()].filter((p) => before.get(p) !== after.get(p));
  const events: CheckEvent[] = [];
  const sandbox = new UnsandboxedTestRunner();
  const outcome = await runChecks({
    sandbox,
    files: after,
    plan: planChecks({ files: after, changed }),
    signal: AbortSignal.timeout(60_000),
    onEvent: (event) => {
      events.push(event);
    },
    toolchain: checkToolchain(),
    changeset: computeChangeset(before, new Map([...after].filter(([p]) => changed.includes(p))), [], {
      taskId: 't',
    }),
  });
  return { outcome, events, sandbox };
}

describe('runChecks with the real tools on a fixture project', { timeout: 60_000 }, () => {
  it('passes a good change', async () => {
    const before = fixtureProject();
    const after = new Map(before).set(
      'src/math.js',
      `${MATH}\n/** @param {number} a @param {number} b @returns {number} */\nexport function sub(a, b) {\n  return a - b;\n}\n`,
    );
    const { outcome } = await checkChange(before, after);
    expect(outcome.results.map((r) => [r.check, r.status])).toEqual([
      ['install', 'skipped'],
      ['typecheck', 'passed'],
      ['lint', 'skipped'],
      ['test', 'passed'],
      ['security', 'passed'],
    ]);
    expect(mayAutoApply({ checks: outcome.results, findings: outcome.findings }).allowed).toBe(true);
  });

  it('fails on a type error and a failing test, with the tools’ own messages', async () => {
    const before = fixtureProject();
    const after = new Map(before).set(
      'src/math.js',
      MATH.replace('return a + b;', 'return a - b;\n}\n/** @type {string} */\nexport const label = 42;\n{'),
    );
    const { outcome } = await checkChange(before, after);
    const typecheck = outcome.results.find((r) => r.check === 'typecheck');
    expect(typecheck?.status).toBe('failed');
    expect(typecheck?.findings.map((f) => [f.path, f.line, f.rule, f.severity])).toEqual([
      ['src/math.js', 7, 'TS2322', 'high'],
    ]);
    expect(typecheck?.findings[0]?.hunkId).toMatch(/^\d+-\d+$/);
    const test = outcome.results.find((r) => r.check === 'test');
    expect(test?.status).toBe('failed');
    expect(test?.output).toContain('add adds');
    expect(mayAutoApply({ checks: outcome.results, findings: outcome.findings }).allowed).toBe(false);
  });

  it('blocks eval(req.query.x) and a hard-coded AWS key with findings on the changed files', async () => {
    const before = fixtureProject();
    const after = new Map(before).set('src/handler.js', EVAL_HANDLER).set('src/config.js', AWS_CONFIG);
    const { outcome, events } = await checkChange(before, after);
    const security = outcome.results.find((r) => r.check === 'security');
    expect(security?.status).toBe('failed');
    expect(security?.findings.map((f) => [f.tool, f.severity, f.path, f.line])).toEqual([
      ['secretlint', 'critical', 'src/config.js', 4],
      ['eslint-security', 'high', 'src/handler.js', 2],
      ['eslint-security', 'high', 'src/handler.js', 2],
    ]);
    expect(events.filter((e) => e.type === 'finding').every((e) => e.hunkId !== undefined)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(AWS_SECRET);
    expect(mayAutoApply({ checks: outcome.results, findings: outcome.findings }).reasons).toContain(
      '1 secret found (src/config.js:4 @secretlint/secretlint-rule-aws)',
    );
  });
});
