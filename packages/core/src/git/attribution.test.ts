import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  authorsOf,
  committedIds,
  idsInRanges,
  insertedRanges,
  isUserEditOrigin,
  parseAuthor,
  userEditOrigin,
  type AuthorSpan,
} from './attribution.ts';

/** Two peers and a server editing one text, synced both ways after each edit. */
function scene() {
  const alice = new Y.Doc();
  const bob = new Y.Doc();
  const server = new Y.Doc();
  const docs = [alice, bob, server];
  const sync = () => {
    for (const from of docs)
      for (const to of docs) if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from));
  };
  return { alice, bob, server, sync, text: (doc: Y.Doc) => doc.getText('f') };
}

describe('insertedRanges', () => {
  it('gives the ranges of new characters in the new text', () => {
    expect(insertedRanges('hello world', 'hello brave world!')).toEqual([
      { index: 6, length: 6 },
      { index: 17, length: 1 },
    ]);
    expect(insertedRanges('abc', 'ac')).toEqual([]);
  });
});

describe('attribution', () => {
  it('names the writers of the inserted characters, and server spans only inside their clocks', () => {
    const { alice, bob, server, sync, text } = scene();
    text(server).insert(0, 'base\n');
    sync();
    const base = text(server).toString();
    text(alice).insert(5, 'alice\n');
    sync();
    const before = server.store.clients.get(server.clientID)?.length ?? 0;
    const clockBefore = Y.getState(server.store, server.clientID);
    text(server).insert(0, 'ai\n');
    const clockAfter = Y.getState(server.store, server.clientID);
    expect(before).toBeGreaterThan(0);
    text(bob).insert(0, '');
    sync();
    const spans: AuthorSpan[] = [
      { client: alice.clientID, clockStart: 0, clockEnd: Number.MAX_SAFE_INTEGER, author: 'user:alice' },
      { client: bob.clientID, clockStart: 0, clockEnd: Number.MAX_SAFE_INTEGER, author: 'user:bob' },
      { client: server.clientID, clockStart: clockBefore, clockEnd: clockAfter, author: 'task:t1' },
    ];
    const ids = committedIds(text(server), base);
    // Bob typed nothing that is in the change; the server's own base import has no span.
    expect([...authorsOf(ids, spans)].sort()).toEqual(['task:t1', 'user:alice']);
    // Everything, for a new file: still not the base import, which nobody is recorded for.
    expect([...authorsOf(committedIds(text(server), null), spans)].sort()).toEqual(['task:t1', 'user:alice']);
  });

  it('leaves out text that was typed and deleted again', () => {
    const { alice, bob, sync, text } = scene();
    text(alice).insert(0, 'keep\n');
    sync();
    const base = text(alice).toString();
    text(bob).insert(5, 'temp');
    sync();
    text(alice).delete(5, 4);
    text(alice).insert(5, 'x');
    sync();
    const spans: AuthorSpan[] = [
      { client: alice.clientID, clockStart: 0, clockEnd: 1e9, author: 'user:alice' },
      { client: bob.clientID, clockStart: 0, clockEnd: 1e9, author: 'user:bob' },
    ];
    expect([...authorsOf(committedIds(text(bob), base), spans)]).toEqual(['user:alice']);
  });

  it('splits ranges across items', () => {
    const doc = new Y.Doc();
    const t = doc.getText('f');
    t.insert(0, 'abcdef');
    const runs = idsInRanges(t, [
      { index: 1, length: 2 },
      { index: 4, length: 1 },
    ]);
    expect(runs).toEqual([
      { client: doc.clientID, clock: 1, length: 2 },
      { client: doc.clientID, clock: 4, length: 1 },
    ]);
  });

  it('parses author keys', () => {
    expect(parseAuthor('user:u1')).toEqual({ kind: 'user', id: 'u1' });
    expect(parseAuthor('task:t-1')).toEqual({ kind: 'task', id: 't-1' });
    expect(parseAuthor('x')).toBeNull();
  });
});

describe('userEditOrigin', () => {
  it('is recognised, and nothing else is', () => {
    expect(isUserEditOrigin(userEditOrigin('u1'))).toBe(true);
    expect(isUserEditOrigin({ kind: 'task', userId: 'u1' })).toBe(false);
    expect(isUserEditOrigin(Symbol('x'))).toBe(false);
  });
});
