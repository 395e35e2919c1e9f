// The check tools as a FakeSandbox plays them, for core tests: the type checker is the real TypeScript compiler
// run in-process on the files the sandbox was given (printed like `tsc --pretty false`); the test runner, ESLint
// and secretlint answer from patterns in those files, in the reports' real formats. The server's tests run the
// real tools on the same inputs.
import ts from 'typescript';
import { FakeSandbox } from '../../sandbox/fake.ts';
import type { SandboxResult, SandboxRunSpec } from '../../sandbox/types.ts';

// The standard library is replaced by the few globals the checker needs: the real lib costs seconds per check.
const MINI_LIB = `interface Array<T> { length: number; [n: number]: T; }
interface Boolean {}
interface CallableFunction {}
interface Function {}
interface IArguments {}
interface NewableFunction {}
interface Number {}
interface Object {}
interface RegExp {}
interface String { readonly length: number; }
declare function eval(x: string): unknown;
`;
const MINI_LIB_PATH = '/lib/mini.d.ts';

function text(spec: SandboxRunSpec, path: string): string | undefined {
  const value = spec.files.get(path);
  return typeof value === 'string'
    ? value
    : value === undefined
      ? undefined
      : new TextDecoder().decode(value);
}

/** `tsc --noEmit --pretty false` over the sandbox's files, with the compiler API. */
export function typecheck(spec: SandboxRunSpec): Partial<SandboxResult> {
  const options: ts.CompilerOptions = {
    noLib: true,
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    types: [],
  };
  const roots = [...spec.files.keys()].filter((p) => /\.tsx?$/.test(p));
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (fileName, languageVersion) => {
    const own = fileName === MINI_LIB_PATH ? MINI_LIB : text(spec, fileName.replace(/^\/work\//, ''));
    return own === undefined ? undefined : ts.createSourceFile(fileName, own, languageVersion, true);
  };
  host.fileExists = (fileName) => text(spec, fileName.replace(/^\/work\//, '')) !== undefined;
  host.getCurrentDirectory = () => '/work';
  const program = ts.createProgram([MINI_LIB_PATH, ...roots.map((p) => `/work/${p}`)], options, host);
  const lines = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${message}`;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.replace(/^\/work\//, '')}(${line + 1},${character + 1}): error TS${d.code}: ${message}`;
  });
  return { exitCode: lines.length === 0 ? 0 : 2, stdout: lines.map((l) => `${l}\n`).join('') };
}

function reportPath(spec: SandboxRunSpec, flag: string): string {
  const index = spec.command.indexOf(flag);
  return spec.command[index + 1] ?? 'report.json';
}

function pathsAfter(spec: SandboxRunSpec, last: number): string[] {
  return spec.command.slice(last).filter((p) => spec.files.has(p));
}

function matches(source: string, pattern: RegExp): { line: number; match: string }[] {
  return source.split('\n').flatMap((line, i) => {
    const m = pattern.exec(line);
    return m === null ? [] : [{ line: i + 1, match: m[0] }];
  });
}

/** ESLint's JSON report of the security config: `eval(` is no-eval, as the real rules say. */
export function securityEslint(spec: SandboxRunSpec): Partial<SandboxResult> {
  const report = reportPath(spec, '--output-file');
  const results = pathsAfter(spec, spec.command.indexOf('--') + 1).map((path) => ({
    filePath: `/work/${path}`,
    messages: matches(text(spec, path) ?? '', /\beval\(/).map(({ line }) => ({
      ruleId: 'no-eval',
      severity: 2,
      message: '`eval` can be harmful.',
      line,
      column: 1,
    })),
  }));
  const errors = results.some((r) => r.messages.length > 0);
  return { exitCode: errors ? 1 : 0, collected: new Map([[report, JSON.stringify(results)]]) };
}

/** secretlint's JSON report: an AWS secret access key next to an access key id. */
export function secretlint(spec: SandboxRunSpec): Partial<SandboxResult> {
  const report = reportPath(spec, '--output');
  const results = pathsAfter(spec, spec.command.indexOf(report) + 1).map((path) => ({
    filePath: `/work/${path}`,
    messages: matches(text(spec, path) ?? '', /['"][A-Za-z0-9/+]{40}['"]/)
      .filter(() => /AKIA[0-9A-Z]{16}/.test(text(spec, path) ?? ''))
      .map(({ line }) => ({
        ruleId: '@secretlint/secretlint-rule-aws',
        message: 'found AWS Secret Access Key: ****************************************',
        loc: { start: { line, column: 1 } },
        severity: 'error',
      })),
  }));
  return { exitCode: 0, collected: new Map([[report, JSON.stringify(results)]]) };
}

export interface FakeToolsOptions {
  /** Decides the test run from the files: a failure message, or undefined when the tests pass. */
  test?: (files: ReadonlyMap<string, string | Uint8Array>) => string | undefined;
}

/** A FakeSandbox that plays tsc, a test runner, ESLint's security scan and secretlint. */
export function fakeToolsSandbox(options: FakeToolsOptions = {}): FakeSandbox {
  return new FakeSandbox((spec) => {
    const [program, first] = spec.command;
    if (program === 'node' && first?.endsWith('/tsc') === true) return typecheck(spec);
    if (program === 'node' && first?.endsWith('eslint/bin/eslint.js') === true) return securityEslint(spec);
    if (program === 'node' && first?.endsWith('secretlint/bin/secretlint.js') === true)
      return secretlint(spec);
    if (program === 'sh') {
      const failure = options.test?.(spec.files);
      return failure === undefined
        ? { exitCode: 0, stdout: '# pass 1\n# fail 0\n' }
        : { exitCode: 1, stdout: `not ok 1 - ${failure}\n# pass 0\n# fail 1\n` };
    }
    return { exitCode: 127, stderr: `${program ?? ''}: not found\n` };
  });
}

export const toolchain = {
  dir: '/opt/toolchain',
  mounts: [{ source: '/host/toolchain', target: '/opt/toolchain' }],
};
