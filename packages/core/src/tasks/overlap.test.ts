import { describe, expect, it } from 'vitest';
import { anchorChangeset } from '../changeset/anchor-changeset.ts';
import { captureBase } from '../changeset/anchors.ts';
import { applyHunks } from '../changeset/apply-hunks.ts';
import type { Changeset } from '../changeset/changeset.ts';
import { computeChangeset } from '../changeset/compute-changeset.ts';
import { previewChangeset } from '../changeset/preview.ts';
import { docWith, read } from '../changeset/test-docs.ts';
import { findOverlaps, isUndecided, taskPaths } from './overlap.ts';

const PATH = 'src/a.ts';
const BASE = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n';

const changesetOn = (paths: string[], status: 'pending' | 'applied' | 'rejected' = 'pending'): Changeset => ({
  taskId: 't',
  files: paths.map((path) => ({
    path,
    kind: 'create',
    baseHash: null,
    hunks: [
      {
        id: '0-0',
        oldStart: 1,
        oldLines: 0,
        newStart: 1,
        newLines: 1,
        oldOffset: 0,
        oldText: '',
        newText: 'x\n',
        status,
      },
    ],
  })),
});

describe('taskPaths', () => {
  it('joins pinned files, files the context selection showed in full and the proposal, but not map-only ones', () => {
    expect(
      taskPaths({
        pinned: ['src/b.ts'],
        context: [
          { path: 'src/a.ts', reason: 'relevant' },
          { path: 'src/c.ts', reason: 'map' },
          { path: 'src/b.ts', reason: 'named' },
        ],
        changeset: changesetOn(['src/d.ts']),
      }),
    ).toEqual(['src/a.ts', 'src/b.ts', 'src/d.ts']);
  });
});

describe('isUndecided', () => {
  it.for<[string, Changeset | null, boolean]>([
    ['queued', null, true],
    ['running', null, true],
    ['proposed', changesetOn([PATH]), true],
    ['applied', changesetOn([PATH], 'applied'), false],
    [
      'applied',
      { taskId: 't', files: [...changesetOn([PATH], 'applied').files, ...changesetOn(['b']).files] },
      true,
    ],
    ['rejected', changesetOn([PATH], 'rejected'), false],
    ['failed', null, false],
    ['no-changes', null, false],
  ])('%s → %s', ([state, changeset, expected]) => {
    expect(isUndecided(state, changeset)).toBe(expected);
  });
});

describe('findOverlaps', () => {
  it('names each other task with the files both touch, never the task itself', () => {
    expect(
      findOverlaps(
        'me',
        ['src/a.ts', 'src/b.ts'],
        [
          { taskId: 'me', prompt: 'mine', state: 'running', paths: ['src/a.ts'] },
          { taskId: 'x', prompt: 'other', state: 'proposed', paths: ['src/b.ts', 'src/z.ts', 'src/a.ts'] },
          { taskId: 'y', prompt: 'elsewhere', state: 'running', paths: ['src/z.ts'] },
        ],
      ),
    ).toEqual([{ taskId: 'x', prompt: 'other', state: 'proposed', paths: ['src/a.ts', 'src/b.ts'] }]);
  });
});

describe('two tasks on one file', () => {
  // Both tasks snapshot the same text; A is accepted first; B's review is computed against the live text.
  function twoTasks() {
    const doc = docWith({ [PATH]: BASE });
    const base = captureBase(doc);
    const propose = (taskId: string, proposed: string) =>
      anchorChangeset(doc, computeChangeset(base.texts, new Map([[PATH, proposed]]), [], { taskId }), {
        snapshot: base.snapshot,
      });
    // A inserts two lines at the top and rewrites "three".
    const a = propose('A', `zero\nhalf\n${BASE.replace('three', 'THREE')}`);
    // B changes "six" (lines A does not touch) and "three" (the line A rewrote).
    const b = propose('B', BASE.replace('six', 'SIX').replace('three', 'three!'));
    return { doc, a, b };
  }

  it("shows B's hunks where they now land after A is accepted, and B's hunk on A's line as a conflict", () => {
    const { doc, a, b } = twoTasks();
    applyHunks(
      doc,
      a,
      a.files.flatMap((f) => f.hunks.map((h) => h.id)),
      { taskId: 'A', userId: 'u' },
    );
    expect(read(doc, PATH)).toBe(`zero\nhalf\n${BASE.replace('three', 'THREE')}`);

    const preview = previewChangeset(doc, b);
    const [threeHunk, sixHunk] = b.files[0]?.hunks ?? [];
    if (!threeHunk || !sixHunk) throw new Error('expected two hunks in B');
    expect(preview.files[0]).toEqual({
      path: PATH,
      current: `zero\nhalf\n${BASE.replace('three', 'THREE')}`,
      // "six" moved down two lines and still lands; "three" is A's now and is not overwritten.
      proposed: `zero\nhalf\n${BASE.replace('three', 'THREE').replace('six', 'SIX')}`,
    });
    expect(preview.conflicts).toEqual([
      // A replaced B's whole region, so the engine finds no text of B's lines left to show as "ours".
      expect.objectContaining({ hunkId: threeHunk.id, reason: 'region-changed', theirs: 'three!\n' }),
    ]);
    expect(preview.hunks.find((h) => h.hunkId === sixHunk.id)?.outcome).toBe('clean');

    // And the preview is what accepting B does.
    const result = applyHunks(doc, b, [threeHunk.id, sixHunk.id], { taskId: 'B', userId: 'u' });
    expect(result.applied).toEqual([sixHunk.id]);
    expect(result.conflicts.map((c) => c.hunkId)).toEqual([threeHunk.id]);
    expect(read(doc, PATH)).toBe(preview.files[0]?.proposed);
  });
});
