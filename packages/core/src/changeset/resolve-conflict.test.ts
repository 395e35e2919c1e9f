import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { anchorChangeset } from './anchor-changeset.ts';
import { captureBase } from './anchors.ts';
import { applyHunks } from './apply-hunks.ts';
import type { Changeset } from './changeset.ts';
import { computeChangeset } from './compute-changeset.ts';
import { findHunk, selectHunkIds } from './hunk-decisions.ts';
import { previewChangeset } from './preview.ts';
import { resolveConflict } from './resolve-conflict.ts';
import { rollbackTask } from './rollback.ts';
import { docWith, read, replaceIn } from './test-docs.ts';

const lines = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');
const PATH = 'main.go';
const BASE = lines('package main', '', 'func f() int {', '\treturn 1', '}');
const PROPOSED = lines('package main', '', 'func f() int {', '\treturn 2', '}');
const opts = { taskId: 't-r', userId: 'dana', now: () => new Date('2025-06-01T12:00:00.000Z') };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof AppError ? e.code : 'not an AppError';
  }
}

/** A changeset whose single hunk is in conflict because a human rewrote its line. */
function conflicted(): { doc: Y.Doc; changeset: Changeset } {
  const doc = docWith({ [PATH]: BASE });
  const base = captureBase(doc);
  const cs = anchorChangeset(doc, computeChangeset(base.texts, new Map([[PATH, PROPOSED]]), [], opts), {
    snapshot: base.snapshot,
  });
  replaceIn(doc, PATH, '\treturn 1', '\treturn 42');
  const result = applyHunks(doc, cs, ['0-0'], opts);
  expect(result.conflicts).toMatchObject([{ hunkId: '0-0', ours: '\treturn 42\n', theirs: '\treturn 2\n' }]);
  return { doc, changeset: result.changeset };
}

describe('resolveConflict', () => {
  it('theirs puts the task text where the conflicting lines are, and can be rolled back to the human text', () => {
    const { doc, changeset } = conflicted();
    const origins: unknown[] = [];
    doc.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin));

    const result = resolveConflict(doc, changeset, '0-0', 'theirs', {
      ...opts,
      expectedOurs: '\treturn 42\n',
    });
    expect(read(doc, PATH)).toBe(PROPOSED);
    expect(findHunk(result.changeset, '0-0').hunk).toMatchObject({ status: 'applied', decidedBy: 'dana' });
    expect(origins).toEqual([{ kind: 'task', taskId: 't-r', userId: 'dana', action: 'resolve' }]);

    expect(result.undo).not.toBeNull();
    rollbackTask(doc, result.undo ? [result.undo] : [], opts);
    expect(read(doc, PATH)).toBe(BASE.replace('return 1', 'return 42'));
  });

  it('ours keeps the human text and rejects the hunk', () => {
    const { doc, changeset } = conflicted();
    const result = resolveConflict(doc, changeset, '0-0', 'ours', opts);
    expect(result.undo).toBeNull();
    expect(read(doc, PATH)).toBe(BASE.replace('return 1', 'return 42'));
    expect(findHunk(result.changeset, '0-0').hunk.status).toBe('rejected');
  });

  it('a hand-written merge replaces the conflicting lines', () => {
    const { doc, changeset } = conflicted();
    resolveConflict(doc, changeset, '0-0', { text: '\treturn 42 + 2\n' }, opts);
    expect(read(doc, PATH)).toBe(BASE.replace('return 1', 'return 42 + 2'));
  });

  it('refuses when the lines changed again since the reviewer looked', () => {
    const { doc, changeset } = conflicted();
    replaceIn(doc, PATH, 'return 42', 'return 43');
    expect(
      codeOf(() =>
        resolveConflict(doc, changeset, '0-0', 'theirs', { ...opts, expectedOurs: '\treturn 42\n' }),
      ),
    ).toBe('CONFLICT');
    expect(read(doc, PATH)).toBe(BASE.replace('return 1', 'return 43'));
  });

  it('settles a pending hunk the preview shows in conflict, before anyone pressed Accept', () => {
    const doc = docWith({ [PATH]: BASE });
    const base = captureBase(doc);
    const cs = anchorChangeset(doc, computeChangeset(base.texts, new Map([[PATH, PROPOSED]]), [], opts), {
      snapshot: base.snapshot,
    });
    replaceIn(doc, PATH, '\treturn 1', '\treturn 42');
    expect(previewChangeset(doc, cs).conflicts).toMatchObject([{ hunkId: '0-0', ours: '\treturn 42\n' }]);
    const result = resolveConflict(doc, cs, '0-0', 'theirs', { ...opts, expectedOurs: '\treturn 42\n' });
    expect(read(doc, PATH)).toBe(PROPOSED);
    expect(findHunk(result.changeset, '0-0').hunk.status).toBe('applied');
  });

  it('only resolves open hunks, and only when they still have a place', () => {
    const { doc, changeset } = conflicted();
    const rejected = resolveConflict(doc, changeset, '0-0', 'ours', opts).changeset;
    expect(codeOf(() => resolveConflict(doc, rejected, '0-0', 'theirs', opts))).toBe('BAD_INPUT');
    expect(codeOf(() => resolveConflict(doc, changeset, '5-5', 'theirs', opts))).toBe('NOT_FOUND');

    doc.getMap('files').delete(PATH);
    expect(codeOf(() => resolveConflict(doc, changeset, '0-0', 'theirs', opts))).toBe('CONFLICT');
  });

  it('theirs on a file-exists conflict overwrites the file, reversibly', () => {
    const doc = docWith({});
    const cs = computeChangeset(new Map(), new Map([['x.md', '# AI\n']]), [], opts);
    doc.getMap('files').set('x.md', new Y.Text('# human\n'));
    const applied = applyHunks(doc, cs, ['0-0'], opts);
    expect(applied.conflicts).toMatchObject([{ reason: 'file-exists' }]);

    const result = resolveConflict(doc, applied.changeset, '0-0', 'theirs', opts);
    expect(read(doc, 'x.md')).toBe('# AI\n');
    rollbackTask(doc, result.undo ? [result.undo] : [], opts);
    expect(read(doc, 'x.md')).toBe('# human\n');
  });

  it('theirs on a file-changed conflict deletes the file anyway, reversibly', () => {
    const doc = docWith({ 'old.md': 'old\n' });
    const cs = computeChangeset(captureBase(doc).texts, new Map(), ['old.md'], opts);
    replaceIn(doc, 'old.md', 'old', 'edited');
    const applied = applyHunks(doc, cs, selectHunkIds(cs), opts);
    expect(applied.conflicts).toMatchObject([{ reason: 'file-changed', ours: 'edited\n' }]);

    const result = resolveConflict(doc, applied.changeset, '0-0', 'theirs', opts);
    expect(read(doc, 'old.md')).toBeUndefined();
    rollbackTask(doc, result.undo ? [result.undo] : [], opts);
    expect(read(doc, 'old.md')).toBe('edited\n');
  });
});
