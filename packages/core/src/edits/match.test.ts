import { describe, expect, it } from 'vitest';
import { findMatch, type MatchFound, replaceMatch } from './match.ts';

function apply(content: string, search: string, replace: string): { rung: string; content: string } {
  const match = findMatch(content, search);
  if (!match.ok) throw new Error(`expected a match, got ${match.code}`);
  return { rung: match.rung, content: replaceMatch(content, match, replace) };
}

const TS = ['function a() {', '  return 1;', '}', '', 'function b() {', '  return 2;', '}', ''].join('\n');

describe('findMatch + replaceMatch: the ladder', () => {
  it.each([
    {
      name: 'exact',
      content: TS,
      search: '  return 2;\n',
      replace: '  return 3;\n',
      rung: 'exact',
      want: TS.replace('return 2', 'return 3'),
    },
    {
      name: 'trailing whitespace in the file',
      content: 'a = 1   \nb = 2\t\n',
      search: 'a = 1\nb = 2\n',
      replace: 'a = 10\nb = 20\n',
      rung: 'whitespace',
      want: 'a = 10\nb = 20\n',
    },
    {
      name: 'trailing whitespace in the search',
      content: 'x\ny\n',
      search: 'y  \n',
      replace: 'z\n',
      rung: 'whitespace',
      want: 'x\nz\n',
    },
    {
      name: 'CRLF file, LF search: replacement keeps CRLF',
      content: 'one\r\ntwo\r\nthree\r\n',
      search: 'two\n',
      replace: 'TWO\n2\n',
      rung: 'whitespace',
      want: 'one\r\nTWO\r\n2\r\nthree\r\n',
    },
    {
      name: 'LF file, CRLF search',
      content: 'one\ntwo\n',
      search: 'two\r\n',
      replace: '2\r\n',
      rung: 'whitespace',
      want: 'one\n2\n',
    },
    {
      name: 'spurious blank lines around the search, and around the replace too',
      content: 'a\nb\nc\n',
      search: '\n\nb\n\n',
      replace: '\n\nB\n\n',
      rung: 'whitespace',
      want: 'a\nB\nc\n',
    },
    {
      name: 'blank lines around the search only: replace blank lines stay',
      content: 'a\nb\nc\n',
      search: '\nb\n',
      replace: 'B\n',
      rung: 'whitespace',
      want: 'a\nB\nc\n',
    },
    {
      name: 'indentation lost by the model',
      content: 'class A {\n    run() {\n        go();\n    }\n}\n',
      search: 'run() {\n    go();\n}\n',
      replace: 'run() {\n    go();\n    stop();\n}\n',
      rung: 'indentation',
      want: 'class A {\n    run() {\n        go();\n        stop();\n    }\n}\n',
    },
    {
      name: 'indentation added by the model',
      content: 'if x:\n  y()\n',
      search: '    if x:\n      y()\n',
      replace: '    if x:\n      z()\n    w()\n',
      rung: 'indentation',
      want: 'if x:\n  z()\nw()\n',
    },
    {
      name: 'a tab level dropped',
      content: 'func f() {\n\tif ok {\n\t\treturn\n\t}\n}\n',
      search: 'if ok {\n\treturn\n}\n',
      replace: 'if !ok {\n\treturn\n}\n',
      rung: 'indentation',
      want: 'func f() {\n\tif !ok {\n\t\treturn\n\t}\n}\n',
    },
    {
      name: 'indentation off and trailing whitespace together',
      content: '  a();  \n\n  b();\n',
      search: 'a();\n\nb();\n',
      replace: 'a();\nb();\n',
      rung: 'indentation',
      want: '  a();\n  b();\n',
    },
    {
      name: 'last line without a newline',
      content: 'a\nb',
      search: 'b\n',
      replace: 'c\n',
      rung: 'exact',
      want: 'a\nc',
    },
    {
      name: 'empty replace deletes the lines',
      content: 'a\nb\nc\n',
      search: 'b\n',
      replace: '',
      rung: 'exact',
      want: 'a\nc\n',
    },
  ])('$name', ({ content, search, replace, rung, want }) => {
    expect(apply(content, search, replace)).toEqual({ rung, content: want });
  });

  it('prefers a unique exact match over looser candidates elsewhere', () => {
    expect(apply('foo\nfoo  \n  foo\n', 'foo\n', 'bar\n')).toEqual({
      rung: 'exact',
      content: 'bar\nfoo  \n  foo\n',
    });
  });

  it('reports where it matched', () => {
    expect(findMatch(TS, '\nfunction b() {\n')).toEqual({
      ok: true,
      rung: 'exact',
      startLine: 4,
      lineCount: 2,
      trimmedStart: 0,
      trimmedEnd: 0,
      indent: undefined,
    } satisfies MatchFound);
    expect(findMatch('    x\n', 'x\n')).toMatchObject({
      rung: 'indentation',
      indent: { direction: 'add', prefix: '    ' },
    });
  });

  it('only matches whole lines', () => {
    expect(findMatch('foobar\n', 'bar\n')).toMatchObject({ ok: false, code: 'EDIT_NO_MATCH' });
  });

  it('does not accept non-uniform indentation changes', () => {
    expect(findMatch('  a\n    b\n', 'a\nb\n')).toMatchObject({ ok: false, code: 'EDIT_NO_MATCH' });
  });
});

