import { describe, expect, it } from 'vitest';
import { planChecks, type CheckPlanEntry } from './plan.ts';
import { checkSettingsSchema } from './settings.ts';

const TSCONFIG = '{ "compilerOptions": { "strict": true } }';

function entry(entries: CheckPlanEntry[], check: CheckPlanEntry['check']): CheckPlanEntry | undefined {
  return entries.find((e) => e.check === check);
}

function manifest(value: object): string {
  return JSON.stringify(value);
}

describe('planChecks', () => {
  it('plans everything for a TypeScript project with a lockfile, ESLint and tests', () => {
    const files = new Map([
      [
        'package.json',
        manifest({ scripts: { test: 'vitest run' }, devDependencies: { typescript: '5', eslint: '9' } }),
      ],
      ['pnpm-lock.yaml', 'lockfileVersion: 9.0\n'],
      ['tsconfig.json', TSCONFIG],
      ['eslint.config.js', 'export default [];\n'],
      ['src/a.ts', 'export const a = 1;\n'],
      ['README.md', '# x\n'],
    ]);
    const { entries } = planChecks({ files, changed: ['src/a.ts', 'README.md', 'src/gone.ts'] });
    expect(entries.map((e) => [e.check, e.status])).toEqual([
      ['install', 'planned'],
      ['typecheck', 'planned'],
      ['lint', 'planned'],
      ['test', 'planned'],
      ['security', 'planned'],
    ]);
    expect(entry(entries, 'install')).toMatchObject({ lockfile: 'pnpm-lock.yaml' });
    expect(entry(entries, 'typecheck')).toMatchObject({ workspaceTypescript: true, needsDependencies: true });
    expect(entry(entries, 'lint')).toMatchObject({ paths: ['src/a.ts'] });
    expect(entry(entries, 'test')).toMatchObject({ command: 'vitest run' });
    expect(entry(entries, 'security')).toMatchObject({
      paths: ['README.md', 'src/a.ts'],
      scriptPaths: ['src/a.ts'],
      auditLockfile: undefined,
    });
  });

  it('type-checks and tests a project without dependencies with no install, using the toolchain TypeScript', () => {
    const files = new Map([
      ['package.json', manifest({ scripts: { test: 'node --test' } })],
      ['tsconfig.json', TSCONFIG],
      ['src/a.ts', 'export const a = 1;\n'],
    ]);
    const { entries } = planChecks({ files, changed: ['src/a.ts'] });
    expect(entry(entries, 'install')).toEqual({ check: 'install', status: 'skipped', reason: 'no lockfile' });
    expect(entry(entries, 'typecheck')).toMatchObject({
      status: 'planned',
      workspaceTypescript: false,
      needsDependencies: false,
    });
    expect(entry(entries, 'test')).toMatchObject({ status: 'planned', needsDependencies: false });
    expect(entry(entries, 'lint')).toMatchObject({ status: 'skipped', reason: 'no ESLint config' });
  });

  it('skips what needs dependencies when there is no lockfile, and says why', () => {
    const files = new Map([
      [
        'package.json',
        manifest({
          scripts: { test: 'jest' },
          dependencies: { express: '5' },
          devDependencies: { eslint: '9' },
        }),
      ],
      ['tsconfig.json', TSCONFIG],
      ['eslint.config.mjs', 'export default [];\n'],
      ['src/a.ts', 'x'],
    ]);
    const { entries } = planChecks({ files, changed: ['src/a.ts'] });
    for (const check of ['typecheck', 'lint', 'test'] as const) {
      const e = entry(entries, check);
      expect(e?.status).toBe('skipped');
      expect(e?.status === 'skipped' ? e.reason : '').toContain('no lockfile');
    }
    expect(entry(entries, 'security')?.status).toBe('planned');
  });

  it("skips npm's placeholder test script, ESLint configs without eslint, and unchanged trees", () => {
    const files = new Map([
      [
        'package.json',
        manifest({
          scripts: { test: 'echo "Error: no test specified" && exit 1' },
          dependencies: { zod: '4' },
        }),
      ],
      ['package-lock.json', '{}'],
      ['.eslintrc.json', '{}'],
    ]);
    const { entries } = planChecks({ files, changed: [] });
    expect(entry(entries, 'test')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('no test script') as unknown,
    });
    expect(entry(entries, 'lint')).toMatchObject({
      reason: '.eslintrc.json is there but eslint is not a dependency',
    });
    expect(entry(entries, 'typecheck')).toMatchObject({ reason: 'no tsconfig.json' });
    expect(entry(entries, 'security')).toMatchObject({ reason: 'no changed files to scan' });
  });

  it('adds dependency advisories when the manifest or the npm lockfile changed', () => {
    const files = new Map([
      ['package.json', manifest({ dependencies: { lodash: '4.17.15' } })],
      ['package-lock.json', '{}'],
    ]);
    expect(entry(planChecks({ files, changed: ['package.json'] }).entries, 'security')).toMatchObject({
      auditLockfile: 'package-lock.json',
    });
    const pnpm = new Map([...files].filter(([p]) => p !== 'package-lock.json')).set('pnpm-lock.yaml', 'x');
    expect(entry(planChecks({ files: pnpm, changed: ['pnpm-lock.yaml'] }).entries, 'security')).toMatchObject(
      {
        auditLockfile: undefined,
        auditSkipped: 'dependency advisories need package-lock.json (npm audit)',
      },
    );
  });

  it('follows the workspace settings: commands replace detection, disabled checks say so', () => {
    const files = new Map([
      ['package.json', manifest({ devDependencies: { typescript: '5' } })],
      ['pnpm-lock.yaml', 'x'],
      ['src/a.ts', 'x'],
    ]);
    const settings = checkSettingsSchema.parse({
      typecheck: { command: 'tsc -b' },
      test: { command: ' pnpm -r test ' },
      security: { enabled: false },
      install: { enabled: true },
    });
    const { entries } = planChecks({ files, changed: ['src/a.ts'], settings });
    expect(entry(entries, 'typecheck')).toMatchObject({ status: 'planned', command: 'tsc -b' });
    expect(entry(entries, 'test')).toMatchObject({ status: 'planned', command: 'pnpm -r test' });
    expect(entry(entries, 'security')).toEqual({
      check: 'security',
      status: 'skipped',
      reason: 'turned off in the workspace settings',
    });

    const noInstall = planChecks({
      files,
      changed: ['src/a.ts'],
      settings: { install: { enabled: false }, test: { command: 'x' } },
    });
    expect(entry(noInstall.entries, 'test')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('turned off') as unknown,
    });
  });

  it('refuses malformed settings', () => {
    expect(checkSettingsSchema.safeParse({ test: { command: '' } }).success).toBe(false);
    expect(checkSettingsSchema.safeParse({ security: { command: 'true' } }).success).toBe(false);
    expect(checkSettingsSchema.safeParse({ deploy: {} }).success).toBe(false);
  });
});
