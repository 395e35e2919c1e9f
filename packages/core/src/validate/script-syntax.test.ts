import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  checkScriptSyntax,
  isScriptFile,
  parseDiagnosticsOf,
  transpileDiagnostics,
} from './script-syntax.ts';

const goodTs = `import type { Session } from './session.ts';

export class SessionCache<T extends Session> {
  readonly #items = new Map<string, T>();

  get(id: string): T | undefined {
    return this.#items.get(id);
  }

  set(session: T): void {
    this.#items.set(session.id, session satisfies Session);
  }
}

export const ttl = (minutes: number) => minutes * 60_000;
`;

describe('checkScriptSyntax', () => {
  it('passes valid TypeScript, TSX, JSX and modern JavaScript', () => {
    expect(checkScriptSyntax('src/cache.ts', goodTs)).toEqual([]);
    expect(
      checkScriptSyntax(
        'src/button.tsx',
        'export const Button = ({ label }: { label: string }) => <button>{label}</button>;',
      ),
    ).toEqual([]);
    expect(
      checkScriptSyntax('src/app.jsx', 'export default function App() { return <><App.Child /></>; }'),
    ).toEqual([]);
    expect(
      checkScriptSyntax('bin/run.mjs', 'const { argv } = process;\nawait main(argv?.slice(2) ?? []);\n'),
    ).toEqual([]);
    expect(checkScriptSyntax('lib/old.cjs', 'module.exports = function () { return 1; };')).toEqual([]);
  });

  it('reports a missing parenthesis with its line, column and TS code', () => {
    const broken = 'export function add(a: number, b: number {\n  return a + b;\n}\n';
    const [first] = checkScriptSyntax('src/add.ts', broken);
    expect(first).toEqual({
      path: 'src/add.ts',
      line: 1,
      column: 42,
      severity: 'error',
      message: "',' expected.",
      rule: 'TS1005',
    });
  });

  it('reports an unterminated block at the end of the file', () => {
    const broken = 'export function f() {\n  if (x) {\n    return 1;\n  \n';
    const diagnostics = checkScriptSyntax('src/f.ts', broken);
    expect(diagnostics.at(-1)).toMatchObject({
      line: 5,
      column: 1,
      severity: 'error',
      message: "'}' expected.",
    });
  });

  it('reports an unterminated string and a stray token', () => {
    expect(checkScriptSyntax('a.js', "const s = 'oops;\nconst t = 1;\n")[0]).toMatchObject({
      line: 1,
      column: 17,
      message: 'Unterminated string literal.',
      rule: 'TS1002',
    });
    expect(checkScriptSyntax('b.ts', 'const x = 1;\n)\n')[0]).toMatchObject({ line: 2, column: 1 });
  });

  it('rejects JSX in a .ts file but accepts it in .tsx', () => {
    const source = 'export const el = <div className="a">hi</div>;\n';
    expect(checkScriptSyntax('view.ts', source).length).toBeGreaterThan(0);
    expect(checkScriptSyntax('view.tsx', source)).toEqual([]);
  });

  it('reports syntax only, never type errors', () => {
    expect(
      checkScriptSyntax('types.ts', 'const n: number = "not a number";\nundefinedFunction();\n'),
    ).toEqual([]);
  });
});

describe('parser diagnostics access', () => {
  it('reads parseDiagnostics from this TypeScript, and the public fallback agrees on positions', () => {
    const broken = 'export function add(a: number, b: number {\n  return a + b;\n}\n';
    const file = ts.createSourceFile('x.ts', broken, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const internal = parseDiagnosticsOf(file);
    expect(internal).toBeDefined();
    const fallback = transpileDiagnostics('x.ts', broken);
    expect(fallback.map((d) => [d.start, d.code])).toEqual(internal!.map((d) => [d.start, d.code]));
  });
});

describe('isScriptFile', () => {
  it('knows the TS and JS family by extension', () => {
    for (const path of ['a.ts', 'a.mts', 'a.cts', 'a.tsx', 'a.js', 'a.mjs', 'a.cjs', 'a.jsx', 'types.d.ts']) {
      expect(isScriptFile(path)).toBe(true);
    }
    for (const path of ['a.json', 'a.css', 'a.md', 'a.vue', 'Makefile'])
      expect(isScriptFile(path)).toBe(false);
  });
});
