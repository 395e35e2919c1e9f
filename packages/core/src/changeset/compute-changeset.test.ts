import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.ts';
import { changesetSchema } from './changeset.ts';
import { summarizeChangeset } from './changeset-summary.ts';
import { computeChangeset, countLines } from './compute-changeset.ts';
import { sha256Hex } from './hash.ts';

const lines = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');

describe('computeChangeset', () => {
  it('splits independent changes into separate zero-context hunks with offsets into the base', () => {
    const oldText = lines('a', 'b', 'c', 'd', 'e', 'f');
    const newText = lines('a', 'B', 'c', 'd', 'e', 'f', 'g');
    const cs = computeChangeset(new Map([['x.ts', oldText]]), new Map([['x.ts', newText]]), [], {
      taskId: 't1',
    });

    expect(cs.taskId).toBe('t1');
    expect(cs.files).toHaveLength(1);
    const file = cs.files[0]!;
    expect(file).toMatchObject({ path: 'x.ts', kind: 'modify', baseHash: sha256Hex(oldText) });
    expect(file.hunks).toEqual([
      {
        id: '0-0',
        oldStart: 2,
        oldLines: 1,
        newStart: 2,
        newLines: 1,
        oldOffset: 2,
        oldText: 'b\n',
        newText: 'B\n',
        status: 'pending',
      },
      {
        id: '0-1',
        oldStart: 7,
        oldLines: 0,
        newStart: 7,
        newLines: 1,
        oldOffset: 12,
        oldText: '',
        newText: 'g\n',
        status: 'pending',
      },
    ]);
    expect(changesetSchema.parse(cs)).toEqual(cs);
  });

  it("names a later revision's hunks apart from the first revision's, in a form the schema accepts", () => {
    const base = new Map([['x.ts', lines('a', 'b', 'c', 'd')]]);
    const proposed = new Map([['x.ts', lines('A', 'b', 'c', 'D')]]);
    const first = computeChangeset(base, proposed, [], { taskId: 't1' });
    const second = computeChangeset(base, proposed, [], { taskId: 't1', revision: 2 });
    expect(first.files[0]?.hunks.map((h) => h.id)).toEqual(['0-0', '0-1']);
    expect(second.files[0]?.hunks.map((h) => h.id)).toEqual(['r2-0-0', 'r2-0-1']);
    expect(changesetSchema.parse(second)).toEqual(second);
  });

  it('numbers files in path order and skips unchanged ones', () => {
    const base = new Map([
      ['b.ts', 'same\n'],
      ['c.ts', 'old\n'],
      ['d.ts', 'gone\n'],
    ]);
    const proposed = new Map([
      ['b.ts', 'same\n'],
      ['c.ts', 'new\n'],
      ['a.ts', 'created'],
    ]);
    const cs = computeChangeset(base, proposed, ['d.ts'], { taskId: 't' });

    expect(cs.files.map((f) => [f.path, f.kind, f.hunks.map((h) => h.id)])).toEqual([
      ['a.ts', 'create', ['0-0']],
      ['c.ts', 'modify', ['1-0']],
      ['d.ts', 'delete', ['2-0']],
    ]);
    expect(cs.files[0]).toMatchObject({
      baseHash: null,
      hunks: [{ oldLines: 0, newLines: 1, oldText: '', newText: 'created' }],
    });
    expect(cs.files[2]).toMatchObject({
      baseHash: sha256Hex('gone\n'),
      hunks: [{ oldLines: 1, newLines: 0, oldText: 'gone\n', newText: '' }],
    });
    expect(changesetSchema.parse(cs)).toEqual(cs);
  });

  it('treats a missing final newline as a change of the last line', () => {
    const cs = computeChangeset(new Map([['f', 'a\nb']]), new Map([['f', 'a\nb\nc']]), [], { taskId: 't' });
    expect(cs.files[0]!.hunks).toMatchObject([{ oldStart: 2, oldText: 'b', newText: 'b\nc', oldOffset: 2 }]);
  });

  it('refuses contradictory input', () => {
    const base = new Map([['a', 'x']]);
    const attempt = (fn: () => unknown) => {
      try {
        fn();
        return undefined;
      } catch (e) {
        return isAppError(e) ? e.code : 'not an AppError';
      }
    };
    expect(attempt(() => computeChangeset(base, new Map(), ['nope'], { taskId: 't' }))).toBe('BAD_INPUT');
    expect(attempt(() => computeChangeset(base, new Map([['a', 'y']]), ['a'], { taskId: 't' }))).toBe(
      'BAD_INPUT',
    );
  });

  it('summarizes line counts per file for the proposal event', () => {
    const cs = computeChangeset(
      new Map([['m', lines('1', '2', '3')]]),
      new Map([
        ['m', lines('1', 'two', 'three', '4')],
        ['n', lines('x', 'y')],
      ]),
      [],
      { taskId: 't' },
    );
    expect(summarizeChangeset(cs)).toEqual({
      files: [
        { path: 'm', kind: 'modify', hunks: 1, added: 3, removed: 2 },
        { path: 'n', kind: 'create', hunks: 1, added: 2, removed: 0 },
      ],
      hunks: 2,
      added: 5,
      removed: 2,
    });
  });
});

describe('countLines', () => {
  it('counts a final line without newline', () => {
    expect([
      countLines(''),
      countLines('a'),
      countLines('a\n'),
      countLines('a\nb'),
      countLines('\n\n'),
    ]).toEqual([0, 1, 1, 2, 2]);
  });
});
