import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { applyToText } from './apply.ts';
import {
  applyReplacements,
  compileSearch,
  findInText,
  planReplaceAt,
  planReplacements,
  searchFiles,
  type CompiledSearch,
  type SearchOptions,
} from './find.ts';

function compiled(options: SearchOptions): CompiledSearch {
  const c = compileSearch(options);
  if (!c.ok) throw new Error(c.message);
  return c;
}

const files = [
  { path: 'src/b.ts', text: 'const foo = 1;\nconst foobar = foo + 2;\n' },
  { path: 'src/a.ts', text: 'export function Foo() {}\n' },
  { path: 'docs/readme.md', text: 'foo in docs\n' },
  { path: 'dist/out.js', text: 'foo;foo;foo\n' },
];

describe('compileSearch', () => {
  it('reports a bad regex as BAD_REGEX with the engine’s reason', () => {
    const c = compileSearch({ query: '(unclosed', regex: true });
    expect(c).toMatchObject({ ok: false, code: 'BAD_REGEX', field: 'query' });
    if (!c.ok) expect(c.message).toMatch(/unterminated group/i);
  });

  it('reports a bad include or exclude glob with its field', () => {
    expect(compileSearch({ query: 'x', include: '*.{ts' })).toMatchObject({
      ok: false,
      code: 'BAD_GLOB',
      field: 'include',
    });
    expect(compileSearch({ query: 'x', exclude: '[a' })).toMatchObject({
      ok: false,
      code: 'BAD_GLOB',
      field: 'exclude',
    });
  });

  it('takes a literal query literally, regex characters included', () => {
    const c = compiled({ query: 'a.b(' });
    expect(findInText('axb( a.b(', c).map((m) => m.index)).toEqual([5]);
  });

  it('accepts loose regex syntax that only the unicode flag refuses', () => {
    // `()` is an empty group here, so this finds "fn {" and not the literal "fn() {".
    const c = compiled({ query: 'fn() {', regex: true });
    expect(findInText('fn {\nfn() {', c).map((m) => m.index)).toEqual([0]);
    expect(findInText('fn {\nfn {', compiled({ query: 'fn {', regex: true }))).toHaveLength(2);
  });
});

describe('findInText', () => {
  it('is case-insensitive by default and case-sensitive on request', () => {
    expect(findInText('Foo foo FOO', compiled({ query: 'foo' }))).toHaveLength(3);
    expect(findInText('Foo foo FOO', compiled({ query: 'foo', caseSensitive: true }))).toHaveLength(1);
  });

  it('matches whole words only, counting letters beyond ASCII as word characters', () => {
    const c = compiled({ query: 'foo', wholeWord: true });
    expect(findInText('foo foobar _foo foo. éfoo (foo)', c).map((m) => m.index)).toEqual([0, 16, 27]);
  });

  it('gives 1-based lines and columns and a preview of the line', () => {
    const text = 'one\n  two foo three\nfoo\n';
    const [first, second] = findInText(text, compiled({ query: 'foo' }));
    expect(first).toMatchObject({ line: 2, column: 7, index: 10, length: 3 });
    expect(first?.preview).toEqual({ before: 'two ', match: 'foo', after: ' three' });
    expect(second).toMatchObject({ line: 3, column: 1 });
  });

  it('cuts long lines around the match with ellipses', () => {
    const text = `${'x'.repeat(500)}needle${'y'.repeat(500)}`;
    const [m] = findInText(text, compiled({ query: 'needle' }), Infinity, {
      maxMatches: 10,
      previewContext: 5,
      previewMatch: 200,
    });
    expect(m?.preview).toEqual({ before: '…xxxxx', match: 'needle', after: 'yyyyy…' });
  });

  it('supports regex groups, anchors per line, and stops on empty matches', () => {
    const c = compiled({ query: '^', regex: true });
    expect(findInText('a\nb\nc', c).map((m) => m.line)).toEqual([1, 2, 3]);
    expect(
      findInText('x = 1; y = 22', compiled({ query: '\\d+', regex: true })).map((m) => m.length),
    ).toEqual([1, 2]);
  });

  it('honours the cap', () => {
    expect(findInText('aaaa', compiled({ query: 'a' }), 2)).toHaveLength(2);
  });
});

