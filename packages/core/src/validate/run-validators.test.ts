import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { validationEventSchema } from '../events/task-event.ts';
import { runValidators } from './run-validators.ts';
import { syntaxValidator } from './syntax-validator.ts';
import type { ValidationResult, Validator } from './types.ts';

const files = new Map<string, string>([
  ['src/a.ts', 'export const a = 1;\n'],
  ['src/b.ts', 'export const b = ;\n'],
  ['styles/site.css', 'body { margin: 0 }\n'],
  ['notes.md', '# notes'],
]);

function fake(
  name: string,
  behaviour: (paths: readonly string[]) => Promise<ValidationResult[]>,
  applies = (p: string) => p.endsWith('.ts'),
): Validator {
  return { name, appliesTo: applies, validate: ({ changed }) => behaviour(changed) };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('runValidators', () => {
  it('runs every validator on the paths it applies to, in validator order then changed order', async () => {
    const seen: string[][] = [];
    const slow = fake('slow', async (paths) => {
      seen.push([...paths]);
      await delay(30);
      return [...paths].reverse().map((path) => ({ validator: 'slow', path, ok: true, diagnostics: [] }));
    });
    const results = await runValidators([slow, syntaxValidator], {
      files,
      changed: ['src/b.ts', 'notes.md', 'src/a.ts', 'styles/site.css', 'src/a.ts'],
    });
    expect(seen).toEqual([['src/b.ts', 'src/a.ts']]);
    expect(results.map((r) => `${r.validator}:${r.path}:${r.ok}`)).toEqual([
      'slow:src/b.ts:true',
      'slow:src/a.ts:true',
      'syntax:src/b.ts:false',
      'syntax:src/a.ts:true',
      'syntax:styles/site.css:true',
    ]);
  });

  it('turns a crashing validator into failed results that name it, and still runs the others', async () => {
    const crashing = fake('security', () => Promise.reject(new Error('rules failed to load')));
    const throwingSync: Validator = {
      name: 'sync-thrower',
      appliesTo: () => true,
      validate: () => {
        throw new TypeError('boom');
      },
    };
    const results = await runValidators([crashing, throwingSync, syntaxValidator], {
      files,
      changed: ['src/a.ts'],
    });
    expect(results).toEqual([
      {
        validator: 'security',
        path: 'src/a.ts',
        ok: false,
        diagnostics: [
          {
            path: 'src/a.ts',
            line: 1,
            column: 1,
            severity: 'error',
            message: 'Validator "security" crashed: rules failed to load',
            rule: 'validator-crash',
          },
        ],
      },
      expect.objectContaining({ validator: 'sync-thrower', ok: false }),
      { validator: 'syntax', path: 'src/a.ts', ok: true, diagnostics: [] },
    ]);
  });

  it('treats a throwing appliesTo and nonsense output as crashes too', async () => {
    const badFilter: Validator = {
      name: 'bad-filter',
      appliesTo: () => {
        throw new Error('no');
      },
      validate: () => Promise.resolve([]),
    };
    const badOutput = fake('bad-output', () => Promise.resolve('all good' as unknown as ValidationResult[]));
    const results = await runValidators([badFilter, badOutput], { files, changed: ['src/a.ts'] });
    expect(results.map((r) => [r.validator, r.ok, r.diagnostics[0]?.rule])).toEqual([
      ['bad-filter', false, 'validator-crash'],
      ['bad-output', false, 'validator-crash'],
    ]);
  });

  it('cleans what a validator returns: positions, severities, bounded lists, ok false on errors', async () => {
    const sloppy = fake('sloppy', (paths) =>
      Promise.resolve(
        paths.map((path) => ({
          validator: 'sloppy',
          path,
          ok: true,
          diagnostics: Array.from({ length: 100 }, (_, i) => ({
            path,
            line: i === 0 ? 0 : i + 0.5,
            column: Number.NaN,
            severity: (i === 0 ? 'fatal' : 'warning') as 'error',
            message: '',
          })),
        })),
      ),
    );
    const [result] = await runValidators([sloppy], { files, changed: ['src/a.ts'] });
    expect(result?.ok).toBe(false);
    expect(result?.diagnostics).toHaveLength(20);
    expect(result?.diagnostics[0]).toEqual({
      path: 'src/a.ts',
      line: 1,
      column: 1,
      severity: 'error',
      message: '(no message)',
    });
    for (const diagnostic of result?.diagnostics ?? []) {
      expect(Number.isInteger(diagnostic.line) && diagnostic.line >= 1).toBe(true);
    }
  });

  it('returns nothing when nothing changed or no validator applies', async () => {
    expect(await runValidators([syntaxValidator], { files, changed: [] })).toEqual([]);
    expect(await runValidators([syntaxValidator], { files, changed: ['notes.md'] })).toEqual([]);
    expect(await runValidators([], { files, changed: ['src/a.ts'] })).toEqual([]);
  });

  it('rejects with CANCELLED on abort, without waiting for a validator that ignores the signal', async () => {
    const hanging = fake('hanging', () => new Promise<ValidationResult[]>(() => undefined));
    const controller = new AbortController();
    const started = Date.now();
    const outcome = runValidators([hanging, syntaxValidator], {
      files,
      changed: ['src/a.ts'],
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(outcome).rejects.toSatisfy(
      (error: unknown) => isAppError(error) && error.code === 'CANCELLED',
    );
    expect(Date.now() - started).toBeLessThan(2_000);

    const before = new AbortController();
    before.abort();
    await expect(
      runValidators([syntaxValidator], { files, changed: ['src/a.ts'], signal: before.signal }),
    ).rejects.toSatisfy((error: unknown) => isAppError(error) && error.code === 'CANCELLED');
  });

  it('produces results that fit the validation event once column is renamed col', async () => {
    const results = await runValidators([syntaxValidator], {
      files,
      changed: ['src/b.ts', 'styles/site.css'],
    });
    for (const { column, ...rest } of results.flatMap((r) => r.diagnostics)) {
      const { path: _path, ...diagnostic } = rest;
      expect(() =>
        validationEventSchema.parse({
          type: 'validation',
          validator: 'syntax',
          path: 'src/b.ts',
          ok: false,
          diagnostics: [{ ...diagnostic, col: column }],
        }),
      ).not.toThrow();
    }
  });
});
