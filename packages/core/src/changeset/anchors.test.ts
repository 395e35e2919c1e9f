import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  decodePosition,
  encodePosition,
  positionAt,
  resolvePosition,
  segmentsAt,
  segmentsMatch,
} from './anchors.ts';
import { docWith, peerOf, sync, textOf } from './test-docs.ts';

function resolvedIndex(doc: Y.Doc, position: Y.RelativePosition): number | undefined {
  return resolvePosition(doc, encodePosition(position))?.index;
}

describe('anchors', () => {
  it('round-trips through base64 and resolves on another replica', () => {
    const doc = docWith({ f: 'abcdef' });
    const encoded = encodePosition(Y.createRelativePositionFromTypeIndex(textOf(doc, 'f'), 3, 0));
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const decoded = decodePosition(encoded);
    expect(decoded).not.toBeNull();

    const peer = peerOf(doc);
    textOf(peer, 'f').insert(0, 'XY');
    expect(resolvePosition(peer, encoded)).toMatchObject({ type: textOf(peer, 'f'), index: 5 });
  });

  it('decodes garbage to null instead of throwing', () => {
    expect(decodePosition('')).toBeNull();
    expect(resolvePosition(new Y.Doc(), 'Aw==')).toBeNull(); // decodes, but names no kind of position
  });

  it('matches Yjs for the live text when no snapshot is given', () => {
    const doc = docWith({ f: 'one\ntwo\n' });
    const text = textOf(doc, 'f');
    for (const index of [0, 3, 4, 8]) {
      for (const assoc of [0, -1] as const) {
        expect(
          Y.compareRelativePositions(
            positionAt(text, index, assoc),
            Y.createRelativePositionFromTypeIndex(text, index, assoc),
          ),
        ).toBe(true);
      }
    }
  });

  it('positions by the text as it was at the snapshot, across later inserts, deletes and merged items', () => {
    const doc = docWith({ f: 'hello\n' }, { gc: true });
    const human = peerOf(doc);
    const text = textOf(doc, 'f');
    const snapshot = Y.snapshot(doc);

    text.insert(6, 'world\n'); // same client, contiguous: Yjs merges it into the snapshot's item
    textOf(human, 'f').insert(0, '>> ');
    sync(human, doc);
    text.delete(6, 5); // ">> hel|lo\nwo|rld\n": spans snapshot content and content typed after it
    expect(text.toJSON()).toBe('>> helrld\n');

    // "l" at snapshot offset 2 is still there, now at 5; offset 4 ("o") was deleted and collapses onto index 6.
    expect(resolvedIndex(doc, positionAt(text, 2, 0, snapshot))).toBe(5);
    expect(resolvedIndex(doc, positionAt(text, 4, 0, snapshot))).toBe(6);
    // The end of the snapshot text, left-sticky, is after its final newline... which was deleted too.
    expect(resolvedIndex(doc, positionAt(text, 6, -1, snapshot))).toBe(6);
    expect(resolvedIndex(doc, positionAt(text, 0, -1, snapshot))).toBe(0);
    // Right-sticky at the snapshot's end is the end of the text, not the "w" merged into the same item later.
    expect(resolvedIndex(doc, positionAt(text, 6, 0, snapshot))).toBe(10);
  });

  it('reads the snapshot text where it still can and reports collected stretches as unknown', () => {
    const collected = docWith({ f: 'abc\ndef\n' }, { gc: true });
    const kept = docWith({ f: 'abc\ndef\n' }, { gc: false });
    const snapshots = [collected, kept].map((doc) => {
      const snapshot = Y.snapshot(doc);
      textOf(doc, 'f').delete(1, 1);
      textOf(doc, 'f').insert(0, 'new ');
      return segmentsAt(textOf(doc, 'f'), snapshot);
    });

    const [gcSegments, keptSegments] = snapshots;
    expect(gcSegments!.map((s) => s.text ?? '?'.repeat(s.length)).join('')).toBe('a?c\ndef\n');
    expect(keptSegments!.map((s) => s.text).join('')).toBe('abc\ndef\n');

    expect(segmentsMatch(gcSegments!, 4, 'def\n')).toBe(true);
    expect(segmentsMatch(gcSegments!, 0, 'axc\n')).toBe(true); // unknown character: left to the merge check
    expect(segmentsMatch(gcSegments!, 0, 'abd\n')).toBe(false);
    expect(segmentsMatch(gcSegments!, 5, 'ef\n')).toBe(false); // not at a line start
    expect(segmentsMatch(gcSegments!, 4, 'def\nmore\n')).toBe(false); // past the end
  });
});
