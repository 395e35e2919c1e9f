import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { MAX_DIAGNOSTICS_PER_FILE } from './diagnostics.ts';
import { syntaxValidator } from './syntax-validator.ts';

const files = new Map<string, string>([
  ['src/ok.ts', 'export const ok = (a: number): number => a * 2;\n'],
  [
    'src/broken.tsx',
    'export function View() {\n  return <div>{items.map((i) => <span>{i}</span>}</div>;\n}\n',
  ],
  ['package.json', '{ "name": "demo", }'],
  ['tsconfig.json', '{ "compilerOptions": { "strict": true, }, // fine here\n}'],
  ['src/app.css', '.a { color: red;\n'],
  ['README.md', '# not checked'],
  ['src/untouched.ts', 'this is not valid typescript at all {{{'],
]);

describe('syntaxValidator', () => {
  it('applies to TS/JS, JSON and CSS paths only', () => {
    expect(
      ['a.ts', 'a.jsx', 'a.json', 'tsconfig.json', 'a.css'].every((p) => syntaxValidator.appliesTo(p)),
    ).toBe(true);
    expect(['a.md', 'a.py', 'a.scss', 'Dockerfile', 'a.html'].some((p) => syntaxValidator.appliesTo(p))).toBe(
      false,
    );
  });

  it('validates only the changed files it knows, in the order given', async () => {
    const results = await syntaxValidator.validate({
      files,
      changed: [
        'src/ok.ts',
        'src/broken.tsx',
        'package.json',
        'tsconfig.json',
        'src/app.css',
        'README.md',
        'gone.ts',
      ],
    });
    expect(results.map((r) => [r.path, r.ok])).toEqual([
      ['src/ok.ts', true],
      ['src/broken.tsx', false],
      ['package.json', false],
      ['tsconfig.json', true],
      ['src/app.css', false],
    ]);
    expect(results.every((r) => r.validator === 'syntax')).toBe(true);
    const broken = results[1]!;
    expect(broken.diagnostics[0]).toMatchObject({ path: 'src/broken.tsx', line: 2, severity: 'error' });
    expect(results[4]!.diagnostics).toEqual([
      { path: 'src/app.css', line: 1, column: 1, severity: 'error', message: 'Unclosed block', rule: 'css' },
    ]);
  });

  it('checks a path listed twice once', async () => {
    const results = await syntaxValidator.validate({ files, changed: ['src/ok.ts', 'src/ok.ts'] });
    expect(results).toHaveLength(1);
  });

  it('bounds the diagnostics of a badly broken file', async () => {
    const garbage = Array.from({ length: 200 }, (_, i) => `const x${i} = ;`).join('\n');
    const [result] = await syntaxValidator.validate({
      files: new Map([['bad.ts', garbage]]),
      changed: ['bad.ts'],
    });
    expect(result?.ok).toBe(false);
    expect(result?.diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_FILE);
    expect(result?.diagnostics.at(-1)?.severity).toBe('info');
    expect(result?.diagnostics.at(-1)?.message).toMatch(/^\d+ more problems in this file not shown\.$/);
  });

  it('stops with CANCELLED when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = syntaxValidator.validate({ files, changed: ['src/ok.ts'], signal: controller.signal });
    await expect(outcome).rejects.toSatisfy(
      (error: unknown) => isAppError(error) && error.code === 'CANCELLED',
    );
  });

  it('keeps a responsive event loop over many files', async () => {
    const many = new Map<string, string>();
    const source = 'export function f(a: number): number {\n  return a + 1;\n}\n'.repeat(1_000);
    for (let i = 0; i < 20; i += 1) many.set(`src/f${i}.ts`, source);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const results = await syntaxValidator.validate({ files: many, changed: [...many.keys()] });
    clearInterval(timer);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(ticks).toBeGreaterThan(0);
  });
});
