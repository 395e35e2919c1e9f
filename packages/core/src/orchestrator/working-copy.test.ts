import { describe, expect, it } from 'vitest';
import { parseEdits } from '../edits/index.ts';
import { WorkingCopy } from './working-copy.ts';

const FENCE = '```';

function editsOf(answer: string) {
  return parseEdits(answer).edits;
}

describe('WorkingCopy', () => {
  it('applies edits one by one, each to the result of the previous, leaving the snapshot alone', () => {
    const snapshot = new Map([
      ['a.txt', 'one\ntwo\n'],
      ['gone.txt', 'bye\n'],
    ]);
    const copy = new WorkingCopy(snapshot);
    const [first, second, created] = editsOf(
      `a.txt\n${FENCE}\n<<<<<<< SEARCH\none\n=======\nuno\n>>>>>>> REPLACE\n${FENCE}\n\n` +
        `a.txt\n${FENCE}\n<<<<<<< SEARCH\nuno\ntwo\n=======\nuno\ndos\n>>>>>>> REPLACE\n${FENCE}\n\n` +
        `b.txt\n${FENCE}\n<<<<<<< SEARCH\n=======\nnew\n>>>>>>> REPLACE\n${FENCE}\n`,
    );
    expect(copy.apply(first!)).toMatchObject({ touched: ['a.txt'], results: [{ status: 'applied' }] });
    expect(copy.apply(second!).results[0]).toMatchObject({ status: 'applied', rung: 'exact' });
    expect(copy.apply(created!).results[0]).toMatchObject({ status: 'applied', action: 'created' });
    const [remove] = editsOf(`${FENCE}diff\n--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n${FENCE}\n`);
    expect(copy.apply(remove!)).toMatchObject({ touched: ['gone.txt'] });

    expect(copy.files.get('a.txt')).toBe('uno\ndos\n');
    expect(snapshot.get('a.txt')).toBe('one\ntwo\n');
    expect(copy.changes()).toEqual({
      proposed: new Map([
        ['a.txt', 'uno\ndos\n'],
        ['b.txt', 'new\n'],
      ]),
      deleted: ['gone.txt'],
    });
  });

  it('refuses paths outside the workspace and protected paths', () => {
    const copy = new WorkingCopy(new Map([['secret.env', 'KEY=1\n']]), {
      isWritable: (path) => !path.endsWith('.env'),
    });
    const [outside, protectedEdit] = editsOf(
      `../outside.txt\n${FENCE}\n<<<<<<< SEARCH\n=======\nx\n>>>>>>> REPLACE\n${FENCE}\n\n` +
        `secret.env\n${FENCE}\n<<<<<<< SEARCH\nKEY=1\n=======\nKEY=2\n>>>>>>> REPLACE\n${FENCE}\n`,
    );
    expect(copy.apply(outside!)).toMatchObject({
      touched: [],
      results: [{ status: 'failed', code: 'INVALID_PATH' }],
    });
    expect(copy.apply(protectedEdit!).results[0]).toMatchObject({ status: 'failed', code: 'FORBIDDEN' });
    expect(copy.changes()).toEqual({ proposed: new Map(), deleted: [] });
  });
});
