import { beforeAll, describe, expect, it } from 'vitest';
import { buildRepoMap } from './repo-map.ts';
import { countTokens, warmTokenizer } from './tokens.ts';

const files = new Map<string, string>([
  ['README.md', '# Demo\n'],
  ['package.json', '{ "name": "demo" }\n'],
  [
    'src/auth/session.ts',
    `export class SessionStore {\n  get(id: string): Session | undefined { return undefined; }\n}\nexport interface Session { id: string }\n`,
  ],
  ['src/auth/tokens.ts', `export function signToken(userId: string): string { return userId; }\n`],
  ['src/index.ts', `export * from './auth/session.ts';\n`],
  ['src/ui/button.tsx', `export function Button(props: { label: string }) { return null; }\n`],
]);

beforeAll(() => warmTokenizer(), 30_000);

describe('buildRepoMap', () => {
  it('renders a tree with the exported symbols of each TS/JS file', () => {
    const map = buildRepoMap({ files, budgetTokens: 1_000 });
    expect(map.text).toBe(
      [
        'README.md',
        'package.json',
        'src/',
        '  auth/',
        '    session.ts',
        '      class SessionStore',
        '        get(id: string): Session | undefined',
        '      interface Session',
        '        id: string',
        '    tokens.ts',
        '      function signToken(userId: string): string',
        '  index.ts',
        "    export * from './auth/session.ts'",
        '  ui/',
        '    button.tsx',
        '      function Button(props: { label: string })',
      ].join('\n'),
    );
    expect(map.tokens).toBe(countTokens(map.text));
    expect(map).toMatchObject({ listed: 6, omitted: 0 });
  });

  it('lists files the model gets in full by name only', () => {
    const map = buildRepoMap({ files, budgetTokens: 1_000, included: new Set(['src/auth/session.ts']) });
    expect(map.text).toContain('    session.ts (included)\n    tokens.ts');
    expect(map.text).not.toContain('SessionStore');
  });

  it('never exceeds its budget, and says how many files it left out', () => {
    const full = buildRepoMap({ files, budgetTokens: 1_000 }).tokens;
    for (let budget = 0; budget <= full + 5; budget += 1) {
      const map = buildRepoMap({ files, budgetTokens: budget });
      expect(map.tokens).toBeLessThanOrEqual(budget);
      expect(map.tokens).toBe(countTokens(map.text));
      expect(map.listed + map.omitted).toBe(files.size);
      if (map.omitted > 0 && map.text !== '') {
        expect(map.text.endsWith(`… ${map.omitted} more file${map.omitted === 1 ? '' : 's'} not shown`)).toBe(
          true,
        );
      }
    }
  });

  it('takes priority files first when the budget is short, still rendered in tree order', () => {
    const map = buildRepoMap({
      files,
      budgetTokens: 45,
      priority: ['src/ui/button.tsx', 'src/auth/tokens.ts'],
    });
    expect(map.text).toBe(
      [
        'src/',
        '  auth/',
        '    tokens.ts',
        '      function signToken(userId: string): string',
        '  ui/',
        '    button.tsx',
        '      function Button(props: { label: string })',
        '… 4 more files not shown',
      ].join('\n'),
    );
  });

  it('lists files by name once symbols no longer fit, instead of stopping', () => {
    const withHuge = new Map(files);
    withHuge.set(
      'src/huge.ts',
      Array.from({ length: 60 }, (_, i) => `export const value${i} = ${i};`).join('\n'),
    );
    const map = buildRepoMap({ files: withHuge, budgetTokens: 40, priority: ['src/huge.ts'] });
    expect(map.text).toBe(
      [
        'README.md',
        'package.json',
        'src/',
        '  auth/',
        '    session.ts',
        '    tokens.ts',
        '  huge.ts',
        '  index.ts',
        '  ui/',
        '    button.tsx',
      ].join('\n'),
    );
    expect(map).toMatchObject({ listed: 7, omitted: 0 });
  });

  it('is empty for an empty workspace or a zero budget', () => {
    expect(buildRepoMap({ files: new Map(), budgetTokens: 100 })).toEqual({
      text: '',
      tokens: 0,
      listed: 0,
      omitted: 0,
    });
    expect(buildRepoMap({ files, budgetTokens: 0 })).toMatchObject({
      text: '',
      tokens: 0,
      listed: 0,
      omitted: 6,
    });
  });

  it('stays fast on a large workspace by stopping once the budget is full', () => {
    const big = new Map<string, string>();
    for (let i = 0; i < 3_000; i += 1) {
      big.set(
        `pkg${i % 40}/mod${i}.ts`,
        `export function fn${i}(a: number): number { return a * ${i}; }\n`.repeat(20),
      );
    }
    const started = performance.now();
    const map = buildRepoMap({ files: big, budgetTokens: 2_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(map.tokens).toBeLessThanOrEqual(2_000);
    expect(map.omitted).toBeGreaterThan(2_500);
  });
});
