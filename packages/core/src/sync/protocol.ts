// The y-websocket wire protocol, decoded defensively: every frame from a client is untrusted, so decoding checks
// bounds itself (a Node Buffer can be a view into a larger pool) and validates Yjs updates fully before anyone
// applies them.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { encodeState } from './encode-state.ts';

export const messageSync = 0;
export const messageAwareness = 1;
export const messageAuth = 2;
export const messageQueryAwareness = 3;

export const syncStep1 = 0;
export const syncStep2 = 1;
export const syncUpdate = 2;

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

/** A Yjs update as `Y.decodeUpdate` returns it: kept with the message so the room checks it without decoding again. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

export type SyncMessage =
  | { kind: 'sync-step1'; stateVector: Uint8Array }
  | { kind: 'sync-step2' | 'sync-update'; update: Uint8Array; empty: boolean; decoded: DecodedUpdate }
  | { kind: 'awareness'; entries: AwarenessEntry[] }
  | { kind: 'query-awareness' };

export type SyncMessageKind = SyncMessage['kind'];

function malformed(reason: string, cause?: unknown): AppError {
  return new AppError('PARSE_ERROR', reason, cause === undefined ? {} : { cause });
}

function readBytes(decoder: decoding.Decoder, what: string): Uint8Array {
  const length = decoding.readVarUint(decoder);
  if (length > decoder.arr.length - decoder.pos) throw malformed(`truncated ${what}`);
  return decoding.readUint8Array(decoder, length);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function readString(decoder: decoding.Decoder, what: string): string {
  return strictUtf8.decode(readBytes(decoder, what));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isValidRange(clock: number, length: number): boolean {
  return length > 0 && clock + length <= Number.MAX_SAFE_INTEGER;
}

/**
 * Decodes a Yjs v1 update completely without applying it, and rejects what Yjs itself never produces but would
 * crash on while integrating: zero-length or overflowing ranges, and items whose left/right origin or parent is
 * the same client's own future (Yjs assumes a client's earlier clocks are present and does not check). `empty`
 * marks updates with no structs and no deletions (a peer's no-op step 2).
 */
export function inspectUpdate(update: Uint8Array): { empty: boolean; decoded: DecodedUpdate } {
  let decoded: DecodedUpdate;
  try {
    decoded = Y.decodeUpdate(update);
  } catch (error) {
    throw malformed('malformed update', error);
  }
  for (const struct of decoded.structs) {
    const { client, clock } = struct.id;
    if (!isValidRange(clock, struct.length)) throw malformed('invalid struct range in update');
    if (!(struct instanceof Y.Item)) continue;
    const parent = struct.parent instanceof Y.ID ? struct.parent : null;
    for (const dependency of [struct.origin, struct.rightOrigin, parent]) {
      if (dependency !== null && dependency.client === client && dependency.clock >= clock) {
        throw malformed('update references its own future');
      }
    }
  }
  for (const ranges of decoded.ds.clients.values()) {
    for (const range of ranges) {
      if (!isValidRange(range.clock, range.len)) throw malformed('invalid delete range in update');
    }
  }
  return { empty: decoded.structs.length === 0 && decoded.ds.clients.size === 0, decoded };
}

export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    let state: unknown;
    try {
      state = JSON.parse(readString(decoder, 'awareness state'));
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw malformed('awareness state is not JSON', error);
    }
    if (state !== null && !isPlainObject(state)) throw malformed('awareness state is not an object');
    entries.push({ clientId, clock, state });
  }
  if (decoding.hasContent(decoder)) throw malformed('trailing bytes in awareness update');
  return entries;
}

export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(encoder);
}

function decodeUnsafe(frame: Uint8Array): SyncMessage {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  let message: SyncMessage;
  switch (type) {
    case messageSync: {
      const syncType = decoding.readVarUint(decoder);
      if (syncType === syncStep1) {
        const stateVector = readBytes(decoder, 'state vector');
        try {
          Y.decodeStateVector(stateVector);
        } catch (error) {
          throw malformed('malformed state vector', error);
        }
        message = { kind: 'sync-step1', stateVector };
      } else if (syncType === syncStep2 || syncType === syncUpdate) {
        const update = readBytes(decoder, 'update');
        const { empty, decoded } = inspectUpdate(update);
        message = { kind: syncType === syncStep2 ? 'sync-step2' : 'sync-update', update, empty, decoded };
      } else {
        throw malformed(`unknown sync message type ${syncType}`);
      }
      break;
    }
    case messageAwareness:
      message = { kind: 'awareness', entries: decodeAwarenessUpdate(readBytes(decoder, 'awareness update')) };
      break;
    case messageQueryAwareness:
      message = { kind: 'query-awareness' };
      break;
    default:
      throw malformed(`unknown message type ${type}`);
  }
  if (decoding.hasContent(decoder)) throw malformed('trailing bytes after message');
  return message;
}

/** Decodes one client frame. Throws `AppError('PARSE_ERROR')` with a short, client-safe reason on any defect. */
export function decodeSyncMessage(frame: Uint8Array): SyncMessage {
  // Copying pins the frame to an exact-size buffer, so no decoder (ours or Yjs's) can read past its end.
  const exact = new Uint8Array(frame);
  try {
    return decodeUnsafe(exact);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw malformed('truncated or malformed message', error);
  }
}

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  return frame((encoder) => {
    encoding.writeVarUint(encoder, messageSync);
    encoding.writeVarUint(encoder, syncStep1);
    encoding.writeVarUint8Array(encoder, Y.encodeStateVector(doc));
  });
}

/**
 * A sync message carrying an update: the header and the length prefix, then the update copied once. (Writing the
 * update into a lib0 encoder would copy it twice more: a 10 MB workspace's first sync is that large.)
 */
function updateFrame(kind: number, update: Uint8Array): Uint8Array {
  const header = frame((encoder) => {
    encoding.writeVarUint(encoder, messageSync);
    encoding.writeVarUint(encoder, kind);
    encoding.writeVarUint(encoder, update.byteLength);
  });
  const out = new Uint8Array(header.byteLength + update.byteLength);
  out.set(header);
  out.set(update, header.byteLength);
  return out;
}

export function encodeSyncStep2(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  return updateFrame(syncStep2, encodeState(doc, stateVector));
}

export function encodeUpdateMessage(update: Uint8Array): Uint8Array {
  return updateFrame(syncUpdate, update);
}

/** Whether a client's state vector says it has nothing yet (a new tab, not a reconnect). */
export function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return Y.decodeStateVector(stateVector).size === 0;
}

export function encodeAwarenessMessage(update: Uint8Array): Uint8Array {
  return frame((encoder) => {
    encoding.writeVarUint(encoder, messageAwareness);
    encoding.writeVarUint8Array(encoder, update);
  });
}

export function encodeQueryAwareness(): Uint8Array {
  return frame((encoder) => encoding.writeVarUint(encoder, messageQueryAwareness));
}