describe('searchFiles', () => {
  it('groups matches by file in path order and counts them', () => {
    const r = searchFiles(files, compiled({ query: 'foo' }));
    expect(r.files.map((f) => [f.path, f.matches.length])).toEqual([
      ['dist/out.js', 3],
      ['docs/readme.md', 1],
      ['src/a.ts', 1],
      ['src/b.ts', 3],
    ]);
    expect(r.matchCount).toBe(8);
    expect(r.searchedFiles).toBe(4);
    expect(r.truncated).toBe(false);
  });

  it('searches only files the include globs accept and the exclude globs do not', () => {
    const r = searchFiles(files, compiled({ query: 'foo', include: 'src/**, *.md', exclude: 'a.ts' }));
    expect(r.files.map((f) => f.path)).toEqual(['docs/readme.md', 'src/b.ts']);
    expect(r.searchedFiles).toBe(2);
  });

  it('reads a lazy text only for accepted files', () => {
    const read: string[] = [];
    const lazy = files.map((f) => ({ path: f.path, text: () => (read.push(f.path), f.text) }));
    searchFiles(lazy, compiled({ query: 'foo', include: 'docs/' }));
    expect(read).toEqual(['docs/readme.md']);
  });

  it('stops at the match limit and says the result was cut', () => {
    const r = searchFiles(files, compiled({ query: 'foo' }), {
      maxMatches: 4,
      previewContext: 10,
      previewMatch: 10,
    });
    expect(r.matchCount).toBe(4);
    expect(r.truncated).toBe(true);
    expect(r.files.map((f) => [f.path, f.matches.length])).toEqual([
      ['dist/out.js', 3],
      ['docs/readme.md', 1],
    ]);
    const exact = searchFiles(files, compiled({ query: 'foo' }), {
      maxMatches: 8,
      previewContext: 10,
      previewMatch: 10,
    });
    expect(exact.truncated).toBe(false);
  });

  it('finds nothing for an empty query', () => {
    expect(searchFiles(files, compiled({ query: '' }))).toMatchObject({ files: [], matchCount: 0 });
  });
});

describe('replacements', () => {
  it('replaces every match literally, even with $ in the replacement', () => {
    const c = compiled({ query: 'foo', wholeWord: true, caseSensitive: true });
    const text = 'const foo = 1;\nconst foobar = foo + 2;\n';
    const edits = planReplacements(text, c, '$bar');
    expect(applyReplacements(text, edits)).toBe('const $bar = 1;\nconst foobar = $bar + 2;\n');
  });

  it('expands groups, named groups, $& and escapes in regex mode', () => {
    const c = compiled({ query: '(?<name>\\w+) = (\\d+)', regex: true });
    const text = 'a = 1\nbb = 22';
    expect(applyReplacements(text, planReplacements(text, c, '$2 => $<name> ($&) $$\\t'))).toBe(
      '1 => a (a = 1) $\t\n22 => bb (bb = 22) $\t',
    );
    const groups = compiled({ query: '(a)', regex: true });
    expect(applyReplacements('a', planReplacements('a', groups, '$12|$9'))).toBe('a2|$9');
  });

  it('replaces only the chosen matches', () => {
    const c = compiled({ query: 'x' });
    const edits = planReplacements('x x x', c, 'y', new Set([2]));
    expect(applyReplacements('x x x', edits)).toBe('x y x');
  });

  it('replaces one match only if the text still matches where it was found', () => {
    const c = compiled({ query: 'foo' });
    expect(planReplaceAt('a foo', c, 'bar', { index: 2, length: 3 })).toEqual({
      index: 2,
      deleteCount: 3,
      insert: 'bar',
    });
    // A peer changed the text meanwhile: the match moved.
    expect(planReplaceAt('ab foo', c, 'bar', { index: 2, length: 3 })).toBeNull();
  });

  it('applies edits to a Y.Text so the text equals the string result', () => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    const original = 'let a = 1; let b = a + a;';
    text.insert(0, original);
    const c = compiled({ query: 'a', wholeWord: true, caseSensitive: true });
    const edits = planReplacements(original, c, 'alpha');
    applyToText(text, edits);
    expect(text.toString()).toBe('let alpha = 1; let b = alpha + alpha;');
    expect(text.toString()).toBe(applyReplacements(original, edits));
  });
});
