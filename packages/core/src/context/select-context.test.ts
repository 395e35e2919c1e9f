import { beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { contextEventSchema } from '../events/task-event.ts';
import { toContextEvent, REPO_MAP_ENTRY } from './context-event.ts';
import { fileTokens, selectContext } from './select-context.ts';
import { countTokens, warmTokenizer } from './tokens.ts';
import type { ContextInput, ContextSelection } from './types.ts';

const workspace = new Map<string, string>([
  ['README.md', '# Billing demo\n\nInvoices, customers and sessions.\n'],
  ['package.json', '{ "name": "billing-demo", "type": "module" }\n'],
  [
    'src/auth/session.ts',
    `import { signToken, verifyToken } from './tokens.js';
import { db } from '../db/index';

export interface Session { id: string; userId: string; expiresAt: Date }

export async function createSession(userId: string): Promise<Session> {
  const id = signToken(userId);
  await db.insert('sessions', { id, userId });
  return { id, userId, expiresAt: new Date(Date.now() + 3_600_000) };
}

export function readSession(token: string): string | undefined {
  return verifyToken(token);
}
`,
  ],
  [
    'src/auth/tokens.ts',
    `export function signToken(userId: string): string { return btoa(userId); }
export function verifyToken(token: string): string | undefined { return atob(token); }
`,
  ],
  ['src/db/index.ts', `export * from './client.ts';\n`],
  ['src/db/client.ts', `export const db = { async insert(table: string, row: object): Promise<void> {} };\n`],
  [
    'src/billing/invoice.ts',
    `import type { Customer } from './customer.ts';

export interface InvoiceLine { description: string; amountCents: number; taxRate: number }

/** Sums invoice lines with tax, rounding each line to whole cents. */
export function invoiceTotal(lines: readonly InvoiceLine[]): number {
  return lines.reduce((sum, line) => sum + Math.round(line.amountCents * (1 + line.taxRate)), 0);
}

export function invoiceFor(customer: Customer, lines: InvoiceLine[]) {
  return { customer, lines, total: invoiceTotal(lines) };
}
`,
  ],
  ['src/billing/customer.ts', `export interface Customer { id: string; name: string; vatId?: string }\n`],
  [
    'src/routes/login.ts',
    `import { createSession } from '../auth/session';
export async function login(userId: string) { return createSession(userId); }
`,
  ],
  [
    'src/ui/button.tsx',
    `export function Button({ label }: { label: string }) { return <button>{label}</button>; }\n`,
  ],
  ['docs/big-notes.md', `${'Meeting notes about sessions and invoices. '.repeat(400)}\n`],
]);

function select(overrides: Partial<ContextInput> = {}): ContextSelection {
  return selectContext({ files: workspace, prompt: '', budgetTokens: 4_000, ...overrides });
}

function expectConsistent(selection: ContextSelection): void {
  const fileSum = selection.files.reduce((sum, file) => sum + file.tokens, 0);
  expect(selection.totalTokens).toBe(fileSum + selection.map.tokens);
  expect(selection.totalTokens).toBeLessThanOrEqual(selection.budgetTokens);
  expect(selection.map.tokens).toBe(countTokens(selection.map.text));
  for (const file of selection.files) {
    expect(file.content).toBe(workspace.get(file.path));
    expect(file.tokens).toBe(fileTokens(file.path, file.content));
  }
}

beforeAll(() => warmTokenizer(), 30_000);

describe('selectContext', () => {
  it('puts files the prompt names first, then relevant files, then import neighbours', () => {
    const selection = select({
      prompt: 'In src/billing/invoice.ts, round the invoice total once instead of per line',
    });
    expectConsistent(selection);
    expect(selection.files[0]).toMatchObject({ path: 'src/billing/invoice.ts', reason: 'named' });
    const reasons = selection.files.map((file) => file.reason);
    const order = ['named', 'open', 'relevant', 'import-neighbour'];
    expect([...reasons].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(reasons);
    expect(selection.files).toContainEqual(
      expect.objectContaining({ path: 'src/billing/customer.ts', reason: 'import-neighbour' }),
    );
  });

  it('puts pinned files before prompt-named ones, and open files after both', () => {
    const selection = select({
      prompt: 'Also look at `tokens.ts`',
      pinnedPaths: ['src/db'],
      openPaths: ['src/ui/button.tsx', 'src/db/client.ts', 'deleted.ts'],
    });
    expectConsistent(selection);
    expect(selection.files.slice(0, 4).map((file) => [file.path, file.reason])).toEqual([
      ['src/db/client.ts', 'named'],
      ['src/db/index.ts', 'named'],
      ['src/auth/tokens.ts', 'named'],
      ['src/ui/button.tsx', 'open'],
    ]);
  });

  it('ranks files by relevance to the prompt when nothing is named', () => {
    const selection = select({ prompt: 'Sessions should expire after 8 hours instead of one' });
    expectConsistent(selection);
    const relevant = selection.files.filter((file) => file.reason === 'relevant');
    expect(relevant[0]?.path).toBe('src/auth/session.ts');
    for (let i = 1; i < relevant.length; i += 1) {
      expect(relevant[i - 1]!.score!).toBeGreaterThanOrEqual(relevant[i]!.score!);
    }
  });

  it('adds import neighbours of selected files in both directions', () => {
    const selection = select({ prompt: 'Refactor @src/auth/session.ts' });
    expectConsistent(selection);
    const neighbours = selection.files
      .filter((file) => file.reason === 'import-neighbour')
      .map((file) => file.path);
    // Imported through './tokens.js' (a .ts source) and '../db/index'; imported by '../auth/session'.
    expect(neighbours).toEqual(
      expect.arrayContaining(['src/auth/tokens.ts', 'src/db/index.ts', 'src/routes/login.ts']),
    );
  });

  it('never exceeds the budget, skipping what does not fit and keeping smaller later files', () => {
    for (const budget of [0, 1, 20, 50, 100, 200, 400, 700, 1_000, 2_000, 5_000, 50_000]) {
      const selection = select({
        prompt: 'See docs/big-notes.md and src/auth/session.ts about sessions and invoices',
        budgetTokens: budget,
      });
      expectConsistent(selection);
      expect(selection.budgetTokens).toBe(budget);
      const sent = new Set(selection.files.map((file) => file.path));
      for (const skipped of selection.skipped) expect(sent.has(skipped.path)).toBe(false);
    }
    const tight = select({ prompt: 'See docs/big-notes.md and src/auth/session.ts', budgetTokens: 1_000 });
    expect(tight.skipped[0]).toMatchObject({ path: 'docs/big-notes.md', reason: 'named' });
    expect(tight.skipped[0]!.tokens).toBeGreaterThan(1_000);
    expect(tight.files[0]).toMatchObject({ path: 'src/auth/session.ts', reason: 'named' });
  });

  it('fills the space the files leave with a repo map of the rest', () => {
    const selection = select({ prompt: 'Change src/ui/button.tsx to accept a disabled flag' });
    expectConsistent(selection);
    expect(selection.map.text).toContain('button.tsx (included)');
    expect(selection.map.text).toContain('function invoiceTotal(lines: readonly InvoiceLine[]): number');
  });

  it('is deterministic, whatever the order of the file map', () => {
    const input = { prompt: 'invoice total rounding for customers with sessions', budgetTokens: 1_500 };
    const reversed = new Map([...workspace].reverse());
    const a = selectContext({ files: workspace, ...input });
    const b = selectContext({ files: reversed, ...input });
    expect(b).toEqual(a);
    expect(selectContext({ files: workspace, ...input })).toEqual(a);
  });

  it('rejects a negative or non-numeric budget', () => {
    for (const budgetTokens of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        select({ budgetTokens });
      } catch (caught) {
        error = caught;
      }
      expect(isAppError(error) && error.code === 'BAD_INPUT').toBe(true);
    }
  });

  it('becomes a valid context event, with the map as its own entry', () => {
    const selection = select({ prompt: 'Fix src/auth/tokens.ts' });
    const event = toContextEvent(selection);
    expect(contextEventSchema.parse(event)).toEqual(event);
    expect(event.files.at(-1)).toEqual({ path: REPO_MAP_ENTRY, reason: 'map', tokens: selection.map.tokens });
    expect(event.totalTokens).toBe(selection.totalTokens);
  });

  it('handles a workspace of several megabytes in well under the time of a model call', () => {
    const big = new Map<string, string>();
    for (let i = 0; i < 1_000; i += 1) {
      const topic = ['invoice', 'customer', 'session', 'widget', 'report'][i % 5]!;
      const lines = [
        `import { helper${(i + 1) % 1_000} } from '../m${(i + 1) % 30}/file${(i + 1) % 1_000}.js';`,
      ];
      for (let f = 0; f < 25; f += 1) {
        lines.push(`/** Computes the ${topic} total for batch ${i}-${f}. */`);
        lines.push(`export function ${topic}Total${i}x${f}(items: readonly Item[], rate = 0.${f}): number {`);
        lines.push(`  return items.reduce((sum, item) => sum + item.price * (1 + rate), ${i});`);
        lines.push('}');
      }
      big.set(`src/m${i % 30}/file${i}.ts`, lines.join('\n'));
    }
    const started = performance.now();
    const selection = selectContext({
      files: big,
      prompt: 'Fix the rounding of widget totals in src/m3/file3.ts',
      budgetTokens: 16_000,
    });
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(selection.totalTokens).toBeLessThanOrEqual(16_000);
    expect(selection.files[0]).toMatchObject({ path: 'src/m3/file3.ts', reason: 'named' });
    expect(selection.files.some((file) => file.reason === 'relevant')).toBe(true);
    expect(selection.map.tokens).toBeGreaterThan(0);
  }, 30_000);
});
