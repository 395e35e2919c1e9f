import type { HunkStatus } from '@tandem/core';
import { describe, expect, it } from 'vitest';
import {
  fileActions,
  hunkActions,
  hunkHeader,
  hunkLabel,
  hunkStatusBadge,
  landedText,
} from './review-actions.ts';

describe('hunkActions', () => {
  it.each<[HunkStatus, boolean, boolean, boolean]>([
    ['pending', true, true, false],
    ['accepted', false, true, false],
    ['rejected', true, false, false],
    ['conflict', false, false, true],
    ['applied', false, false, false],
  ])('%s: accept %s, reject %s, resolve %s', (status, accept, reject, resolve) => {
    expect(hunkActions(status)).toEqual({ accept, reject, resolve });
  });

  it.each<HunkStatus>(['pending', 'accepted', 'rejected', 'conflict', 'applied'])(
    'a read-only member can do nothing with a %s hunk',
    (status) => {
      expect(hunkActions(status, { readOnly: true })).toEqual({
        accept: false,
        reject: false,
        resolve: false,
      });
    },
  );
});

describe('hunkActions with the live preview', () => {
  it('settles an open hunk the preview shows in conflict instead of accepting it', () => {
    const settle = { accept: false, reject: false, resolve: true };
    expect(hunkActions('pending', {}, 'conflict')).toEqual(settle);
    expect(hunkActions('accepted', {}, 'conflict')).toEqual(settle);
  });

  it('lets a conflicted hunk whose lines are back to what the task saw be accepted again', () => {
    expect(hunkActions('conflict', {}, 'clean')).toEqual({ accept: true, reject: true, resolve: false });
  });

  it('leaves decided hunks and read-only members alone', () => {
    expect(hunkActions('applied', {}, 'decided')).toEqual({ accept: false, reject: false, resolve: false });
    expect(hunkActions('pending', { readOnly: true }, 'conflict')).toEqual({
      accept: false,
      reject: false,
      resolve: false,
    });
  });
});

describe('hunk words', () => {
  it('names a change by its place and file', () => {
    expect(hunkLabel(1, 4, 'source/utils/timeout.ts')).toBe('change 2 of 4 in source/utils/timeout.ts');
  });

  it('reads what landed from the last applied decision, else the task text', () => {
    expect(landedText({ newText: 'task\n' })).toBe('task\n');
    expect(
      landedText({
        newText: 'task\n',
        history: [{ action: 'applied', by: 'u', at: '2026-01-01T00:00:00.000Z', text: 'merged\n' }],
      }),
    ).toBe('merged\n');
  });
});

describe('fileActions', () => {
  const hunks = [
    { id: '0-0', status: 'pending' },
    { id: '0-1', status: 'accepted' },
    { id: '0-2', status: 'rejected' },
    { id: '0-3', status: 'conflict' },
    { id: '0-4', status: 'applied' },
    { id: '0-5', status: 'pending' },
  ] as const;

  it('accept all takes only pending hunks; reject all takes pending and accepted ones', () => {
    expect(fileActions(hunks)).toEqual({ acceptIds: ['0-0', '0-5'], rejectIds: ['0-0', '0-1', '0-5'] });
  });

  it('offers nothing when every hunk is decided', () => {
    expect(fileActions([{ id: '0-0', status: 'applied' }])).toEqual({ acceptIds: [], rejectIds: [] });
  });

  it('offers nothing to a read-only member', () => {
    expect(fileActions(hunks, { readOnly: true })).toEqual({ acceptIds: [], rejectIds: [] });
  });
});

describe('hunkStatusBadge', () => {
  it.each<[HunkStatus, string, string]>([
    ['pending', 'neutral', 'Pending'],
    ['accepted', 'ok', 'Accepted'],
    ['rejected', 'neutral', 'Rejected'],
    ['conflict', 'error', 'Conflict'],
    ['applied', 'ok', 'Applied'],
  ])('%s -> %s "%s"', (status, tone, label) => {
    expect(hunkStatusBadge(status)).toEqual({ tone, label });
  });
});

describe('hunkHeader', () => {
  it.each([
    [{ oldStart: 12, oldLines: 3, newStart: 12, newLines: 5 }, '@@ -12,3 +12,5 @@'],
    [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 2 }, '@@ -1,0 +1,2 @@'],
  ])('%j -> %s', (hunk, header) => {
    expect(hunkHeader(hunk)).toBe(header);
  });
});
