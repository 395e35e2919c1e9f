import { describe, expect, it } from 'vitest';
import { extractSymbols } from './symbols.ts';

const texts = (path: string, source: string): string[] =>
  extractSymbols(path, source).map((line) => `${'  '.repeat(line.depth)}${line.text}`);

describe('extractSymbols', () => {
  it('lists exported functions, classes with public members, interfaces, types, enums and consts', () => {
    const source = `
import { z } from 'zod';

/** Creates a session. */
export async function createSession(userId: string, ttlMs = 3_600_000, ...scopes: string[]): Promise<Session> {
  return store.put({ userId, ttlMs, scopes });
}

export class SessionStore<T extends Session = Session> extends BaseStore implements Disposable {
  static readonly DEFAULT_TTL = 60;
  readonly name: string;
  #secret = 'x';
  private cache = new Map<string, T>();
  protected hook(): void {}
  constructor(private readonly db: Db, name?: string) { super(); this.name = name ?? 'sessions'; }
  get size(): number { return this.cache.size; }
  async get(id: string): Promise<T | undefined> { return this.cache.get(id); }
  [Symbol.dispose](): void {}
}

export interface Session {
  id: string;
  userId: string;
  expiresAt?: Date;
  refresh(by: number): Session;
}

export type Role = 'owner' | 'editor' | 'reviewer';
export enum Color { Red, Green = 'green' }
export const DEFAULT_ROLE: Role = 'editor';
export const isOwner = (role: Role): boolean => role === 'owner';
export const schema = z.object({ id: z.string() });
const internal = 1;
function helper() {}
`;
    expect(texts('src/session.ts', source)).toEqual([
      'async function createSession(userId: string, ttlMs?, ...scopes: string[]): Promise<Session>',
      'class SessionStore<T extends Session = Session> extends BaseStore implements Disposable',
      '  static readonly DEFAULT_TTL',
      '  readonly name: string',
      '  constructor(db: Db, name?: string)',
      '  get size(): number',
      '  async get(id: string): Promise<T | undefined>',
      '  [Symbol.dispose](): void',
      'interface Session',
      '  id: string',
      '  userId: string',
      '  expiresAt?: Date',
      '  refresh(by: number): Session',
      "type Role = 'owner' | 'editor' | 'reviewer'",
      'enum Color { Red, Green }',
      'const DEFAULT_ROLE: Role',
      'const isOwner = (role: Role): boolean => …',
      'const schema',
    ]);
  });

  it('shows overload signatures instead of the implementation, and default exports', () => {
    const source = `
export function parse(text: string): Doc;
export function parse(bytes: Uint8Array): Doc;
export function parse(input: string | Uint8Array): Doc { return new Doc(input); }
export default class Parser {}
`;
    expect(texts('parse.ts', source)).toEqual([
      'function parse(text: string): Doc',
      'function parse(bytes: Uint8Array): Doc',
      'default class Parser',
    ]);
  });

  it('lists re-exports of a barrel file and export assignments', () => {
    expect(texts('index.ts', `export * from './a.ts';\nexport { b, type C } from './b.ts';\n`)).toEqual([
      "export * from './a.ts'",
      "export { b, type C } from './b.ts'",
    ]);
    expect(texts('legacy.ts', 'export = createApp;')).toEqual(['export = createApp']);
  });

  it('lists top-level functions and classes of a file that exports nothing', () => {
    const source = `#!/usr/bin/env node\nfunction main(argv) { run(argv); }\nclass Runner { start() {} }\nconst x = 1;\nmain(process.argv);\n`;
    expect(texts('scripts/build.mjs', source)).toEqual(['function main(argv)', 'class Runner', '  start()']);
  });

  it('reads JSX and TSX files', () => {
    const source = `export function Button({ label }: { label: string }) { return <button>{label}</button>; }`;
    expect(texts('src/button.tsx', source)).toEqual(['function Button({ label }: { label: string })']);
    expect(texts('src/old.jsx', 'export const App = () => <div />;')).toEqual(['const App = () => …']);
  });

  it('bounds line length, members per class and lines per file', () => {
    const longType = `export type Big = { ${Array.from({ length: 40 }, (_, i) => `field${i}: string`).join('; ')} };`;
    const [line] = extractSymbols('big.ts', longType, { maxLineChars: 60 });
    expect(line?.text).toHaveLength(60);
    expect(line?.text.endsWith('…')).toBe(true);

    const members = Array.from({ length: 20 }, (_, i) => `  m${i}(): void {}`).join('\n');
    const lines = extractSymbols('c.ts', `export class C {\n${members}\n}`, { maxMembers: 5 });
    expect(lines.map((l) => l.text)).toEqual([
      'class C',
      'm0(): void',
      'm1(): void',
      'm2(): void',
      'm3(): void',
      'm4(): void',
      '… 15 more',
    ]);

    const many = Array.from({ length: 30 }, (_, i) => `export const c${i} = ${i};`).join('\n');
    const capped = extractSymbols('many.ts', many, { maxLines: 10 });
    expect(capped).toHaveLength(11);
    expect(capped[10]?.text).toBe('… 20 more');
  });

  it('returns nothing for files that are not TS or JS, and survives broken syntax', () => {
    expect(extractSymbols('styles.css', '.a { color: red }')).toEqual([]);
    expect(texts('broken.ts', 'export function ok(a: number): number {\n  return a +;\n')).toEqual([
      'function ok(a: number): number',
    ]);
  });
});
