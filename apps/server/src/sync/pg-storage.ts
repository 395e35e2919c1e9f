// DocStorage over the database: updates appended with a per-workspace sequence, snapshots replacing what they fold.
import type { DocStorage, StoredDoc } from '@tandem/core';
import { and, asc, eq, getTableName, gt, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { PreparedStatement } from '../db/prepared.ts';
import { docHeads, docSnapshots, docUpdates } from '../db/schema.ts';

// Bytes travel as base64 text both ways. PGlite encodes binary parameters at roughly 1.5 s per MB and parses a
// bytea result in JavaScript at about 90 ms per MB; base64 decoded or encoded by the database costs a tenth to a
// fifth of that on PGlite, and on PostgreSQL it is smaller than the hex text bytea would travel as.
const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const asBytea = (bytes: Uint8Array) => sql`decode(${base64(bytes)}, 'base64')`;
const bytesOf = (column: typeof docUpdates.data | typeof docSnapshots.data) =>
  sql<string>`encode(${column}, 'base64')`.mapWith((text: string): Uint8Array => Buffer.from(text, 'base64'));

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

/**
 * One statement, one JSON parameter however large the batch: the heads move on by each document's count and the
 * updates take the sequence numbers just handed out. One round trip, and atomic on its own.
 */
const appendSql = `
  with input as (
    select * from json_to_recordset($1::json) as t(w uuid, ord int, n int, d text)
  ), heads as (
    insert into ${getTableName(docHeads)} (workspace_id, last_seq)
    select w, max(n) from input group by w order by w
    on conflict (workspace_id) do update set last_seq = ${getTableName(docHeads)}.last_seq + excluded.last_seq
    returning workspace_id, last_seq
  )
  insert into ${getTableName(docUpdates)} (workspace_id, seq, data)
  select i.w, h.last_seq - i.n + i.ord, decode(i.d, 'base64')
  from input i join heads h on h.workspace_id = i.w`;

export class PgDocStorage implements DocStorage {
  private appendStatement: Promise<PreparedStatement> | undefined;

  constructor(private readonly database: Database) {}

  async load(docName: string): Promise<StoredDoc> {
    return this.database.db.transaction(async (tx) => {
      const [snapshot] = await tx
        .select({ data: bytesOf(docSnapshots.data), throughSeq: docSnapshots.throughSeq })
        .from(docSnapshots)
        .where(eq(docSnapshots.workspaceId, docName));
      const after = snapshot?.throughSeq ?? 0;
      const rows = await tx
        .select({ seq: docUpdates.seq, data: bytesOf(docUpdates.data) })
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
   * Appends are group-committed across documents: appends for any number of workspaces queue up and go out
   * together as one statement (bump every head, insert every update). A flush starts after the I/O callbacks
   * that are ready have run (`setImmediate`), so updates read from many sockets in one poll share a transaction:
   * PGlite answers without ever yielding to I/O, so waiting for an in-flight write alone would batch nothing.
   * A room already batches its own updates, so this is what lets many quiet workspaces share the write rate.
   */
  append(docName: string, updates: readonly Uint8Array[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ docName, updates, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private readonly pending: PendingAppend[] = [];
  private flushing = false;

  private async flush(): Promise<void> {
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
    // Per update: its document, its place among that document's updates in this batch (1-based), how many that
    // document has in the batch, and its bytes. Sorted by document so that instances committing overlapping sets
    // of documents take the head rows' locks in one order.
    const counts = new Map<string, number>();
    for (const p of batch) counts.set(p.docName, (counts.get(p.docName) ?? 0) + p.updates.length);
    const seen = new Map<string, number>();
    const rows = batch
      .flatMap((p) => p.updates.map((data) => ({ doc: p.docName, data })))
      .sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0))
      .map(({ doc, data }) => {
        const ord = (seen.get(doc) ?? 0) + 1;
        seen.set(doc, ord);
        return { w: doc, ord, n: counts.get(doc) ?? ord, d: base64(data) };
      });
    this.appendStatement ??= this.database.prepare('tandem_doc_append', appendSql).catch((error: unknown) => {
      // Prepared again on the next batch: a database that was briefly away must not fail every later append.
      this.appendStatement = undefined;
      throw error;
    });
    const append = await this.appendStatement;
    await append([JSON.stringify(rows)]);
  }

  async compact(docName: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    await this.database.db.transaction(async (tx) => {
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
          // `excluded.data`, not the bytes again: a 10 MB snapshot would travel twice.
          set: { throughSeq, data: sql`excluded.data`, updatedAt: new Date() },
        });
      await tx
        .delete(docUpdates)
        .where(and(eq(docUpdates.workspaceId, docName), lte(docUpdates.seq, throughSeq)));
    });
  }
}
