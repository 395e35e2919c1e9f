import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { anchorChangeset } from '../changeset/anchor-changeset.ts';
import { applyHunks } from '../changeset/apply-hunks.ts';
import { computeChangeset } from '../changeset/compute-changeset.ts';
import { docWith, read, replaceIn, typeBefore } from '../changeset/test-docs.ts';
import { conflictingHunkIds, mergeText, planPull, pullChangeset, splitLines } from './pull-merge.ts';

const lines = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');

describe('mergeText', () => {
  const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');

  it('takes what only the remote changed, where the team has moved the lines to', () => {
    // The team added two lines at the top; the remote changed "f".
    const live = lines('x', 'y', 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'c', 'd', 'e', 'F', 'g');
    expect(mergeText(base, live, theirs)).toEqual({
      merged: lines('x', 'y', 'a', 'b', 'c', 'd', 'e', 'F', 'g'),
      conflicts: [],
    });
  });

  it('keeps both sides where they changed different lines', () => {
    const live = lines('a', 'B', 'c', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'c', 'd', 'e', 'f', 'G', 'h');
    expect(mergeText(base, live, theirs).merged).toBe(lines('a', 'B', 'c', 'd', 'e', 'f', 'G', 'h'));
  });

  it('marks lines both sides changed as a conflict, in live lines, with the remote text proposed', () => {
    const live = lines('a', 'b', 'TEAM', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'REMOTE', 'REMOTE2', 'd', 'e', 'f', 'g');
    expect(mergeText(base, live, theirs)).toEqual({
      merged: lines('a', 'b', 'REMOTE', 'REMOTE2', 'd', 'e', 'f', 'g'),
      conflicts: [{ start: 2, end: 3 }],
    });
  });

  it('counts changes that touch (an insertion right after an edited line) as a conflict, as git does', () => {
    const live = lines('a', 'B', 'c', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'new', 'c', 'd', 'e', 'f', 'g');
    expect(mergeText(base, live, theirs).conflicts).toEqual([{ start: 1, end: 2 }]);
  });

  it('sees nothing to do when both sides made the same change', () => {
    const both = lines('a', 'b', 'C', 'd', 'e', 'f', 'g');
    expect(mergeText(base, both, both)).toEqual({ merged: both, conflicts: [] });
  });

  it('keeps a last line without a line break intact', () => {
    expect(mergeText('a\nb\nc', 'a\nb\nc\nlocal', 'A\nb\nc')).toEqual({
      merged: 'A\nb\nc\nlocal',
      conflicts: [],
    });
    expect(splitLines('a\nb')).toEqual(['a\n', 'b']);
    expect(splitLines('')).toEqual([]);
  });
});

describe('planPull', () => {
  it('creates, deletes and merges files, and makes whole-file conflicts of what the two sides disagree on', () => {
    const live = new Map([
      ['same.ts', lines('1', '2')],
      ['edited-here.ts', lines('mine')],
      ['gone-remotely.ts', lines('old')],
      ['both-added.ts', lines('ours')],
      ['merge.ts', lines('a', 'b', 'c')],
    ]);
    const plan = planPull(
      [
        { path: 'new.ts', base: null, theirs: lines('fresh') },
        { path: 'gone-remotely.ts', base: lines('old'), theirs: null },
        { path: 'edited-here.ts', base: lines('theirs-base'), theirs: null },
        { path: 'deleted-here.ts', base: lines('x'), theirs: lines('y') },
        { path: 'both-added.ts', base: null, theirs: lines('theirs') },
        { path: 'merge.ts', base: lines('a', 'b', 'c'), theirs: lines('a', 'b', 'C') },
        { path: 'same.ts', base: lines('1'), theirs: lines('1', '2') },
      ],
      live,
    );
    expect(Object.fromEntries(plan.proposed)).toEqual({
      'new.ts': lines('fresh'),
      'deleted-here.ts': lines('y'),
      'both-added.ts': lines('theirs'),
      'merge.ts': lines('a', 'b', 'C'),
    });
    expect(plan.deleted).toEqual(['gone-remotely.ts', 'edited-here.ts']);
    expect(Object.fromEntries(plan.conflicts)).toEqual({
      'edited-here.ts': 'file',
      'deleted-here.ts': 'file',
      'both-added.ts': [{ start: 0, end: 1 }],
    });
  });
});

