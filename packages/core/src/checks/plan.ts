// Chooses the checks of a work tree from what it contains. Decisions:
// - Only the root project counts (its package.json, tsconfig.json, ESLint config); a monorepo's owners give the
//   commands in the workspace settings.
// - Checks that need the workspace's dependencies (its own ESLint, tests of a project with dependencies, a type
//   check that imports packages) run only after an install, and an install needs a lockfile: without one they
//   are skipped with the reason, rather than run to report every import as missing.
// - A type check of a project without dependencies uses the toolchain's TypeScript.
// - The security scan always runs, on the changed files only; dependency advisories join it when the change
//   touches the manifest or an npm lockfile.
import type { CheckName } from './findings.ts';
import type { CheckSettings } from './settings.ts';

export const lockfileNames = [
  'pnpm-lock.yaml',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
] as const;

const eslintConfigNames = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
  '.eslintrc',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.json',
  '.eslintrc.yaml',
  '.eslintrc.yml',
];

/** What ESLint parses: the files the lint and the security scan look at. */
export const scriptExtensions = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** npm's placeholder for a package without tests. */
const NPM_DEFAULT_TEST = /^echo "Error: no test specified" && exit 1$/;

export type PlannedCheck =
  | {
      check: 'install';
      status: 'planned';
      lockfile: string;
    }
  | {
      check: 'typecheck';
      status: 'planned';
      /** A configured command, or undefined for `tsc --noEmit` of `tsconfig.json`. */
      command: string | undefined;
      /** Use the workspace's own TypeScript (after the install) rather than the toolchain's. */
      workspaceTypescript: boolean;
      needsDependencies: boolean;
    }
  | {
      check: 'lint';
      status: 'planned';
      command: string | undefined;
      /** The changed files ESLint is run on when no command is configured. */
      paths: string[];
      needsDependencies: true;
    }
  | { check: 'test'; status: 'planned'; command: string; needsDependencies: boolean }
  | {
      check: 'security';
      status: 'planned';
      /** Changed files that still exist: scanned for secrets. */
      paths: string[];
      /** Of those, the ones ESLint's security rules read. */
      scriptPaths: string[];
      /** The npm lockfile to check for advisories, when the change touched the manifest or it. */
      auditLockfile: string | undefined;
      /** Why advisories are not checked although the manifest changed. */
      auditSkipped: string | undefined;
    };

export interface SkippedCheck {
  check: CheckName;
  status: 'skipped';
  reason: string;
}

export type CheckPlanEntry = PlannedCheck | SkippedCheck;

export interface CheckPlanInput {
  /** The work tree as the checks will see it, path -> text. */
  files: ReadonlyMap<string, string>;
  /** Paths the change wrote or deleted. */
  changed: readonly string[];
  settings?: CheckSettings;
}

/** One entry per check, in the order they run: install first, since the others may need it. */
export interface CheckPlan {
  entries: CheckPlanEntry[];
}

interface Manifest {
  scripts: Record<string, string>;
  dependencyNames: Set<string>;
}

function readManifest(text: string | undefined): Manifest | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { scripts: {}, dependencyNames: new Set() };
  }
  const object = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const root = object(value);
  const scripts = Object.fromEntries(
    Object.entries(object(root.scripts)).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  const dependencyNames = new Set(
    ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((key) =>
      Object.keys(object(root[key])),
    ),
  );
  return { scripts, dependencyNames };
}

