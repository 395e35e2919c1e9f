import { describe, expect, it } from 'vitest';
import { completeMention, mentionAt, mentionedPaths, suggestPaths } from './mentions.ts';

const paths = ['src/app.ts', 'src/application.css', 'README.md', 'test/app.test.ts', 'src/utils/apply.ts'];

describe('mentions', () => {
  it('finds the mention being typed at the caret, not an email or a finished word', () => {
    expect(mentionAt('fix @src/ap', 11)).toEqual({ start: 4, query: 'src/ap' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail me@host', 12)).toBeNull();
    expect(mentionAt('fix @src/app.ts now', 19)).toBeNull();
    expect(mentionAt('(@READ', 6)).toEqual({ start: 1, query: 'READ' });
  });

  it('ranks file-name prefixes before path prefixes before substrings', () => {
    expect(suggestPaths(paths, 'app')).toEqual([
      'src/app.ts',
      'test/app.test.ts',
      'src/utils/apply.ts',
      'src/application.css',
    ]);
    expect(suggestPaths(paths, 'md')).toEqual(['README.md']);
    expect(suggestPaths(paths, 'src/')).toEqual(['src/app.ts', 'src/utils/apply.ts', 'src/application.css']);
    expect(suggestPaths(paths, 'src/u')).toEqual(['src/utils/apply.ts']);
    expect(suggestPaths(paths, '', 2)).toHaveLength(2);
  });

  it('completes the mention in place and puts the caret after it', () => {
    const text = 'look at @sr please';
    const mention = mentionAt(text, 11);
    if (!mention) throw new Error('expected a mention');
    expect(completeMention(text, mention, 'src/app.ts', 11)).toEqual({
      text: 'look at @src/app.ts  please',
      caret: 20,
    });
  });

  it('collects the existing paths a prompt mentions, once each, ignoring trailing punctuation', () => {
    expect(
      mentionedPaths('Use @src/app.ts and @README.md. Also @src/app.ts, not @nope.ts or x@README.md', paths),
    ).toEqual(['src/app.ts', 'README.md']);
  });
});
