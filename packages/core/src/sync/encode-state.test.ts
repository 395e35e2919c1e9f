import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeState, encodeStateInParts } from './encode-state.ts';

/** Strings of every kind lib0 writes: empty, short, multi-byte, astral, over its 10,000-character cut-over, over 64 KB. */
function variedDoc(): Y.Doc {
  const doc = new Y.Doc();
  const files = doc.getMap<Y.Text>('files');
  const meta = doc.getMap<unknown>('meta');
  const texts = [
    '',
    'export const a = 1;\n',
    'café — ünïcödé ✓\n',
    'emoji 🎉 and 𝕏 outside the basic plane\n',
    'x'.repeat(9_999),
    'y'.repeat(10_000),
    'ü'.repeat(40_000),
    'const z = 1;\n'.repeat(20_000),
  ];
  doc.transact(() => {
    texts.forEach((text, i) => {
      files.set(`src/ファイル${i}.ts`, new Y.Text(text));
      meta.set(`src/ファイル${i}.ts`, { binary: false, language: 'typescript', note: 'ß'.repeat(i) });
    });
    doc.getMap('binaries').set('logo.png', new Uint8Array([0, 1, 2, 255]));
  });
  // Edits and deletions after the first transaction: more structs, and a delete set.
  files.get('src/ファイル1.ts')?.insert(7, 'mutable ');
  files.get('src/ファイル2.ts')?.delete(0, 4);
  files.delete('src/ファイル3.ts');
  return doc;
}

describe('encodeState', () => {
  it('writes exactly the bytes Yjs writes, whole and from a state vector', () => {
    const doc = variedDoc();
    expect(Buffer.from(encodeState(doc)).equals(Buffer.from(Y.encodeStateAsUpdate(doc)))).toBe(true);
    const earlier = new Y.Doc();
    Y.applyUpdate(earlier, Y.encodeStateAsUpdate(doc));
    const vector = Y.encodeStateVector(earlier);
    doc.getMap<Y.Text>('files').get('src/ファイル0.ts')?.insert(0, 'später ✓');
    const diff = encodeState(doc, vector);
    expect(Buffer.from(diff).equals(Buffer.from(Y.encodeStateAsUpdate(doc, vector)))).toBe(true);
    Y.applyUpdate(earlier, diff);
    expect(earlier.getMap('files').toJSON()).toEqual(doc.getMap('files').toJSON());
  });

  it('encodes the state into parts that join to exactly what Yjs encodes, each owning its buffer', () => {
    const doc = variedDoc();
    const whole = Y.encodeStateAsUpdate(doc);
    for (const partBytes of [7, 100, 1000, 64 * 1024, whole.byteLength, whole.byteLength * 4]) {
      const parts = encodeStateInParts(doc, partBytes);
      expect(Buffer.concat(parts).equals(Buffer.from(whole))).toBe(true);
      for (const part of parts) {
        expect(part.byteLength).toBeGreaterThan(0);
        expect(part.byteLength).toBeLessThanOrEqual(partBytes);
        expect(part.byteLength).toBe(part.buffer.byteLength);
      }
    }
  });

  it('takes in the updates still waiting for ones they build on', () => {
    const other = new Y.Doc();
    const early = Y.encodeStateAsUpdate(other);
    other.getText('t').insert(0, 'first');
    const first = Y.encodeStateAsUpdate(other, Y.encodeStateVectorFromUpdate(early));
    const vector = Y.encodeStateVector(other);
    other.getText('t').insert(5, ' second');
    const waiting = new Y.Doc();
    Y.applyUpdate(waiting, Y.encodeStateAsUpdate(other, vector));
    expect(waiting.store.pendingStructs).not.toBeNull();
    for (const state of [encodeState(waiting), Buffer.concat(encodeStateInParts(waiting, 16))]) {
      const loaded = new Y.Doc();
      Y.applyUpdate(loaded, state);
      Y.applyUpdate(loaded, first);
      expect(loaded.getText('t').toString()).toBe('first second');
    }
  });
});
