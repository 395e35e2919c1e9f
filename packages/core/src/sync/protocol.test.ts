import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { decodeBusEnvelope, encodeBusEnvelope } from './bus-envelope.ts';
import {
  decodeAwarenessUpdate,
  decodeSyncMessage,
  encodeAwarenessEntries,
  encodeAwarenessMessage,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdateMessage,
  inspectUpdate,
  messageSync,
  syncUpdate,
} from './protocol.ts';

function parseError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('PARSE_ERROR');
    return (error as AppError).message;
  }
  throw new Error('expected a parse error');
}

function docWith(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText('text').insert(0, text);
  return doc;
}

describe('decodeSyncMessage', () => {
  it('reads the frames y-websocket sends', () => {
    const doc = docWith('hi');
    const step1 = decodeSyncMessage(encodeSyncStep1(doc));
    expect(step1).toEqual({ kind: 'sync-step1', stateVector: Y.encodeStateVector(doc) });

    const step2 = decodeSyncMessage(encodeSyncStep2(doc));
    expect(step2).toMatchObject({ kind: 'sync-step2', empty: false });

    const update = decodeSyncMessage(encodeUpdateMessage(Y.encodeStateAsUpdate(doc)));
    expect(update).toMatchObject({ kind: 'sync-update', empty: false });

    expect(decodeSyncMessage(encodeQueryAwareness())).toEqual({ kind: 'query-awareness' });

    const entries = [{ clientId: 7, clock: 3, state: { cursor: 1 } }];
    expect(decodeSyncMessage(encodeAwarenessMessage(encodeAwarenessEntries(entries)))).toEqual({
      kind: 'awareness',
      entries,
    });
  });

  it('flags a step 2 that carries nothing', () => {
    const doc = docWith('same');
    const peer = docWith('');
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
    const reply = decodeSyncMessage(encodeSyncStep2(peer, Y.encodeStateVector(doc)));
    expect(reply).toMatchObject({ kind: 'sync-step2', empty: true });
  });

  it('never reads past the frame even when it is a view into a larger buffer', () => {
    // Like a Node Buffer from the pool: the bytes after the frame belong to someone else.
    const update = Y.encodeStateAsUpdate(docWith('secret neighbour'));
    const pool = new Uint8Array(256);
    const header = [messageSync, syncUpdate, update.length];
    pool.set(header, 0);
    pool.set(update, header.length);
    const truncated = pool.subarray(0, header.length + 4);
    expect(parseError(() => decodeSyncMessage(truncated))).toBe('truncated update');
  });

  it('rejects awareness states that are not objects or not UTF-8', () => {
    const notObject = encodeAwarenessEntries([{ clientId: 1, clock: 1, state: null }]).slice();
    // Replace the JSON "null" with "[1]" (same length, so the encoded length stays valid).
    notObject.set(new TextEncoder().encode('[1]'), notObject.length - 4);
    notObject[notObject.length - 1] = 0x20;
    expect(parseError(() => decodeAwarenessUpdate(notObject))).toBe('awareness state is not an object');

    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, new Uint8Array([0xff, 0xfe]));
    expect(() => decodeAwarenessUpdate(encoding.toUint8Array(encoder))).toThrow(AppError);
  });

  it('rejects updates Yjs would crash on while integrating', () => {
    const encoder = encoding.createEncoder();
    // One client, one struct: an Item whose left origin is its own future clock.
    encoding.writeVarUint(encoder, 1); // clients
    encoding.writeVarUint(encoder, 1); // structs
    encoding.writeVarUint(encoder, 42); // client
    encoding.writeVarUint(encoder, 0); // clock
    encoding.writeUint8(encoder, 0b1000_0100); // has origin, ContentString
    encoding.writeVarUint(encoder, 42); // origin client
    encoding.writeVarUint(encoder, 5); // origin clock
    encoding.writeVarString(encoder, 'x');
    encoding.writeVarUint(encoder, 0); // delete set
    expect(parseError(() => inspectUpdate(encoding.toUint8Array(encoder)))).toBe(
      'update references its own future',
    );

    const zeroLength = encoding.createEncoder();
    encoding.writeVarUint(zeroLength, 0); // no structs
    encoding.writeVarUint(zeroLength, 1); // delete set: one client
    encoding.writeVarUint(zeroLength, 9);
    encoding.writeVarUint(zeroLength, 1);
    encoding.writeVarUint(zeroLength, 0); // clock
    encoding.writeVarUint(zeroLength, 0); // len 0
    expect(parseError(() => inspectUpdate(encoding.toUint8Array(zeroLength)))).toBe(
      'invalid delete range in update',
    );
  });

  it('accepts what real documents produce, including deletions and nested types', () => {
    const doc = new Y.Doc();
    const files = doc.getMap<Y.Text>('files');
    files.set('a.ts', new Y.Text('const a = 1;'));
    files.get('a.ts')?.delete(0, 6);
    doc.getArray('list').push([{ nested: true }, new Y.Map()]);
    expect(inspectUpdate(Y.encodeStateAsUpdate(doc))).toMatchObject({ empty: false });
  });
});

describe('bus envelope', () => {
  it('round-trips sender and frame and rejects trailing bytes', () => {
    const frame = encodeQueryAwareness();
    const bytes = encodeBusEnvelope('instance-1', frame);
    expect(decodeBusEnvelope(bytes)).toEqual({ sender: 'instance-1', frame });
    expect(() => decodeBusEnvelope(new Uint8Array([...bytes, 1]))).toThrow();
  });
});
