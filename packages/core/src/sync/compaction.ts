// Folds a document's stored updates into one snapshot. It works from storage, not from a live room, so it is safe
// with several server instances: the snapshot covers exactly the updates up to the sequence number it read, and
// storage drops only those, keeping anything appended meanwhile.
import * as Y from 'yjs';
import { applyStoredDoc } from './stored-doc.ts';
import type { DocStorage } from './types.ts';

export interface CompactionResult {
  foldedUpdates: number;
  snapshotBytes: number;
  throughSeq: number;
}

/** Returns null when there was nothing to fold. */
export async function compactDoc(
  storage: DocStorage,
  docName: string,
  onApplyError: (error: unknown) => void = () => undefined,
): Promise<CompactionResult | null> {
  const stored = await storage.load(docName);
  if (stored.updates.length === 0) return null;
  const doc = new Y.Doc();
  let snapshot: Uint8Array;
  try {
    applyStoredDoc(doc, stored, null, onApplyError);
    snapshot = Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
  await storage.compact(docName, snapshot, stored.seq);
  return { foldedUpdates: stored.updates.length, snapshotBytes: snapshot.byteLength, throughSeq: stored.seq };
}
