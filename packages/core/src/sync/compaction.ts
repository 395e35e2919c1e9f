// Folds a document's stored updates into one snapshot. It works from storage, not from a live room, so it is safe
// with several server instances: the snapshot covers exactly the updates up to the sequence number it read, and
// storage drops only those, keeping anything appended meanwhile.
import * as Y from 'yjs';
import { splitBytes } from '../bytes.ts';
import { encodeState } from './encode-state.ts';
import { applyStoredDoc, snapshotByteLength } from './stored-doc.ts';
import type { DocStorage, StoredDoc } from './types.ts';

export interface CompactionResult {
  foldedUpdates: number;
  snapshotBytes: number;
  throughSeq: number;
}

/**
 * Builds the snapshot of stored state, whole or in consecutive parts (see `DocStorage.compact`). It is all CPU
 * (about 15 ms a megabyte), so a server may run it on another thread: for a 100 MB workspace it held the event loop
 * for over a second.
 */
export type FoldStoredDoc = (
  stored: StoredDoc,
  onApplyError: (error: unknown) => void,
) => Promise<Uint8Array | readonly Uint8Array[]>;

/** Folds on the calling thread. */
export function foldStoredDoc(stored: StoredDoc, onApplyError: (error: unknown) => void): Uint8Array {
  const doc = new Y.Doc();
  try {
    applyStoredDoc(doc, stored, null, onApplyError);
    return encodeState(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * The same snapshot in consecutive parts of at most `partBytes`, each in a buffer of its own, for a storage that
 * keeps a large snapshot in parts: folded on another thread, the parts then go on to the storage's thread one by one
 * as they are, where cutting one snapshot into parts on the event loop copied all of it there (30-60 ms a part).
 */
export function foldStoredDocInParts(
  stored: StoredDoc,
  onApplyError: (error: unknown) => void,
  partBytes: number,
): Uint8Array[] {
  const whole = foldStoredDoc(stored, onApplyError);
  return whole.byteLength <= partBytes ? [whole] : splitBytes(whole, partBytes);
}

/** Returns null when there was nothing to fold. */
export async function compactDoc(
  storage: DocStorage,
  docName: string,
  onApplyError: (error: unknown) => void = () => undefined,
  fold: FoldStoredDoc = (stored, onError) => Promise.resolve(foldStoredDoc(stored, onError)),
): Promise<CompactionResult | null> {
  const stored = await storage.load(docName);
  if (stored.updates.length === 0) return null;
  const seq = stored.seq;
  const foldedUpdates = stored.updates.length;
  // `fold` may move the stored buffers to another thread: nothing here reads them afterwards.
  const snapshot = await fold(stored, onApplyError);
  const snapshotBytes = snapshotByteLength(snapshot);
  // `compact` may move the snapshot's buffer to another thread too.
  await storage.compact(docName, snapshot, seq);
  return { foldedUpdates, snapshotBytes, throughSeq: seq };
}
