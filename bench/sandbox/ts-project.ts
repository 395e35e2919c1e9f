// A generated TypeScript project of about 50 files for the warm-checks benchmark: modules that import each other,
// a test per module (compiled with the project's TypeScript, run with `node --test`), a tsconfig, an ESLint flat
// config with the TypeScript parser, and a real npm lockfile made by `npm install --package-lock-only` (the
// registry is asked once per run of the bench; nothing is installed on the host).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Versions that run on Node 20 (the same as the server's check toolchain). */
const devDependencies = {
  typescript: '5.9.3',
  eslint: '10.15.0',
  '@typescript-eslint/parser': '8.73.0',
  '@types/node': '20.19.8',
};

const MODULES = 24;

function moduleSource(i: number): string {
  const dep = i > 0 ? `import { step${i - 1} } from './mod-${i - 1}.js';\n` : '';
  const prev = i > 0 ? `step${i - 1}(value)` : 'value';
  return `${dep}
export interface Options${i} {
  readonly factor: number;
  readonly label?: string;
}

/** Step ${i} of the pipeline: scales what the previous step produced. */
export function step${i}(value: number, options: Options${i} = { factor: 2 }): number {
  const base = ${prev};
  return base * options.factor + ${i};
}

export function describe${i}(values: readonly number[]): string {
  const total = values.map((v) => step${i}(v)).reduce((sum, v) => sum + v, 0);
  return \`module ${i}: \${total.toFixed(2)}\`;
}
`;
}

function testSource(i: number): string {
  return `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe${i}, step${i} } from '../src/mod-${i}.js';

test('step${i} is deterministic', () => {
  assert.equal(step${i}(1), step${i}(1));
  assert.ok(Number.isFinite(step${i}(3, { factor: 1 })));
});

test('describe${i} names its module', () => {
  assert.match(describe${i}([1, 2, 3]), /^module ${i}: /);
});
`;
}

/** The project's files, path -> text, with its lockfile. */
export function tsProject(): Map<string, string> {
  const files = new Map<string, string>();
  const pkg = {
    name: 'bench-project',
    version: '1.0.0',
    private: true,
    type: 'module',
    scripts: { test: 'node node_modules/typescript/bin/tsc -p tsconfig.build.json && node --test' },
    devDependencies,
  };
  files.set('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: true,
    types: ['node'],
  };
  files.set(
    'tsconfig.json',
    `${JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, include: ['src', 'test'] }, null, 2)}\n`,
  );
  files.set(
    'tsconfig.build.json',
    `${JSON.stringify({ compilerOptions: { ...compilerOptions, outDir: 'build', rootDir: '.' }, include: ['src', 'test'] }, null, 2)}\n`,
  );
  files.set(
    'eslint.config.js',
    `import parser from '@typescript-eslint/parser';

export default [
  {
    files: ['**/*.ts'],
    languageOptions: { parser, ecmaVersion: 2022, sourceType: 'module' },
    rules: { 'no-debugger': 'error', eqeqeq: 'error', 'prefer-const': 'error', 'no-var': 'error' },
  },
];
`,
  );
  // node's test runner is given these: node_modules stays out.
  files.set('.gitignore', 'node_modules\nbuild\n');
  for (let i = 0; i < MODULES; i += 1) {
    files.set(`src/mod-${i}.ts`, moduleSource(i));
    files.set(`test/mod-${i}.test.ts`, testSource(i));
  }
  files.set('package-lock.json', lockfileFor(pkg));
  return files;
}

function lockfileFor(pkg: object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tandem-bench-lock-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: 'ignore',
      timeout: 180_000,
    });
    return readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
