import { describe, expect, it } from 'vitest';
import { answerProse } from './prose.ts';

describe('answerProse', () => {
  it('keeps the explanation and drops edit blocks with the path lines that name them', () => {
    const answer = [
      'I will make the timeout configurable.',
      '',
      'source/utils/timeout.ts',
      '```ts',
      '<<<<<<< SEARCH',
      'const timeout = 10;',
      '=======',
      'const timeout = options.timeout ?? 10;',
      '>>>>>>> REPLACE',
      '```',
      '',
      'Callers that pass nothing keep the old behaviour.',
      '',
    ].join('\n');
    expect(answerProse(answer)).toBe(
      'I will make the timeout configurable.\n\nCallers that pass nothing keep the old behaviour.',
    );
  });

  it('does not end a diff at a fence inside a diffed comment', () => {
    const answer = [
      'Documented the option.',
      '```diff',
      '--- a/readme.ts',
      '+++ b/readme.ts',
      '@@ -1,3 +1,4 @@',
      ' /**',
      ' * ```',
      '+ * timeout: 10',
      ' */',
      '```',
      'Done.',
    ].join('\n');
    expect(answerProse(answer)).toBe('Documented the option.\nDone.');
  });

  it('is empty for an answer that is only edits, and whole for one without any', () => {
    expect(answerProse('a.ts\n```ts\nexport {};\n```\n')).toBe('');
    expect(answerProse('No change is needed: the check already exists.')).toBe(
      'No change is needed: the check already exists.',
    );
  });
});
