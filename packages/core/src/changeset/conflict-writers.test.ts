import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { authorsOf } from '../git/attribution.ts';
import { anchorChangeset } from './anchor-changeset.ts';
import { captureBase } from './anchors.ts';
import { computeChangeset } from './compute-changeset.ts';
import { conflictWriters, deletedRuns } from './conflict-writers.ts';
import { resolveConflict } from './resolve-conflict.ts';
import { filesMap } from './workspace-files.ts';
import { docWith, peerOf, replaceIn, sync, textOf } from './test-docs.ts';

const PATH = 'src/a.ts';
const BASE = 'one\ntwo\nthree\nfour\nfive\n';

function proposal(files: Record<string, string>, proposed: Record<string, string>) {
  const doc = docWith(files);
  const base = captureBase(doc);
  const cs = computeChangeset(base.texts, new Map(Object.entries(proposed)), [], { taskId: 't1' });
  return { doc, changeset: anchorChangeset(doc, cs, { snapshot: base.snapshot }) };
}

/** A person's replica with a client id of its own, synced back into `doc` after `edit`. */
function editAs(doc: Y.Doc, edit: (peer: Y.Doc) => void): number {
  const peer = peerOf(doc);
  edit(peer);
  sync(doc, peer);
  return peer.clientID;
}

const spanOf = (client: number, author: string) => ({
  client,
  clockStart: 0,
  clockEnd: Number.MAX_SAFE_INTEGER,
  author,
});

describe('conflictWriters', () => {
  it("names only the person who typed inside the hunk's lines, not one who edited elsewhere", () => {
    const { doc, changeset } = proposal({ [PATH]: BASE }, { [PATH]: BASE.replace('two', 'TWO') });
    const eve = editAs(doc, (peer) => replaceIn(peer, PATH, 'two', 'two and a half'));
    const bob = editAs(doc, (peer) => replaceIn(peer, PATH, 'five', 'FIVE'));
    const hunkId = changeset.files[0]?.hunks[0]?.id ?? '';

    const runs = conflictWriters(doc, changeset, hunkId);
    expect(runs.every((run) => run.client === eve)).toBe(true);
    expect(runs.reduce((sum, run) => sum + run.length, 0)).toBe(' and a half'.length);
    expect(authorsOf(runs, [spanOf(eve, 'user:eve'), spanOf(bob, 'user:bob')])).toEqual(
      new Set(['user:eve']),
    );
  });

  it('names nobody where the lines are as the task saw them, or were only deleted', () => {
    const { doc, changeset } = proposal({ [PATH]: BASE }, { [PATH]: BASE.replace('two', 'TWO') });
    const hunkId = changeset.files[0]?.hunks[0]?.id ?? '';
    expect(conflictWriters(doc, changeset, hunkId)).toEqual([]);
    editAs(doc, (peer) => replaceIn(peer, PATH, 'two', 'tw'));
    expect(conflictWriters(doc, changeset, hunkId)).toEqual([]);
  });

  it('names whoever created the file a task would create', () => {
    const { doc, changeset } = proposal({ [PATH]: BASE }, { [PATH]: BASE, 'src/new.ts': 'export {};\n' });
    const eve = editAs(doc, (peer) => {
      const text = new Y.Text();
      filesMap(peer).set('src/new.ts', text);
      text.insert(0, 'mine\n');
    });
    const file = changeset.files.find((f) => f.path === 'src/new.ts');
    const runs = conflictWriters(doc, changeset, file?.hunks[0]?.id ?? '');
    expect(runs.map((run) => [run.client, run.length])).toEqual([[eve, 'mine\n'.length]]);
  });

  it("tells a resolution that replaced the person's text from one that kept it", () => {
    const setup = () => {
      const { doc, changeset } = proposal({ [PATH]: BASE }, { [PATH]: BASE.replace('two', 'TWO') });
      editAs(doc, (peer) => replaceIn(peer, PATH, 'two', 'two and a half'));
      const hunkId = changeset.files[0]?.hunks[0]?.id ?? '';
      return { doc, changeset, hunkId, runs: conflictWriters(doc, changeset, hunkId) };
    };
    const opts = { taskId: 't1', userId: 'ada' };
    const replaced = setup();
    expect(deletedRuns(replaced.doc, replaced.runs)).toEqual([]);
    resolveConflict(replaced.doc, replaced.changeset, replaced.hunkId, 'theirs', opts);
    expect(deletedRuns(replaced.doc, replaced.runs)).toEqual(replaced.runs);

    // A merge by hand that keeps what they typed rewrites only the rest.
    const kept = setup();
    resolveConflict(kept.doc, kept.changeset, kept.hunkId, { text: 'TWO and a half\n' }, opts);
    expect(textOf(kept.doc, PATH).toString()).toBe(BASE.replace('two', 'TWO and a half'));
    expect(deletedRuns(kept.doc, kept.runs)).toEqual([]);
  });
});
