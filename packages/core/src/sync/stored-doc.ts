// Folding stored state (snapshot + updates) into a Y.Doc, shared by room loading and compaction.
import * as Y from 'yjs';
import { concatBytes } from '../bytes.ts';
import type { StagedState, StoredDoc } from './types.ts';

/** Whether a state given to `DocStorage.replace` is staged in the storage already, rather than its bytes. */
export function isStaged(state: readonly Uint8Array[] | StagedState): state is StagedState {
  return !Array.isArray(state);
}

/** The stored snapshot's pieces: none, its one update, or its parts. */
export function snapshotPieces(snapshot: StoredDoc['snapshot']): readonly Uint8Array[] {
  if (snapshot === null) return [];
  return snapshot instanceof Uint8Array ? [snapshot] : snapshot;
}

/** The stored snapshot as one Yjs update (a snapshot stored in parts is joined: a copy, on the caller's thread). */
export function snapshotUpdate(snapshot: StoredDoc['snapshot']): Uint8Array | null {
  const pieces = snapshotPieces(snapshot);
  return pieces.length <= 1 ? (pieces[0] ?? null) : concatBytes(pieces);
}

export function snapshotByteLength(snapshot: StoredDoc['snapshot']): number {
  return snapshotPieces(snapshot).reduce((sum, piece) => sum + piece.byteLength, 0);
}

export function storedBytes(stored: StoredDoc): number {
  return stored.updates.reduce((sum, update) => sum + update.byteLength, snapshotByteLength(stored.snapshot));
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
  const snapshot = snapshotUpdate(stored.snapshot);
  const parts = snapshot === null ? stored.updates : [snapshot, ...stored.updates];
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
