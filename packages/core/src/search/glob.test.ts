import { describe, expect, it } from 'vitest';
import { compileGlob, compilePathFilter, splitGlobs } from './glob.ts';

function matcher(glob: string) {
  const m = compileGlob(glob);
  if (typeof m !== 'function') throw new Error(m.message);
  return m;
}

describe('compileGlob', () => {
  it('matches a slash-less pattern against the file name at any depth', () => {
    const ts = matcher('*.ts');
    expect(ts('a.ts')).toBe(true);
    expect(ts('src/deep/a.ts')).toBe(true);
    expect(ts('src/a.tsx')).toBe(false);
    expect(ts('src/a.ts.orig')).toBe(false);
  });

  it('matches a slash-less name as a directory anywhere, covering what is inside', () => {
    const nm = matcher('node_modules');
    expect(nm('node_modules/x/index.js')).toBe(true);
    expect(nm('packages/a/node_modules/y.js')).toBe(true);
    expect(nm('src/node_modules_backup.js')).toBe(false);
    expect(nm('my_node_modules/z.js')).toBe(false);
  });

  it('anchors a pattern with a slash at the root', () => {
    const src = matcher('src/**');
    expect(src('src/a.ts')).toBe(true);
    expect(src('src/x/y/z.ts')).toBe(true);
    expect(src('lib/src/a.ts')).toBe(false);
    const top = matcher('/README.md');
    expect(top('README.md')).toBe(true);
    expect(top('docs/README.md')).toBe(false);
  });

  it('treats **/ as zero or more directories', () => {
    const tests = matcher('**/*.test.ts');
    expect(tests('a.test.ts')).toBe(true);
    expect(tests('src/x/a.test.ts')).toBe(true);
    expect(tests('src/x/a.ts')).toBe(false);
    const mid = matcher('src/**/util.ts');
    expect(mid('src/util.ts')).toBe(true);
    expect(mid('src/a/b/util.ts')).toBe(true);
    expect(mid('src/a/b/util.tsx')).toBe(false);
  });

  it('keeps * and ? within one path segment', () => {
    expect(matcher('src/*.ts')('src/a/b.ts')).toBe(false);
    expect(matcher('src/*.ts')('src/b.ts')).toBe(true);
    expect(matcher('a?.js')('ab.js')).toBe(true);
    expect(matcher('a?.js')('a/.js')).toBe(false);
  });

  it('supports braces, character classes and negated classes', () => {
    const cfg = matcher('*.{json,yaml}');
    expect(cfg('a/b.json')).toBe(true);
    expect(cfg('c.yaml')).toBe(true);
    expect(cfg('c.yml')).toBe(false);
    expect(matcher('v[0-9].txt')('v3.txt')).toBe(true);
    expect(matcher('v[!0-9].txt')('v3.txt')).toBe(false);
    expect(matcher('v[!0-9].txt')('vx.txt')).toBe(true);
  });

  it('treats regex characters in names literally', () => {
    const m = matcher('a+b(1).ts');
    expect(m('a+b(1).ts')).toBe(true);
    expect(m('aab1.ts')).toBe(false);
  });

  it('matches only directories with a trailing slash', () => {
    const docs = matcher('docs/');
    expect(docs('docs/a.md')).toBe(true);
    expect(docs('x/docs/a.md')).toBe(true);
    expect(docs('docs')).toBe(false);
    const anchored = matcher('src/lib/');
    expect(anchored('src/lib/a.ts')).toBe(true);
    expect(anchored('x/src/lib/a.ts')).toBe(false);
  });

  it('reports an unclosed bracket or brace as BAD_GLOB', () => {
    expect(compileGlob('a[b')).toMatchObject({ ok: false, code: 'BAD_GLOB', pattern: 'a[b' });
    expect(compileGlob('*.{ts,js')).toMatchObject({ ok: false, code: 'BAD_GLOB' });
  });
});

describe('compilePathFilter', () => {
  it('splits on commas outside braces', () => {
    expect(splitGlobs(' *.ts, {a,b}.js ,, src/ ')).toEqual(['*.ts', '{a,b}.js', 'src/']);
  });

  it('includes everything when the include list is empty, and exclude wins', () => {
    const f = compilePathFilter('', 'dist, *.min.js');
    if (typeof f !== 'function') throw new Error(f.message);
    expect(f('src/a.js')).toBe(true);
    expect(f('dist/a.js')).toBe(false);
    expect(f('src/a.min.js')).toBe(false);
    const g = compilePathFilter('src/**, *.md', 'src/gen/');
    if (typeof g !== 'function') throw new Error(g.message);
    expect(g('src/a.ts')).toBe(true);
    expect(g('docs/x.md')).toBe(true);
    expect(g('lib/a.ts')).toBe(false);
    expect(g('src/gen/a.ts')).toBe(false);
  });

  it('passes a bad glob through', () => {
    expect(compilePathFilter('ok.ts', '[oops')).toMatchObject({
      ok: false,
      code: 'BAD_GLOB',
      pattern: '[oops',
    });
  });
});
