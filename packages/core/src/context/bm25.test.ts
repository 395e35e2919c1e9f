import { describe, expect, it } from 'vitest';
import { Bm25Index } from './bm25.ts';

const files = new Map<string, string>([
  [
    'src/dates/date-range.ts',
    `export interface DateRange { start: Date; end: Date }
export function parseDateRange(text: string): DateRange {
  const [start, end] = text.split('..');
  return { start: new Date(start), end: new Date(end) };
}
export function overlaps(a: DateRange, b: DateRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}`,
  ],
  [
    'src/dates/format.ts',
    `export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}`,
  ],
  [
    'src/auth/session.ts',
    `import { signToken } from './tokens.ts';
export class SessionStore {
  create(userId: string): string { return signToken(userId); }
}`,
  ],
  ['src/auth/tokens.ts', `export function signToken(userId: string): string { return btoa(userId); }`],
  [
    'src/reports/monthly.ts',
    `// Builds the monthly report; the reporting window is computed elsewhere.
export function monthlyReport(rows: Row[]): Report { return summarize(rows); }`,
  ],
  ['README.md', '# Demo\n\nA small demo app with sessions, reports and a date picker.\n'],
]);

describe('Bm25Index', () => {
  it('ranks the file about the prompt first', () => {
    const ranked = new Bm25Index(files).rank('Make parseDateRange accept an open-ended range');
    expect(ranked[0]?.path).toBe('src/dates/date-range.ts');
  });

  it('weights path terms up: a file named after the topic beats a passing mention', () => {
    const ranked = new Bm25Index(files).rank('token signing');
    expect(ranked[0]?.path).toBe('src/auth/tokens.ts');
    expect(ranked.map((file) => file.path)).toContain('src/auth/session.ts');
  });

  it('prefers rare terms: an exact identifier outweighs common words', () => {
    const ranked = new Bm25Index(files).rank('the monthlyReport function returns a string');
    expect(ranked[0]?.path).toBe('src/reports/monthly.ts');
  });

  it('returns only files that match, scores descending, ties by path', () => {
    const ranked = new Bm25Index(files).rank('date');
    expect(ranked.every((file) => file.score > 0)).toBe(true);
    for (let i = 1; i < ranked.length; i += 1) {
      const previous = ranked[i - 1]!;
      const current = ranked[i]!;
      expect(
        previous.score > current.score || (previous.score === current.score && previous.path < current.path),
      ).toBe(true);
    }
    expect(ranked.map((file) => file.path)).not.toContain('src/auth/tokens.ts');
  });

  it('ranks nothing for a prompt without matching terms', () => {
    expect(new Bm25Index(files).rank('kubernetes helm chart')).toEqual([]);
    expect(new Bm25Index(files).rank('')).toEqual([]);
    expect(new Bm25Index(new Map()).rank('date')).toEqual([]);
  });

  it('indexes only a fair share of each file when the workspace is huge', () => {
    const big = new Map<string, string>([
      ['a.ts', `${'filler '.repeat(2_000)}needle`],
      ['b.ts', 'needle at the top'],
    ]);
    const bounded = new Bm25Index(big, { maxTotalIndexedChars: 1_000, minIndexedChars: 500 });
    expect(bounded.rank('needle').map((file) => file.path)).toEqual(['b.ts']);
    expect(new Bm25Index(big).rank('needle').map((file) => file.path)).toEqual(['b.ts', 'a.ts']);
  });
});