describe('conflictingHunkIds', () => {
  it('picks the hunks of the live-to-merged changeset that stand on conflicting lines', () => {
    const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');
    const live = lines('a', 'TEAM', 'c', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'REMOTE', 'c', 'd', 'e', 'f', 'G');
    const plan = planPull([{ path: 'f.ts', base, theirs }], new Map([['f.ts', live]]));
    const changeset = computeChangeset(new Map([['f.ts', live]]), plan.proposed, plan.deleted, {
      taskId: 't',
    });
    const hunks = changeset.files[0]?.hunks ?? [];
    expect(hunks.map((h) => [h.oldText, h.newText])).toEqual([
      ['TEAM\n', 'REMOTE\n'],
      ['g\n', 'G\n'],
    ]);
    expect([...conflictingHunkIds(changeset, plan)]).toEqual([hunks[0]?.id]);
  });
});

describe('pullChangeset', () => {
  const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');
  const theirs = lines('a', 'B-remote', 'c', 'd', 'e', 'f', 'G-remote', 'h');

  /** What the server does: copy the live text with a snapshot, plan from the copy, anchor, then apply. */
  function pullInto(doc: Y.Doc, meanwhile: (doc: Y.Doc) => void) {
    const live = new Map([['f.ts', read(doc, 'f.ts') ?? '']]);
    const snapshot = Y.snapshot(doc);
    const planned = pullChangeset([{ path: 'f.ts', base, theirs }], live, { taskId: 't' });
    meanwhile(doc);
    const anchored = anchorChangeset(doc, planned.changeset, { snapshot });
    const clean = anchored.files.flatMap((f) => f.hunks.map((h) => h.id));
    return { planned, result: applyHunks(doc, anchored, clean, { taskId: 't', userId: 'u' }) };
  }

  it('is planPull, the live-to-merged changeset and its conflicting hunks in one step', () => {
    const live = lines('a', 'b', 'TEAM', 'd', 'e', 'f', 'g');
    const files = [{ path: 'f.ts', base, theirs: lines('a', 'b', 'REMOTE', 'd', 'e', 'f', 'G') }];
    const plan = planPull(files, new Map([['f.ts', live]]));
    const changeset = computeChangeset(new Map([['f.ts', live]]), plan.proposed, plan.deleted, {
      taskId: 't',
    });
    expect(pullChangeset(files, new Map([['f.ts', live]]), { taskId: 't' })).toEqual({
      changeset,
      conflicting: [...conflictingHunkIds(changeset, plan)],
    });
  });

  it('lands where the lines moved to when a peer typed elsewhere after the copy was taken', () => {
    const doc = docWith({ 'f.ts': base });
    const { result } = pullInto(doc, (d) => typeBefore(d, 'f.ts', 'a\n', 'peer\n'));
    expect(result.conflicts).toEqual([]);
    expect(read(doc, 'f.ts')).toBe(lines('peer', 'a', 'B-remote', 'c', 'd', 'e', 'f', 'G-remote', 'h'));
  });

  it('gives the same result as merging the live text when nobody typed meanwhile', () => {
    const doc = docWith({ 'f.ts': base });
    pullInto(doc, () => undefined);
    expect(read(doc, 'f.ts')).toBe(mergeText(base, base, theirs).merged);
  });

  it('never overwrites lines a peer changed after the copy: that hunk becomes a conflict, the rest lands', () => {
    const doc = docWith({ 'f.ts': base });
    const { planned, result } = pullInto(doc, (d) => replaceIn(d, 'f.ts', 'b\n', 'b-peer\n'));
    expect(planned.conflicting).toEqual([]);
    expect(result.conflicts.map((c) => [c.reason, c.theirs])).toEqual([['region-changed', 'B-remote\n']]);
    expect(read(doc, 'f.ts')).toBe(lines('a', 'b-peer', 'c', 'd', 'e', 'f', 'G-remote', 'h'));
  });
});