describe('findMatch: ambiguity', () => {
  it.each([
    ['exact', '}\n'.repeat(1) + 'x\n}\n', '}\n', [1, 3]],
    ['whitespace', 'a \nb\na\t\n', 'a\n', [1, 3]],
    ['indentation', '  a\n  b\n    a\n    b\n', 'a\nb\n', [1, 3]],
  ])('reports every place at the %s rung and never guesses', (rung, content, search, startLines) => {
    expect(findMatch(content, search)).toEqual({ ok: false, code: 'EDIT_AMBIGUOUS', rung, startLines });
  });

  it('does not fall through to a looser rung after an ambiguous one', () => {
    expect(findMatch('x\nx\n  x\n', 'x\n')).toMatchObject({ code: 'EDIT_AMBIGUOUS', rung: 'exact' });
  });
});

describe('findMatch: no match', () => {
  const file = [
    'import { db } from "./db";',
    '',
    'export async function getUser(id: string) {',
    '  const row = await db.users.find(id);',
    '  return row ?? null;',
    '}',
    '',
    'export function unrelated() {',
    '  return 42;',
    '}',
    '',
  ].join('\n');

  it('points at the closest region', () => {
    const result = findMatch(
      file,
      'export async function getUser(id: number) {\n  const row = await db.user.find(id);\n',
    );
    expect(result).toMatchObject({
      ok: false,
      code: 'EDIT_NO_MATCH',
      closest: {
        startLine: 3,
        endLine: 4,
        text: 'export async function getUser(id: string) {\n  const row = await db.users.find(id);',
      },
    });
    if (result.ok || result.code !== 'EDIT_NO_MATCH') throw new Error('unreachable');
    expect(result.closest?.similarity).toBeGreaterThan(0.8);
    expect(result.closest?.similarity).toBeLessThan(1);
  });

  it('offers nothing when no region is similar', () => {
    expect(findMatch(file, 'SELECT * FROM accounts WHERE flag = TRUE;\n')).toEqual({
      ok: false,
      code: 'EDIT_NO_MATCH',
      closest: undefined,
    });
  });

  it('handles an empty search and an empty file', () => {
    expect(findMatch(file, '\n\n')).toEqual({ ok: false, code: 'EDIT_NO_MATCH', closest: undefined });
    expect(findMatch('', 'a\n')).toEqual({ ok: false, code: 'EDIT_NO_MATCH', closest: undefined });
  });

  it('stays fast on a large file', () => {
    const big = Array.from(
      { length: 8_000 },
      (_, i) => `  const value${i} = compute(${i}, "${'x'.repeat(i % 40)}");`,
    ).join('\n');
    const search = Array.from(
      { length: 30 },
      (_, i) => `const value${i + 4000} = compute(${i + 4000}, "?");`,
    ).join('\n');
    const started = performance.now();
    const result = findMatch(big, `${search}\n`);
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ code: 'EDIT_NO_MATCH', closest: { startLine: 4001 } });
    expect(elapsed).toBeLessThan(1000);
  });
});
