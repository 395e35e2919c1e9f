// Folds a document's stored updates into one snapshot. It works from storage, not from a live room, so it is safe
// with several server instances: the snapshot covers exactly the updates up to the sequence number it read, and
// storage drops only those, keeping anything appended meanwhile.
import * as Y from 'yjs';
import { applyStoredDoc } from './stored-doc.ts';
import type { DocStorage, StoredDoc } from './types.ts';

export interface CompactionResult {
  foldedUpdates: number;
  snapshotBytes: number;
  throughSeq: number;
}

/**
 * Builds the snapshot of stored state. It is all CPU (about 15 ms a megabyte), so a server may run it on another
 * thread: for a 100 MB workspace it held the event loop for over a second.
 */
export type FoldStoredDoc = (
  stored: StoredDoc,
  onApplyError: (error: unknown) => void,
) => Promise<Uint8Array>;

/** Folds on the calling thread. */
export function foldStoredDoc(stored: StoredDoc, onApplyError: (error: unknown) => void): Uint8Array {
  const doc = new Y.Doc();
  try {
    applyStoredDoc(doc, stored, null, onApplyError);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
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
  const snapshotBytes = snapshot.byteLength;
  // `compact` may move the snapshot's buffer to another thread too.
  await storage.compact(docName, snapshot, seq);
  return { foldedUpdates, snapshotBytes, throughSeq: seq };
}
