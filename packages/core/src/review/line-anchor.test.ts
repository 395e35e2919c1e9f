import { describe, expect, it } from 'vitest';
import { docWith, peerOf, replaceIn, sync, textOf, typeBefore } from '../changeset/test-docs.ts';
import { filesMap } from '../changeset/workspace-files.ts';
import { createLineAnchor, resolveLineAnchor, type LineAnchor } from './line-anchor.ts';

const source = 'one\ntwo\nthree\nfour\n';

function anchored(line: number) {
  const server = docWith({ 'a.ts': source });
  const anchor = createLineAnchor(server, 'a.ts', line);
  if (!anchor) throw new Error('no anchor');
  // The anchor is stored as JSON and read back: only its encoded form survives.
  return { server, anchor: JSON.parse(JSON.stringify(anchor)) as LineAnchor };
}

describe('line anchors', () => {
  it('anchors an existing line and refuses a missing file or line', () => {
    const { server, anchor } = anchored(3);
    expect(anchor.text).toBe('three');
    expect(resolveLineAnchor(server, 'a.ts', anchor)).toEqual({ status: 'live', line: 3, text: 'three' });
    expect(createLineAnchor(server, 'b.ts', 1)).toBeNull();
    expect(createLineAnchor(server, 'a.ts', 0)).toBeNull();
    expect(createLineAnchor(server, 'a.ts', 7)).toBeNull();
    // The empty line after the last newline exists and can be anchored.
    expect(createLineAnchor(server, 'a.ts', 5)?.text).toBe('');
  });

  it('stays on its line through concurrent inserts before, inside and after it', () => {
    const { server, anchor } = anchored(2);
    const alice = peerOf(server);
    const bob = peerOf(server);
    // Concurrently: Alice adds two lines above and types inside the line; Bob adds lines below and at its start.
    textOf(alice, 'a.ts').insert(0, 'zero\nhalf\n');
    typeBefore(alice, 'a.ts', 'wo\n', 'X');
    typeBefore(bob, 'a.ts', 'three', 'two and a half\n');
    typeBefore(bob, 'a.ts', 'two', '>> ');
    sync(alice, bob);
    sync(server, alice);
    sync(server, bob);
    for (const doc of [server, alice, bob]) {
      expect(textOf(doc, 'a.ts').toString()).toBe('zero\nhalf\none\n>> tXwo\ntwo and a half\nthree\nfour\n');
      expect(resolveLineAnchor(doc, 'a.ts', anchor)).toEqual({ status: 'changed', line: 4, text: '>> tXwo' });
    }
  });

  it('keeps the line unchanged when edits only move it', () => {
    const { server, anchor } = anchored(3);
    const peer = peerOf(server);
    replaceIn(peer, 'a.ts', 'one\n', ''); // a line above deleted
    textOf(peer, 'a.ts').insert(textOf(peer, 'a.ts').length, 'five\n'); // one added at the end
    sync(server, peer);
    expect(resolveLineAnchor(server, 'a.ts', anchor)).toEqual({ status: 'live', line: 2, text: 'three' });
  });

  it('follows a line whose first characters were deleted', () => {
    const { server, anchor } = anchored(3);
    replaceIn(server, 'a.ts', 'thr', '');
    expect(resolveLineAnchor(server, 'a.ts', anchor)).toEqual({ status: 'changed', line: 3, text: 'ee' });
  });

  it('reports a deleted line as deleted, with where its text used to be', () => {
    const { server, anchor } = anchored(2);
    const peer = peerOf(server);
    replaceIn(peer, 'a.ts', 'two\n', '');
    // Meanwhile someone else inserts above: the deletion still wins for the anchor.
    textOf(server, 'a.ts').insert(0, 'zero\n');
    sync(server, peer);
    expect(textOf(server, 'a.ts').toString()).toBe('zero\none\nthree\nfour\n');
    expect(resolveLineAnchor(server, 'a.ts', anchor)).toEqual({ status: 'deleted', line: 3 });
  });

  it('reports a line whose text was replaced wholesale as deleted, not as the neighbour that took its place', () => {
    const { server, anchor } = anchored(2);
    replaceIn(server, 'a.ts', 'two\n', 'deux\n');
    expect(resolveLineAnchor(server, 'a.ts', anchor)).toMatchObject({ status: 'deleted', line: 2 });
  });

  it('treats two lines joined into one as a changed line', () => {
    const { server, anchor } = anchored(2);
    const text = textOf(server, 'a.ts');
    server.transact(() => {
      text.delete(7, 1); // the newline after "two"
      text.insert(7, ' ');
    });
    expect(resolveLineAnchor(server, 'a.ts', anchor)).toEqual({
      status: 'changed',
      line: 2,
      text: 'two three',
    });
  });

  it('anchors the last line without a newline and notices when it is emptied', () => {
    const server = docWith({ 'b.ts': 'first\nlast' });
    const anchor = createLineAnchor(server, 'b.ts', 2);
    if (!anchor) throw new Error('no anchor');
    textOf(server, 'b.ts').insert(0, 'new\n');
    expect(resolveLineAnchor(server, 'b.ts', anchor)).toEqual({ status: 'live', line: 3, text: 'last' });
    replaceIn(server, 'b.ts', 'last', '');
    expect(resolveLineAnchor(server, 'b.ts', anchor)).toEqual({ status: 'deleted', line: 3 });
  });

  it('reports the anchor deleted when the file is deleted or replaced by a new file of the same name', () => {
    const { server, anchor } = anchored(1);
    filesMap(server).delete('a.ts');
    expect(resolveLineAnchor(server, 'a.ts', anchor)).toEqual({ status: 'deleted', line: null });
    const again = docWith({ 'a.ts': source });
    expect(resolveLineAnchor(again, 'a.ts', anchor)).toEqual({ status: 'deleted', line: null });
  });

  it('degrades a corrupt stored anchor to deleted instead of throwing', () => {
    const { server, anchor } = anchored(1);
    expect(resolveLineAnchor(server, 'a.ts', { ...anchor, start: '%%%' })).toEqual({
      status: 'deleted',
      line: null,
    });
  });
});
