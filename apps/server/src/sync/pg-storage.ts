// DocStorage over the database: updates appended with a per-workspace sequence, snapshots replacing what they fold.
import type { DocStorage, StoredDoc } from '@tandem/core';
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { docHeads, docSnapshots, docUpdates } from '../db/schema.ts';

// PGlite encodes binary parameters at roughly 1.5 s per MB; base64 text decoded by the database costs a tenth
// of that on PGlite and nothing noticeable on PostgreSQL.
const asBytea = (bytes: Uint8Array) =>
  sql`decode(${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}, 'base64')`;

interface PendingAppend {
  docName: string;
  updates: readonly Uint8Array[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

// One transaction carries at most this much, so a burst of large updates does not become one huge statement.
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

function takeBatch(queue: PendingAppend[]): PendingAppend[] {
  const batch: PendingAppend[] = [];
  let bytes = 0;
  while (queue.length > 0) {
    const next = queue[0];
    if (!next) break;
    const size = next.updates.reduce((n, u) => n + u.byteLength, 0);
    if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
    batch.push(next);
    bytes += size;
    queue.shift();
  }
  return batch;
}

export class PgDocStorage implements DocStorage {
  constructor(private readonly db: Db) {}

  async load(docName: string): Promise<StoredDoc> {
    return this.db.transaction(async (tx) => {
      const [snapshot] = await tx
        .select({ data: docSnapshots.data, throughSeq: docSnapshots.throughSeq })
        .from(docSnapshots)
        .where(eq(docSnapshots.workspaceId, docName));
      const after = snapshot?.throughSeq ?? 0;
      const rows = await tx
        .select({ seq: docUpdates.seq, data: docUpdates.data })
        .from(docUpdates)
        .where(and(eq(docUpdates.workspaceId, docName), gt(docUpdates.seq, after)))
        .orderBy(asc(docUpdates.seq));
      return {
        snapshot: snapshot?.data ?? null,
        updates: rows.map((r) => r.data),
        seq: rows.at(-1)?.seq ?? after,
      };
    });
  }

  /**
   * Appends are group-committed across documents: while one transaction is in flight, appends for any number of
   * workspaces queue up and go out together as two statements (bump every head, insert every update). A room
   * already batches its own updates, so this is what lets many quiet workspaces share the database's write rate.
   */
  append(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ docName, updates, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private readonly pending: PendingAppend[] = [];
  private flushing = false;

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = takeBatch(this.pending);
      try {
        await this.write(batch);
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  private async write(batch: readonly PendingAppend[]): Promise<void> {
    // Per document: how many updates, in arrival order.
    const counts = new Map<string, number>();
    for (const p of batch) counts.set(p.docName, (counts.get(p.docName) ?? 0) + p.updates.length);
    await this.db.transaction(async (tx) => {
      const heads = await tx
        .insert(docHeads)
        // Sorted, so instances that commit overlapping sets of documents take the row locks in one order.
        .values(
          [...counts]
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([workspaceId, n]) => ({ workspaceId, lastSeq: n })),
        )
        .onConflictDoUpdate({
          target: docHeads.workspaceId,
          set: { lastSeq: sql`${docHeads.lastSeq} + excluded.last_seq` },
        })
        .returning({ workspaceId: docHeads.workspaceId, lastSeq: docHeads.lastSeq });
      const next = new Map(
        heads.map((h) => [h.workspaceId, h.lastSeq - (counts.get(h.workspaceId) ?? 0) + 1]),
      );
      const rows = batch.flatMap((p) =>
        p.updates.map((data) => {
          const seq = next.get(p.docName) ?? 1;
          next.set(p.docName, seq + 1);
          return { workspaceId: p.docName, seq, data: asBytea(data) };
        }),
      );
      await tx.insert(docUpdates).values(rows);
    });
  }

  async compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [current] = await tx
        .select({ throughSeq: docSnapshots.throughSeq })
        .from(docSnapshots)
        .where(eq(docSnapshots.workspaceId, docName))
        .for('update');
      // A racing compactor already stored a newer snapshot: ours folds less, drop it.
      if (current && current.throughSeq >= throughSeq) return;
      await tx
        .insert(docSnapshots)
        .values({ workspaceId: docName, throughSeq, data: asBytea(snapshot) })
        .onConflictDoUpdate({
          target: docSnapshots.workspaceId,
          set: { throughSeq, data: asBytea(snapshot), updatedAt: new Date() },
        });
      await tx
        .delete(docUpdates)
        .where(and(eq(docUpdates.workspaceId, docName), lte(docUpdates.seq, throughSeq)));
    });
  }
}
