// Folding stored state (snapshot + updates) into a Y.Doc, shared by room loading and compaction.
import * as Y from 'yjs';
import type { StoredDoc } from './types.ts';

export function storedBytes(stored: StoredDoc): number {
  return stored.updates.reduce((sum, update) => sum + update.byteLength, stored.snapshot?.byteLength ?? 0);
}

/**
 * Applies every stored part to `doc`. A part Yjs throws on is reported and skipped rather than making the whole
 * document unloadable; Yjs applies parts deterministically, so every reload ends in the same state.
 */
export function applyStoredDoc(
  doc: Y.Doc,
  stored: StoredDoc,
  origin: unknown,
  onError: (error: unknown) => void,
): void {
  const parts = stored.snapshot === null ? stored.updates : [stored.snapshot, ...stored.updates];
  doc.transact(() => {
    for (const part of parts) {
      try {
        Y.applyUpdate(doc, part, origin);
      } catch (error) {
        onError(error);
      }
    }
  }, origin);
}
