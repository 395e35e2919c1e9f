import { describe, expect, it } from 'vitest';
import { compareTrees, unifiedDiff } from './changes.ts';

describe('compareTrees', () => {
  it('lists added, modified, deleted and renamed files by path', () => {
    const base = new Map([
      ['a.ts', '1'],
      ['b.ts', '2'],
      ['old.ts', '3'],
      ['gone.ts', '4'],
    ]);
    const live = new Map([
      ['a.ts', '1'],
      ['b.ts', '22'],
      ['new.ts', '3'],
      ['c.ts', '5'],
    ]);
    expect(compareTrees(base, live)).toEqual([
      { kind: 'modified', path: 'b.ts' },
      { kind: 'added', path: 'c.ts' },
      { kind: 'deleted', path: 'gone.ts' },
      { kind: 'renamed', path: 'new.ts', from: 'old.ts' },
    ]);
  });
});

describe('unifiedDiff', () => {
  it('writes git-style headers for changes, additions and deletions', () => {
    expect(unifiedDiff({ kind: 'modified', path: 'a.txt' }, 'one\ntwo\n', 'one\n2\n')).toBe(
      '--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n',
    );
    expect(unifiedDiff({ kind: 'added', path: 'n.txt' }, null, 'x\n')).toBe(
      '--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,1 @@\n+x\n',
    );
    expect(unifiedDiff({ kind: 'deleted', path: 'd.txt' }, 'x\n', null)).toContain('+++ /dev/null');
  });
});
