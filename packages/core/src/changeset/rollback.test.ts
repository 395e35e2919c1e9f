import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { anchorChangeset } from './anchor-changeset.ts';
import { captureBase } from './anchors.ts';
import { applyHunks } from './apply-hunks.ts';
import { undoRecordSchema, type UndoRecord } from './changeset.ts';
import { computeChangeset } from './compute-changeset.ts';
import { markRolledBack, selectHunkIds } from './hunk-decisions.ts';
import { rollbackTask } from './rollback.ts';
import { docWith, peerOf, read, replaceIn, sync, typeBefore } from './test-docs.ts';

const lines = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');
const PATH = 'app.py';
const BASE = lines(
  'import os',
  '',
  'def a():',
  '    return 1',
  '',
  'def b():',
  '    return 2',
  '',
  'def c():',
  '    pass',
);
const PROPOSED = lines(
  'import os',
  'import sys',
  '',
  'def a():',
  '    return 10',
  '',
  'def b():',
  '',
  'def c():',
  '    pass',
);
const opts = { taskId: 'task-9', userId: 'bob', now: () => new Date('2025-05-05T00:00:00.000Z') };

function applyAll(doc: Y.Doc, files: Record<string, string>, deleted: string[] = []) {
  const base = captureBase(doc);
  const cs = anchorChangeset(
    doc,
    computeChangeset(base.texts, new Map(Object.entries(files)), deleted, opts),
    {
      snapshot: base.snapshot,
    },
  );
  const result = applyHunks(doc, cs, selectHunkIds(cs), opts);
  expect(result.conflicts).toEqual([]);
  return result;
}

