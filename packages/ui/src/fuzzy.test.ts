import { describe, expect, it } from 'vitest';
import { fuzzyMatch, parseQuickOpen, rankFiles } from './fuzzy.ts';

const paths = [
  'source/core/Ky.ts',
  'source/core/constants.ts',
  'source/utils/merge.ts',
  'source/index.ts',
  'test/browser.ts',
  'test/helpers/create-http-test-server.ts',
  'readme.md',
  'package.json',
];

describe('fuzzyMatch', () => {
  it('matches characters in order, ignoring case and spaces', () => {
    expect(fuzzyMatch('ky', 'source/core/Ky.ts')?.positions).toEqual([12, 13]);
    expect(fuzzyMatch('s c k', 'source/core/Ky.ts')).not.toBeNull();
    expect(fuzzyMatch('yk', 'source/core/Ky.ts')).toBeNull();
    expect(fuzzyMatch('zzz', 'source/core/Ky.ts')).toBeNull();
  });

  it('keeps matched positions in order inside the path', () => {
    for (const path of paths) {
      const m = fuzzyMatch('se', path);
      if (!m) continue;
      expect(m.positions).toEqual([...m.positions].sort((a, b) => a - b));
      expect(new Set(m.positions).size).toBe(m.positions.length);
      expect(m.positions.map((i) => path[i]?.toLowerCase()).join('')).toBe('se');
    }
  });

  it('prefers the file name and word starts over scattered letters', () => {
    const merge = fuzzyMatch('merge', 'source/utils/merge.ts');
    const scattered = fuzzyMatch('merge', 'lib/smear-gel.ts');
    expect(merge && scattered && merge.score > scattered.score).toBe(true);
  });
});

describe('rankFiles', () => {
  it('puts the best match first', () => {
    expect(rankFiles('ky', paths)[0]?.path).toBe('source/core/Ky.ts');
    expect(rankFiles('merge', paths)[0]?.path).toBe('source/utils/merge.ts');
    expect(rankFiles('pkg', paths)[0]?.path).toBe('package.json');
    expect(rankFiles('cht', paths)[0]?.path).toBe('test/helpers/create-http-test-server.ts');
    expect(rankFiles('nothing-like-it', paths)).toEqual([]);
  });

  it('lists recent files first for an empty query, then the rest by path, without unknown ones', () => {
    const ranked = rankFiles('', paths, ['test/browser.ts', 'gone.ts', 'readme.md'], 4).map((m) => m.path);
    expect(ranked).toEqual(['test/browser.ts', 'readme.md', 'package.json', 'source/core/Ky.ts']);
  });

  it('lets a recent file win a close call', () => {
    const both = ['a/index.ts', 'b/index.ts'];
    expect(rankFiles('index', both)[0]?.path).toBe('a/index.ts');
    expect(rankFiles('index', both, ['b/index.ts'])[0]?.path).toBe('b/index.ts');
  });

  it('stops at the limit', () => {
    expect(rankFiles('s', paths, [], 3)).toHaveLength(3);
  });

  it('gives what scoring every path and sorting them all gives, as a query is typed, extended and cut back', () => {
    // A workspace like the benchmark's: many similar paths, so most of a short query's matches tie closely.
    const many = Array.from({ length: 3000 }, (_, i) => `src/d${Math.floor(i / 100)}/m${i}.ts`).concat(paths);
    const recent = ['src/d1/m131.ts', 'source/index.ts'];
    const reference = (query: string, limit: number) =>
      many
        .flatMap((path) => {
          const match = fuzzyMatch(query, path);
          if (!match) return [];
          const r = recent.indexOf(path);
          if (r >= 0) match.score += Math.max(1, 5 - r);
          return [match];
        })
        .sort((a, b) => b.score - a.score || a.path.length - b.path.length || (a.path < b.path ? -1 : 1))
        .slice(0, limit);
    const typed = [
      'm',
      'm1',
      'm13',
      'm131',
      'm13',
      'M13.',
      'm13.ts',
      'd1',
      'd1 m',
      'd1m2',
      'x',
      'src',
      's/i',
      '',
    ];
    for (const query of typed) {
      for (const limit of [50, 5]) {
        expect(rankFiles(query, many, recent, limit), `${query} (${limit})`).toEqual(
          query.trim() === '' ? rankFiles(query, [...many], recent, limit) : reference(query, limit),
        );
      }
    }
  });
});

describe('parseQuickOpen', () => {
  it('splits a line number off the end', () => {
    expect(parseQuickOpen('Ky.ts:42')).toEqual({ query: 'Ky.ts', line: 42 });
    expect(parseQuickOpen(':7')).toEqual({ query: '', line: 7 });
    expect(parseQuickOpen('Ky.ts')).toEqual({ query: 'Ky.ts', line: null });
    expect(parseQuickOpen('a:0')).toEqual({ query: 'a', line: null });
    expect(parseQuickOpen('a:b')).toEqual({ query: 'a:b', line: null });
  });
});