export function planChecks(input: CheckPlanInput): CheckPlan {
  const { files, settings = {} } = input;
  const manifest = readManifest(files.get('package.json'));
  const lockfile = lockfileNames.find((name) => files.has(name));
  const hasDependencies = (manifest?.dependencyNames.size ?? 0) > 0;
  const installs = lockfile !== undefined && manifest !== undefined && hasDependencies;
  const installEnabled = settings.install?.enabled !== false;
  const dependenciesReady = installs && installEnabled;
  const noDependencies =
    lockfile === undefined
      ? 'the workspace has no lockfile, so its dependencies cannot be installed'
      : 'dependency installation is turned off in the workspace settings';
  const off = (check: CheckName): SkippedCheck => ({
    check,
    status: 'skipped',
    reason: 'turned off in the workspace settings',
  });
  const entries: CheckPlanEntry[] = [];

  // install
  if (!installEnabled) entries.push(off('install'));
  else if (manifest === undefined) entries.push(skip('install', 'no package.json'));
  else if (lockfile === undefined) entries.push(skip('install', 'no lockfile'));
  else if (!hasDependencies) entries.push(skip('install', 'package.json lists no dependencies'));
  else entries.push({ check: 'install', status: 'planned', lockfile });

  // typecheck
  const typecheckCommand = settings.typecheck?.command;
  if (settings.typecheck?.enabled === false) entries.push(off('typecheck'));
  else if (typecheckCommand !== undefined) {
    entries.push({
      check: 'typecheck',
      status: 'planned',
      command: typecheckCommand,
      workspaceTypescript: false,
      needsDependencies: dependenciesReady,
    });
  } else if (!files.has('tsconfig.json')) entries.push(skip('typecheck', 'no tsconfig.json'));
  else if (hasDependencies && !dependenciesReady) {
    entries.push(skip('typecheck', `${noDependencies}; every import of a package would be reported missing`));
  } else {
    entries.push({
      check: 'typecheck',
      status: 'planned',
      command: undefined,
      workspaceTypescript: dependenciesReady && manifest.dependencyNames.has('typescript'),
      needsDependencies: dependenciesReady,
    });
  }

  // lint
  const lintCommand = settings.lint?.command;
  const eslintConfig = eslintConfigNames.find((name) => files.has(name));
  const lintPaths = existingChanged(input).filter((path) => scriptExtensions.test(path));
  if (settings.lint?.enabled === false) entries.push(off('lint'));
  else if (lintCommand === undefined && eslintConfig === undefined)
    entries.push(skip('lint', 'no ESLint config'));
  else if (!dependenciesReady) entries.push(skip('lint', `${noDependencies}; the ESLint config needs them`));
  else if (lintCommand === undefined && !manifest.dependencyNames.has('eslint')) {
    entries.push(
      skip('lint', `${eslintConfig ?? 'the ESLint config'} is there but eslint is not a dependency`),
    );
  } else if (lintCommand === undefined && lintPaths.length === 0) {
    entries.push(skip('lint', 'no changed JavaScript or TypeScript files'));
  } else {
    entries.push({
      check: 'lint',
      status: 'planned',
      command: lintCommand,
      paths: lintPaths,
      needsDependencies: true,
    });
  }

  // test
  const testScript = manifest?.scripts.test;
  const testCommand =
    settings.test?.command ??
    (testScript !== undefined && !NPM_DEFAULT_TEST.test(testScript.trim()) ? testScript : undefined);
  if (settings.test?.enabled === false) entries.push(off('test'));
  else if (testCommand === undefined)
    entries.push(skip('test', 'no test script in package.json and no test command configured'));
  else if (hasDependencies && !dependenciesReady)
    entries.push(skip('test', `${noDependencies}; the tests need them`));
  else
    entries.push({
      check: 'test',
      status: 'planned',
      command: testCommand,
      needsDependencies: dependenciesReady,
    });

  // security
  if (settings.security?.enabled === false) entries.push(off('security'));
  else {
    const paths = existingChanged(input);
    const manifestChanged = input.changed.some(
      (p) => p === 'package.json' || (lockfileNames as readonly string[]).includes(p),
    );
    const npmLockfile = ['package-lock.json', 'npm-shrinkwrap.json'].find((name) => files.has(name));
    if (paths.length === 0 && !manifestChanged) entries.push(skip('security', 'no changed files to scan'));
    else {
      entries.push({
        check: 'security',
        status: 'planned',
        paths,
        scriptPaths: paths.filter((path) => scriptExtensions.test(path)),
        auditLockfile: manifestChanged ? npmLockfile : undefined,
        auditSkipped:
          manifestChanged && npmLockfile === undefined
            ? 'dependency advisories need package-lock.json (npm audit)'
            : undefined,
      });
    }
  }
  return { entries };
}

function skip(check: CheckName, reason: string): SkippedCheck {
  return { check, status: 'skipped', reason };
}

function existingChanged(input: CheckPlanInput): string[] {
  return [...new Set(input.changed)].filter((path) => input.files.has(path)).sort();
}
