import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { insertedText, SURVIVAL_WINDOW_MS, survivalVerdict } from './survival.ts';

const acceptedAt = new Date('2026-03-04T10:00:00Z');
const later = (ms: number) => new Date(acceptedAt.getTime() + ms);
const HOUR = 60 * 60 * 1000;

/** A document where a "server" client inserts text under a recorded clock range, as an accepted task does. */
function taskDoc() {
  const doc = new Y.Doc();
  const text = doc.getMap<Y.Text>('files').set('a.ts', new Y.Text('const a = 1;\n'));
  const before = Y.getState(doc.store, doc.clientID);
  text.insert(text.length, 'export const b = 2;\n');
  const span = { client: doc.clientID, clockStart: before, clockEnd: Y.getState(doc.store, doc.clientID) };
  return { doc, text, span };
}

describe('insertedText', () => {
  it('follows the inserted characters through edits around them and deletions of them', () => {
    const { doc, text, span } = taskDoc();
    expect(insertedText(doc, [span])).toEqual({ inserted: 20, remaining: 20 });
    // Another person types before and after it: still all there.
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
    const peerText = peer.getMap<Y.Text>('files').get('a.ts');
    peerText?.insert(0, '// header\n');
    peerText?.insert(peerText.length, '// end\n');
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer));
    expect(insertedText(doc, [span])).toEqual({ inserted: 20, remaining: 20 });
    // They delete most of it.
    const at = text.toString().indexOf('export');
    text.delete(at, 15);
    expect(insertedText(doc, [span])).toEqual({ inserted: 20, remaining: 5 });
  });

  it('counts nothing for spans the document does not hold', () => {
    const { doc } = taskDoc();
    expect(insertedText(doc, [{ client: 42, clockStart: 0, clockEnd: 10 }])).toEqual({
      inserted: 0,
      remaining: 0,
    });
  });
});

describe('survivalVerdict', () => {
  const intact = { inserted: 20, remaining: 20 };

  it('is pending inside the day and survived after it when nothing happened', () => {
    expect(survivalVerdict({ acceptedAt, rolledBackAt: null, now: later(HOUR), text: intact })).toBe(
      'pending',
    );
    expect(
      survivalVerdict({ acceptedAt, rolledBackAt: null, now: later(SURVIVAL_WINDOW_MS), text: intact }),
    ).toBe('survived');
  });

  it('decides at once on a rollback or a rewrite inside the day', () => {
    expect(
      survivalVerdict({ acceptedAt, rolledBackAt: later(HOUR), now: later(2 * HOUR), text: intact }),
    ).toBe('rolled-back');
    expect(
      survivalVerdict({
        acceptedAt,
        rolledBackAt: null,
        now: later(HOUR),
        text: { inserted: 20, remaining: 9 },
      }),
    ).toBe('rewritten');
  });

  it('does not count a small fix as a rewrite, nor a rollback after the day', () => {
    expect(
      survivalVerdict({
        acceptedAt,
        rolledBackAt: null,
        now: later(HOUR),
        text: { inserted: 20, remaining: 10 },
      }),
    ).toBe('pending');
    const afterDay = later(SURVIVAL_WINDOW_MS + HOUR);
    expect(
      survivalVerdict({
        acceptedAt,
        rolledBackAt: afterDay,
        now: afterDay,
        text: { inserted: 20, remaining: 0 },
      }),
    ).toBe('survived');
  });

  it('has no verdict for a task nothing of which was accepted', () => {
    expect(survivalVerdict({ acceptedAt: null, rolledBackAt: null, now: later(0), text: intact })).toBeNull();
  });
});
