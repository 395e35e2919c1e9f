import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { anchorChangeset } from './anchor-changeset.ts';
import { captureBase } from './anchors.ts';
import { applyHunks } from './apply-hunks.ts';
import { changesetSchema, type Changeset } from './changeset.ts';
import { computeChangeset } from './compute-changeset.ts';
import { selectHunkIds } from './hunk-decisions.ts';
import { isTaskOrigin } from './task-origin.ts';
import { docWith, peerOf, read, replaceIn, sync, typeBefore } from './test-docs.ts';

const lines = (...xs: string[]) => xs.map((x) => `${x}\n`).join('');
const PATH = 'src/math.ts';
const BASE = lines(
  'import { a } from "a";',
  '',
  'export function one() {',
  '  return 1;',
  '}',
  '',
  'export function two() {',
  '  return 2;',
  '}',
);
const PROPOSED = lines(
  'import { a } from "a";',
  '',
  'export function one() {',
  '  return 11;',
  '}',
  '',
  'export function two() {',
  '  return 22;',
  '}',
  '',
  'export const three = 3;',
);
const opts = { taskId: 'task-1', userId: 'alice', now: () => new Date('2025-01-02T03:04:05.000Z') };

/** Snapshot, compute and anchor the way the orchestrator does, against the snapshot it read the base at. */
function propose(doc: Y.Doc, proposed: Map<string, string>, deleted: string[] = []) {
  const base = captureBase(doc);
  return {
    base,
    anchorLater: () =>
      anchorChangeset(doc, computeChangeset(base.texts, proposed, deleted, { taskId: opts.taskId }), {
        snapshot: base.snapshot,
      }),
  };
}

function hunkStatuses(cs: Changeset): Record<string, string> {
  return Object.fromEntries(cs.files.flatMap((f) => f.hunks.map((h) => [h.id, h.status])));
}

