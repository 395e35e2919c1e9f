// DocStorage in memory: for tests and for running the room without a database. Mirrors the contract the SQL
// implementation must keep (sequence numbers, compaction that spares later appends).
import { concatBytes } from '../bytes.ts';
import { isStaged, snapshotPieces } from './stored-doc.ts';
import type { DocStorage, StagedState, StoredDoc } from './types.ts';

interface Entry {
  snapshot: Uint8Array | null;
  snapshotSeq: number;
  updates: { seq: number; bytes: Uint8Array }[];
  nextSeq: number;
}

export class MemoryDocStorage implements DocStorage {
  readonly #docs = new Map<string, Entry>();

  #entry(docName: string): Entry {
    let entry = this.#docs.get(docName);
    if (entry === undefined) {
      entry = { snapshot: null, snapshotSeq: 0, updates: [], nextSeq: 1 };
      this.#docs.set(docName, entry);
    }
    return entry;
  }

  load(docName: string): Promise<StoredDoc> {
    const entry = this.#entry(docName);
    const last = entry.updates.at(-1);
    return Promise.resolve({
      snapshot: entry.snapshot === null ? null : new Uint8Array(entry.snapshot),
      updates: entry.updates.map((update) => new Uint8Array(update.bytes)),
      seq: last === undefined ? entry.snapshotSeq : last.seq,
    });
  }

  append(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    const entry = this.#entry(docName);
    for (const update of updates) entry.updates.push({ seq: entry.nextSeq++, bytes: new Uint8Array(update) });
    return Promise.resolve();
  }

  compact(docName: string, snapshot: Uint8Array | readonly Uint8Array[], throughSeq: number): Promise<void> {
    const entry = this.#entry(docName);
    if (throughSeq <= entry.snapshotSeq) return Promise.resolve();
    entry.snapshot = concatBytes(snapshotPieces(snapshot));
    entry.snapshotSeq = throughSeq;
    entry.updates = entry.updates.filter((update) => update.seq > throughSeq);
    return Promise.resolve();
  }

  replace(docName: string, state: readonly Uint8Array[] | StagedState, loadedSeq: number): Promise<void> {
    if (isStaged(state)) return Promise.reject(new Error('nothing stages state into memory storage'));
    const entry = this.#entry(docName);
    if (entry.updates.some((update) => update.seq > loadedSeq)) {
      return Promise.reject(new Error(`updates were appended to ${docName} after the state was loaded`));
    }
    const seq = entry.nextSeq++;
    return this.compact(docName, state, seq);
  }

  /** Stored update count and bytes, for tests and diagnostics. */
  stats(docName: string): { updates: number; updateBytes: number; snapshotBytes: number } {
    const entry = this.#entry(docName);
    return {
      updates: entry.updates.length,
      updateBytes: entry.updates.reduce((sum, update) => sum + update.bytes.byteLength, 0),
      snapshotBytes: entry.snapshot?.byteLength ?? 0,
    };
  }
}