describe('rollbackTask', () => {
  it('restores exactly the pre-task text while keeping later human edits elsewhere', () => {
    const server = docWith({ [PATH]: BASE });
    const human = peerOf(server);
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    expect(undo.map((u) => u.hunkId)).toEqual(['0-0', '0-1', '0-2']);
    sync(server, human);

    // After the merge a human keeps working: around, before and after the task's lines, never inside them.
    typeBefore(human, PATH, 'def a', '# a is important\n');
    typeBefore(human, PATH, 'def c():\n    pass', '# c next\n');
    replaceIn(human, PATH, '    pass', '    return 3');
    typeBefore(human, PATH, 'import sys', '# std\n');
    sync(human, server);

    const result = rollbackTask(server, undo, opts);
    sync(server, human);

    const expected = BASE.replace('\ndef a', '\n# a is important\ndef a')
      .replace('def c():\n    pass', '# c next\ndef c():\n    return 3')
      .replace('import os\n', 'import os\n# std\n');
    expect(result).toEqual({ restored: ['0-2', '0-1', '0-0'], conflicts: [] });
    expect(read(server, PATH)).toBe(expected);
    expect(read(human, PATH)).toBe(expected);
  });

  it('gives back the original text when nobody touched the file', () => {
    const server = docWith({ [PATH]: BASE });
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    expect(read(server, PATH)).toBe(PROPOSED);
    rollbackTask(server, undo, opts);
    expect(read(server, PATH)).toBe(BASE);
  });

  it('reports a hunk whose inserted text was edited instead of clobbering it, and restores the rest', () => {
    const server = docWith({ [PATH]: BASE });
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    replaceIn(server, PATH, 'return 10', 'return 10  # checked');

    const result = rollbackTask(server, undo, opts);
    expect(result.restored).toEqual(['0-2', '0-0']);
    expect(result.conflicts).toEqual([
      {
        path: PATH,
        hunkId: '0-1',
        reason: 'region-changed',
        ours: '    return 10  # checked\n',
        theirs: '    return 1\n',
      },
    ]);
    expect(read(server, PATH)).toBe(BASE.replace('    return 1\n', '    return 10  # checked\n'));
  });

  it('notices text typed into the gap a deleted region left behind', () => {
    const server = docWith({ [PATH]: BASE });
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    const gapRecord = undo.find((u) => u.insertedText === '');
    expect(gapRecord).toMatchObject({ hunkId: '0-2', originalText: '    return 2\n' });
    typeBefore(server, PATH, '\ndef c', '    return "human"\n');

    const result = rollbackTask(server, undo, opts);
    expect(result.conflicts).toEqual([
      {
        path: PATH,
        hunkId: '0-2',
        reason: 'region-changed',
        ours: '    return "human"\n',
        theirs: '    return 2\n    return "human"\n',
      },
    ]);
  });

  it('runs in one transaction of its own, tagged as a rollback of the task', () => {
    const server = docWith({ [PATH]: BASE });
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    const origins: unknown[] = [];
    server.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin));
    rollbackTask(server, undo, opts);
    expect(origins).toEqual([{ kind: 'task', taskId: 'task-9', userId: 'bob', action: 'rollback' }]);
  });

  it('works from stored records on a reloaded doc', () => {
    const server = docWith({ [PATH]: BASE });
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    typeBefore(server, PATH, 'def b', '# later\n');
    const stored = JSON.stringify(undo);

    const restarted = new Y.Doc();
    Y.applyUpdate(restarted, Y.encodeStateAsUpdate(server));
    const records: UndoRecord[] = undoRecordSchema.array().parse(JSON.parse(stored));
    const result = rollbackTask(restarted, records, opts);

    expect(result.conflicts).toEqual([]);
    expect(read(restarted, PATH)).toBe(BASE.replace('def b', '# later\ndef b'));
  });

  it('treats records as consumed: a second rollback changes nothing', () => {
    const server = docWith({ [PATH]: BASE });
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    rollbackTask(server, undo, opts);
    const second = rollbackTask(server, undo, opts);
    expect(second.restored).toEqual([]);
    expect(second.conflicts).toHaveLength(3);
    expect(read(server, PATH)).toBe(BASE);
  });

  it('removes a created file that is untouched, and keeps one a human edited', () => {
    const server = docWith({});
    const { undo } = applyAll(server, { 'new.ts': 'a\n', 'edited.ts': 'b\n' });
    typeBefore(server, 'edited.ts', 'b', 'human ');

    const result = rollbackTask(server, undo, opts);
    expect(read(server, 'new.ts')).toBeUndefined();
    expect(read(server, 'edited.ts')).toBe('human b\n');
    expect(result.conflicts).toEqual([
      { path: 'edited.ts', hunkId: '0-0', reason: 'file-changed', ours: 'human b\n', theirs: '' },
    ]);
  });

  it('leaves alone a file someone else put where a created file was', () => {
    const server = docWith({});
    const { undo } = applyAll(server, { 'new.ts': 'a\n' });
    server.getMap('files').set('new.ts', new Y.Text('theirs\n'));
    expect(rollbackTask(server, undo, opts)).toEqual({ restored: ['0-0'], conflicts: [] });
    expect(read(server, 'new.ts')).toBe('theirs\n');
  });

  it('brings a deleted file back, unless its path was taken meanwhile', () => {
    const server = docWith({ 'a.txt': 'A\n', 'b.txt': 'B\n' });
    const { undo } = applyAll(server, {}, ['a.txt', 'b.txt']);
    server.getMap('files').set('b.txt', new Y.Text('new B\n'));

    const result = rollbackTask(server, undo, opts);
    expect(read(server, 'a.txt')).toBe('A\n');
    expect(read(server, 'b.txt')).toBe('new B\n');
    expect(result.conflicts).toEqual([
      { path: 'b.txt', hunkId: '1-0', reason: 'file-exists', ours: 'new B\n', theirs: 'B\n' },
    ]);
  });

  it('refuses records of another task', () => {
    const server = docWith({ [PATH]: BASE });
    const { undo } = applyAll(server, { [PATH]: PROPOSED });
    expect(() => rollbackTask(server, undo, { ...opts, taskId: 'someone-else' })).toThrow(
      /Undo record of task/,
    );
    expect(read(server, PATH)).toBe(PROPOSED);
  });

  it('records the rollback on the changeset', () => {
    const server = docWith({ [PATH]: BASE });
    const { changeset, undo } = applyAll(server, { [PATH]: PROPOSED });
    const { restored } = rollbackTask(server, undo, opts);
    const after = markRolledBack(changeset, restored, { userId: 'carol', now: opts.now });
    expect(after.files[0]!.hunks.map((h) => [h.status, h.decidedBy])).toEqual([
      ['rejected', 'carol'],
      ['rejected', 'carol'],
      ['rejected', 'carol'],
    ]);
  });
});