describe('applyHunks', () => {
  it('lands every hunk where its lines moved to while a human typed elsewhere after the snapshot', () => {
    const server = docWith({ [PATH]: BASE });
    const human = peerOf(server);
    const { anchorLater } = propose(server, new Map([[PATH, PROPOSED]]));

    // While the model is thinking, a human adds a header, edits the import line and appends a line inside two().
    typeBefore(human, PATH, 'import', '// header\n');
    replaceIn(human, PATH, '{ a }', '{ a, b }');
    typeBefore(human, PATH, '  return 2;', '  // about to return\n');
    sync(human, server);

    const cs = anchorLater();
    const result = applyHunks(server, cs, selectHunkIds(cs), opts);
    sync(server, human);

    const expected = lines(
      '// header',
      'import { a, b } from "a";',
      '',
      'export function one() {',
      '  return 11;',
      '}',
      '',
      'export function two() {',
      '  // about to return',
      '  return 22;',
      '}',
      '',
      'export const three = 3;',
    );
    expect(result.conflicts).toEqual([]);
    expect(result.applied).toEqual(['0-0', '0-1', '0-2']);
    expect(read(server, PATH)).toBe(expected);
    expect(read(human, PATH)).toBe(expected);
    expect(hunkStatuses(result.changeset)).toEqual({ '0-0': 'applied', '0-1': 'applied', '0-2': 'applied' });
    expect(result.changeset.files[0]!.hunks[0]).toMatchObject({
      decidedBy: 'alice',
      decidedAt: '2025-01-02T03:04:05.000Z',
    });
  });

  it('lands hunks anchored at snapshot time after a human edits elsewhere', () => {
    const server = docWith({ [PATH]: BASE });
    const human = peerOf(server);
    const base = captureBase(server);
    const cs = anchorChangeset(server, computeChangeset(base.texts, new Map([[PATH, PROPOSED]]), [], opts));

    typeBefore(human, PATH, 'export function two', '// two comes next\n');
    sync(human, server);
    const result = applyHunks(server, cs, ['0-1'], opts);

    expect(result.conflicts).toEqual([]);
    expect(read(server, PATH)).toBe(
      BASE.replace('export function two', '// two comes next\nexport function two').replace(
        'return 2;',
        'return 22;',
      ),
    );
  });

  it('converges when a human edit elsewhere is concurrent with the merge', () => {
    const server = docWith({ [PATH]: BASE });
    const human = peerOf(server);
    const { anchorLater } = propose(server, new Map([[PATH, PROPOSED]]));
    const cs = anchorLater();

    applyHunks(server, cs, selectHunkIds(cs), opts);
    typeBefore(human, PATH, 'export function two', '// concurrent\n'); // unsynced: the replicas diverge, then meet
    sync(server, human);

    expect(read(server, PATH)).toBe(read(human, PATH));
    expect(read(server, PATH)).toBe(
      PROPOSED.replace('export function two', '// concurrent\nexport function two'),
    );
  });

  it('reports a conflict and leaves the text alone when a human changed a hunk region', () => {
    const server = docWith({ [PATH]: BASE });
    const human = peerOf(server);
    const { anchorLater } = propose(server, new Map([[PATH, PROPOSED]]));
    replaceIn(human, PATH, 'return 1;', 'return 100;');
    sync(human, server);
    const before = read(server, PATH);

    const cs = anchorLater();
    const result = applyHunks(server, cs, ['0-0', '0-1'], opts);

    expect(result.conflicts).toEqual([
      {
        path: PATH,
        hunkId: '0-0',
        reason: 'region-changed',
        ours: '  return 100;\n',
        theirs: '  return 11;\n',
      },
    ]);
    expect(result.applied).toEqual(['0-1']);
    expect(read(server, PATH)).toBe(before?.replace('return 2;', 'return 22;'));
    expect(hunkStatuses(result.changeset)).toMatchObject({
      '0-0': 'conflict',
      '0-1': 'applied',
      '0-2': 'pending',
    });
  });

  it('treats typing on a boundary line of a region as a change to it', () => {
    const server = docWith({ [PATH]: BASE });
    const { anchorLater } = propose(server, new Map([[PATH, PROPOSED]]));
    const cs = anchorLater();
    typeBefore(server, PATH, '  return 1;', 'x'); // same line, just outside the anchors

    const result = applyHunks(server, cs, ['0-0'], opts);
    expect(result.conflicts).toMatchObject([
      { hunkId: '0-0', ours: 'x  return 1;\n', theirs: '  return 11;\n' },
    ]);
  });

  it('conflicts when a human types at the point a pure insertion goes, keeping their text in theirs', () => {
    const server = docWith({ 'f.txt': lines('a', 'b') });
    const cs = anchorChangeset(
      server,
      computeChangeset(
        new Map([['f.txt', lines('a', 'b')]]),
        new Map([['f.txt', lines('a', 'new', 'b')]]),
        [],
        opts,
      ),
    );
    typeBefore(server, 'f.txt', 'b', 'x');

    const result = applyHunks(server, cs, ['0-0'], opts);
    expect(result.conflicts).toEqual([
      { path: 'f.txt', hunkId: '0-0', reason: 'region-changed', ours: 'xb\n', theirs: 'new\nxb\n' },
    ]);
    expect(read(server, 'f.txt')).toBe(lines('a', 'xb'));
  });

  it('collapsed regions (a human deleted the lines) conflict instead of reinserting', () => {
    const server = docWith({ [PATH]: BASE });
    const cs = anchorChangeset(
      server,
      computeChangeset(new Map([[PATH, BASE]]), new Map([[PATH, PROPOSED]]), [], opts),
    );
    replaceIn(server, PATH, '  return 1;\n', '');

    const result = applyHunks(server, cs, ['0-0'], opts);
    expect(result.conflicts).toEqual([
      { path: PATH, hunkId: '0-0', reason: 'region-changed', ours: '', theirs: '  return 11;\n' },
    ]);
  });

  it('applies a subset, then the rest later, and ignores repeats', () => {
    const server = docWith({ [PATH]: BASE });
    const cs = anchorChangeset(
      server,
      computeChangeset(new Map([[PATH, BASE]]), new Map([[PATH, PROPOSED]]), [], opts),
    );

    const first = applyHunks(server, cs, ['0-1'], opts);
    expect(read(server, PATH)).toBe(BASE.replace('return 2;', 'return 22;'));
    expect(selectHunkIds(first.changeset)).toEqual(['0-0', '0-2']);

    const again = applyHunks(server, first.changeset, ['0-1'], opts);
    expect(again.applied).toEqual([]);
    expect(again.undo).toEqual([]);

    const rest = applyHunks(server, first.changeset, selectHunkIds(first.changeset), opts);
    expect(rest.applied).toEqual(['0-0', '0-2']);
    expect(read(server, PATH)).toBe(PROPOSED);
  });

  it("refuses unknown hunk ids and another task's changeset before touching the doc", () => {
    const server = docWith({ [PATH]: BASE });
    const cs = anchorChangeset(
      server,
      computeChangeset(new Map([[PATH, BASE]]), new Map([[PATH, PROPOSED]]), [], opts),
    );
    expect(() => applyHunks(server, cs, ['0-0', '9-9'], opts)).toThrow(AppError);
    expect(() => applyHunks(server, cs, ['0-0'], { ...opts, taskId: 'other' })).toThrow(/belongs to task/);
    expect(read(server, PATH)).toBe(BASE);
  });

  it('makes all its changes in one transaction whose origin names the task', () => {
    const server = docWith({ [PATH]: BASE, 'old.txt': 'bye\n' });
    const cs = anchorChangeset(
      server,
      computeChangeset(
        new Map([
          [PATH, BASE],
          ['old.txt', 'bye\n'],
        ]),
        new Map([
          [PATH, PROPOSED],
          ['new.txt', 'hi\n'],
        ]),
        ['old.txt'],
        opts,
      ),
    );
    const origins: unknown[] = [];
    server.on('update', (_update: Uint8Array, origin: unknown) => origins.push(origin));

    applyHunks(server, cs, selectHunkIds(cs), opts);

    expect(origins).toHaveLength(1);
    expect(isTaskOrigin(origins[0])).toBe(true);
    expect(origins[0]).toEqual({ kind: 'task', taskId: 'task-1', userId: 'alice', action: 'apply' });
  });

  it('survives storage: anchors and the doc reloaded from its update log still line up', () => {
    const server = docWith({ [PATH]: BASE });
    const human = peerOf(server);
    const { anchorLater } = propose(server, new Map([[PATH, PROPOSED]]));
    const stored = JSON.stringify(anchorLater());

    typeBefore(human, PATH, 'export function one', '// one\n');
    sync(human, server);

    // "Restart": a fresh process loads the doc from storage and the changeset from the DB.
    const restarted = new Y.Doc();
    Y.applyUpdate(restarted, Y.encodeStateAsUpdate(server));
    const cs = changesetSchema.parse(JSON.parse(stored));
    expect(cs.files[0]!.hunks.every((h) => typeof h.anchor?.start === 'string')).toBe(true);

    const result = applyHunks(restarted, cs, selectHunkIds(cs), opts);
    expect(result.conflicts).toEqual([]);
    expect(read(restarted, PATH)).toBe(
      PROPOSED.replace('export function one', '// one\nexport function one'),
    );
  });
});

