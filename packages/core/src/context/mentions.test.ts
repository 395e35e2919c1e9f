import { describe, expect, it } from 'vitest';
import { expandPinned, MAX_FOLDER_FILES, mentionsInPrompt, namedInPrompt } from './mentions.ts';

const files = new Map<string, string>(
  [
    'README.md',
    'package.json',
    'Makefile',
    'src/index.ts',
    'src/auth/index.ts',
    'src/auth/session.ts',
    'src/auth/tokens.ts',
    'src/db/index.ts',
    'src/db/client.ts',
    'src/ui/button.tsx',
    'src/ui/index.ts',
    'test/session.test.ts',
  ].map((path) => [path, `// ${path}\n`]),
);

describe('namedInPrompt', () => {
  it('finds full paths, ./-prefixed paths and @-mentions in order of mention', () => {
    expect(namedInPrompt('Change ./src/db/client.ts so @src/auth/tokens.ts can reuse it', files)).toEqual([
      'src/db/client.ts',
      'src/auth/tokens.ts',
    ]);
  });

  it('finds a unique basename and a unique path tail, ignoring surrounding punctuation', () => {
    expect(namedInPrompt('Look at `session.ts`, then (auth/tokens.ts): and button.tsx.', files)).toEqual([
      'src/auth/session.ts',
      'src/auth/tokens.ts',
      'src/ui/button.tsx',
    ]);
  });

  it('ignores a basename shared by too many files, and names that do not exist', () => {
    expect(namedInPrompt('update index.ts and missing.ts and src/nope.ts', files)).toEqual([]);
    expect(namedInPrompt('update auth/index.ts', files)).toEqual(['src/auth/index.ts']);
  });

  it('does not treat prose or bare words as file names', () => {
    expect(namedInPrompt('the session should expire, e.g. after a day. Makefile aside', files)).toEqual([]);
  });

  it('expands an @-mentioned folder to its files, but not a folder mentioned in prose', () => {
    expect(namedInPrompt('refactor @src/db/ please', files)).toEqual(['src/db/client.ts', 'src/db/index.ts']);
    expect(namedInPrompt('refactor src/db please', files)).toEqual([]);
  });

  it('returns the prompt without the words that named files', () => {
    expect(mentionsInPrompt('Refactor @src/auth/session.ts and index.ts for speed', files)).toEqual({
      paths: ['src/auth/session.ts'],
      rest: 'Refactor   and index.ts for speed',
    });
  });

  it('names each file once', () => {
    expect(namedInPrompt('session.ts, src/auth/session.ts and @src/auth/session.ts', files)).toEqual([
      'src/auth/session.ts',
    ]);
  });
});

describe('expandPinned', () => {
  it('keeps existing files in the given order and expands folders', () => {
    expect(expandPinned(['src/ui/button.tsx', 'src/db', 'gone.ts', 'src/db/client.ts'], files)).toEqual([
      'src/ui/button.tsx',
      'src/db/client.ts',
      'src/db/index.ts',
    ]);
  });

  it('caps what one folder contributes', () => {
    const many = new Map(Array.from({ length: 80 }, (_, i) => [`gen/f${String(i).padStart(3, '0')}.ts`, '']));
    const pinned = expandPinned(['gen'], many);
    expect(pinned).toHaveLength(MAX_FOLDER_FILES);
    expect(pinned[0]).toBe('gen/f000.ts');
  });
});