describe('applyHunks on whole files', () => {
  it('creates a new file', () => {
    const server = docWith({});
    const human = peerOf(server);
    const cs = computeChangeset(new Map(), new Map([['src/new.ts', 'export {};\n']]), [], opts);
    const result = applyHunks(server, anchorChangeset(server, cs), ['0-0'], opts);
    sync(server, human);
    expect(read(human, 'src/new.ts')).toBe('export {};\n');
    expect(result.undo).toMatchObject([{ kind: 'create', path: 'src/new.ts', insertedText: 'export {};\n' }]);
  });

  it('conflicts when the file to create now exists with other content, and accepts identical content', () => {
    const server = docWith({});
    const cs = computeChangeset(
      new Map(),
      new Map([
        ['a.ts', 'ai\n'],
        ['b.ts', 'same\n'],
      ]),
      [],
      opts,
    );
    const human = peerOf(server);
    const filesOfHuman = human.getMap('files');
    const a = new Y.Text('human\n');
    const b = new Y.Text('same\n');
    filesOfHuman.set('a.ts', a);
    filesOfHuman.set('b.ts', b);
    sync(human, server);

    const result = applyHunks(server, cs, ['0-0', '1-0'], opts);
    expect(result.conflicts).toEqual([
      { path: 'a.ts', hunkId: '0-0', reason: 'file-exists', ours: 'human\n', theirs: 'ai\n' },
    ]);
    expect(result.applied).toEqual(['1-0']);
    expect(result.undo).toEqual([]);
    expect(read(server, 'a.ts')).toBe('human\n');
  });

  it('deletes an untouched file, and refuses to delete one edited since the snapshot', () => {
    const server = docWith({ 'keep.ts': 'k\n', 'drop.ts': 'd\n', 'edited.ts': 'e\n' });
    const base = captureBase(server);
    const cs = computeChangeset(base.texts, new Map(), ['drop.ts', 'edited.ts'], opts);
    typeBefore(server, 'edited.ts', 'e', 'human ');

    const result = applyHunks(server, cs, selectHunkIds(cs), opts);
    expect(read(server, 'drop.ts')).toBeUndefined();
    expect(read(server, 'keep.ts')).toBe('k\n');
    expect(read(server, 'edited.ts')).toBe('human e\n');
    expect(result.conflicts).toEqual([
      { path: 'edited.ts', hunkId: '1-0', reason: 'file-changed', ours: 'human e\n', theirs: '' },
    ]);
    expect(result.undo).toEqual([
      {
        taskId: 'task-1',
        hunkId: '0-0',
        path: 'drop.ts',
        kind: 'delete',
        anchor: null,
        insertedText: '',
        originalText: 'd\n',
      },
    ]);
  });

  it('removes the whole file entry on delete and treats a binary at the path as taken', () => {
    const server = docWith({ 'gone.txt': 'x\n' });
    server.getMap('meta').set('gone.txt', { binary: false, language: 'plaintext' });
    server.getMap('binaries').set('logo.png', new Uint8Array([1, 2, 3]));
    const cs = computeChangeset(
      captureBase(server).texts,
      new Map([['logo.png', 'not an image\n']]),
      ['gone.txt'],
      opts,
    );

    const result = applyHunks(server, cs, selectHunkIds(cs), opts);
    expect(server.getMap('meta').has('gone.txt')).toBe(false);
    expect(read(server, 'gone.txt')).toBeUndefined();
    expect(result.conflicts).toEqual([
      { path: 'logo.png', hunkId: '1-0', reason: 'file-exists', ours: '', theirs: 'not an image\n' },
    ]);
    expect(read(server, 'logo.png')).toBeUndefined();
  });

  it('conflicts when the file of a modify hunk was deleted, or deleted and recreated', () => {
    const server = docWith({ 'a.ts': 'one\n', 'b.ts': 'one\n' });
    const base = captureBase(server);
    const cs = anchorChangeset(
      server,
      computeChangeset(
        base.texts,
        new Map([
          ['a.ts', 'two\n'],
          ['b.ts', 'two\n'],
        ]),
        [],
        opts,
      ),
    );
    server.getMap('files').delete('a.ts');
    server.getMap('files').set('b.ts', new Y.Text('one\n'));

    const result = applyHunks(server, cs, selectHunkIds(cs), opts);
    expect(result.conflicts.map((c) => [c.path, c.reason, c.ours])).toEqual([
      ['a.ts', 'file-deleted', ''],
      ['b.ts', 'file-deleted', ''],
    ]);
    expect(read(server, 'b.ts')).toBe('one\n');
  });
});

describe('anchorChangeset', () => {
  it('anchors against the snapshot even when garbage-collected deletions sit before the hunks', () => {
    const server = docWith({ [PATH]: BASE }, { gc: true });
    const { anchorLater } = propose(server, new Map([[PATH, PROPOSED]]));
    replaceIn(server, PATH, 'import { a } from "a";\n', '');

    const cs = anchorLater();
    expect(cs.files[0]!.hunks.map((h) => h.anchor !== undefined)).toEqual([true, true, true]);
    const result = applyHunks(server, cs, selectHunkIds(cs), opts);
    expect(result.conflicts).toEqual([]);
    expect(read(server, PATH)).toBe(PROPOSED.replace('import { a } from "a";\n', ''));
  });

  it('leaves hunks unanchored rather than guessing when the live text is not the base', () => {
    const server = docWith({ [PATH]: BASE });
    const base = captureBase(server);
    typeBefore(server, PATH, 'import', '// moved everything down a line\n');

    const cs = anchorChangeset(server, computeChangeset(base.texts, new Map([[PATH, PROPOSED]]), [], opts));
    expect(cs.files[0]!.hunks.some((h) => h.anchor !== undefined)).toBe(false);
    const result = applyHunks(server, cs, ['0-0'], opts);
    expect(result.conflicts).toMatchObject([{ hunkId: '0-0', reason: 'anchor-lost' }]);
  });

  it('refuses a snapshot whose text does not match the base offsets', () => {
    const server = docWith({ [PATH]: BASE });
    const wrongBase = new Map([[PATH, `// an extra line\n${BASE}`]]);
    const cs = anchorChangeset(
      server,
      computeChangeset(wrongBase, new Map([[PATH, `// an extra line\n${PROPOSED}`]]), [], opts),
      { snapshot: Y.snapshot(server) },
    );
    expect(cs.files[0]!.hunks.map((h) => h.anchor)).toEqual([undefined, undefined, undefined]);
  });
});
