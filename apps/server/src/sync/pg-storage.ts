// DocStorage over the database: updates appended with a per-workspace sequence, snapshots replacing what they fold.
import { randomUUID } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import { isStaged, snapshotPieces, type DocStorage, type StagedState, type StoredDoc } from '@tandem/core';
import { getTableName } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import type { AttachedDatabase } from '../db/pglite-thread.ts';
import { int8Of, movable, runPrepared, textOf, type Row } from '../db/prepared.ts';
import { docHeads, docSnapshotParts, docSnapshots, docUpdates, workspaces } from '../db/schema.ts';

// Every statement here is prepared once and sends and receives document bytes in binary format: no base64 or hex
// text on either side, which for a 10 MB document on PGlite cost several times the write or read itself.

interface PendingAppend {
  docName: string;
  updates: readonly Uint8Array[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * How much one transaction carries. PGlite runs one statement at a time (about 15 ms a megabyte written, and about
 * 0.1 ms an update): a backlog is stored in slices, so a sign-in or a document load waits for one slice at most,
 * not for all of it. PostgreSQL runs statements side by side, and every slice would be one more round trip before
 * the appends behind it are durable, so there a batch only stays below a huge statement.
 */
const batchLimits = {
  pglite: { bytes: 1024 * 1024, updates: 32 },
  postgres: { bytes: 8 * 1024 * 1024, updates: Infinity },
};

function takeBatch(queue: PendingAppend[], limits: { bytes: number; updates: number }): PendingAppend[] {
  const batch: PendingAppend[] = [];
  let bytes = 0;
  let updates = 0;
  while (queue.length > 0) {
    const next = queue[0];
    if (!next) break;
    const size = next.updates.reduce((n, u) => n + u.byteLength, 0);
    const full = bytes + size > limits.bytes || updates + next.updates.length > limits.updates;
    if (batch.length > 0 && full) break;
    batch.push(next);
    bytes += size;
    updates += next.updates.length;
    queue.shift();
  }
  return batch;
}

/** The updates' bytes end to end (one binary parameter), and where each one lies in them. */
function packed(updates: readonly { data: Uint8Array }[]): {
  spans: { at: number; len: number }[];
  bytes: Buffer;
} {
  let at = 0;
  const spans = updates.map(({ data }) => {
    const span = { at, len: data.byteLength };
    at += data.byteLength;
    return span;
  });
  // A buffer of this storage's own, moved rather than copied on its way to PGlite.
  return { spans, bytes: movable(Buffer.concat(updates.map((u) => u.data))) };
}

/**
 * Updates for a workspace that has been deleted in the meantime are dropped rather than failing the statement: the
 * write-ahead log may still hold some when the workspace goes, and a batch carries other workspaces' updates too.
 */
const exists = (column: string) => `exists (select 1 from ${getTableName(workspaces)} where id = ${column})`;

/**
 * One statement however large the batch: a JSON parameter describes the updates (document, place among that
 * document's updates, that document's count, where its bytes start and how many) and a binary parameter carries
 * all their bytes. The heads move on by each document's count and the updates take the sequence numbers just handed
 * out. One round trip, and atomic on its own.
 */
const appendSql = `
  with input as (
    select * from json_to_recordset($1::json) as t(w uuid, ord int, n int, at int, len int) where ${exists('t.w')}
  ), heads as (
    insert into ${getTableName(docHeads)} (workspace_id, last_seq)
    select w, max(n) from input group by w order by w
    on conflict (workspace_id) do update set last_seq = ${getTableName(docHeads)}.last_seq + excluded.last_seq
    returning workspace_id, last_seq
  )
  insert into ${getTableName(docUpdates)} (workspace_id, seq, data)
  select i.w, h.last_seq - i.n + i.ord, substring($2::bytea from i.at + 1 for i.len)
  from input i join heads h on h.workspace_id = i.w`;

/** The same without the heads: the sequence numbers come with the updates (see `sequences`). */
const insertManySql = `
  insert into ${getTableName(docUpdates)} (workspace_id, seq, data)
  select w, seq, substring($2::bytea from at + 1 for len)
  from json_to_recordset($1::json) as t(w uuid, seq bigint, at int, len int) where ${exists('t.w')}`;
const insertOneSql = `
  insert into ${getTableName(docUpdates)} (workspace_id, seq, data)
  select $1::uuid, $2::bigint, $3::bytea where ${exists('$1::uuid')}`;

/** The last sequence number each listed workspace handed out, from its updates and its snapshot. */
const lastSeqSql = `
  select w, greatest(
    (select max(seq) from ${getTableName(docUpdates)} where workspace_id = w::uuid),
    (select through_seq from ${getTableName(docSnapshots)} where workspace_id = w::uuid),
    0)::bigint
  from json_array_elements_text($1::json) as t(w)`;

/** Hands out the next sequence number of a document on PostgreSQL, for a snapshot that replaces it (`replace`). */
const nextSeqSql = `
  insert into ${getTableName(docHeads)} (workspace_id, last_seq)
  select $1::uuid, $2::bigint + 1 where ${exists('$1::uuid')}
  on conflict (workspace_id) do update
    set last_seq = greatest(${getTableName(docHeads)}.last_seq, excluded.last_seq - 1) + 1
  returning last_seq`;

/**
 * PGlite is opened by one process only, so that process can hand out each workspace's sequence numbers itself and
 * an append is a plain insert, about 0.3 ms sooner than bumping a heads row in the same statement. Shared by every
 * storage on the same database; an entry is read from the database on first use and dropped when a write fails.
 */
const sequences = new WeakMap<Database, Map<string, number>>();

/**
 * Snapshot bytes per statement. PGlite's WebAssembly memory grows to hold a statement's largest values and never
 * shrinks: a 103 MB compaction snapshot in one statement took it from 128 to 445 MB for the life of the process.
 */
export const SNAPSHOT_PART_BYTES = 8 * 1024 * 1024;

/**
 * Stores a snapshot (its first part; any later parts were written under the same generation before) unless a racing
 * compactor already stored one that folds as much or more, drops the updates the stored snapshot folds and the parts
 * of the snapshots it replaced. One statement: the upsert's row lock orders compactors of the same document. A
 * workspace deleted meanwhile gets nothing stored, as with appends.
 */
const compactSql = `
  with stored as (
    insert into ${getTableName(docSnapshots)} (workspace_id, through_seq, data, generation)
    select $1::uuid, $2::bigint, $3::bytea, $4::uuid where ${exists('$1::uuid')}
    on conflict (workspace_id) do update
      set through_seq = excluded.through_seq, data = excluded.data, generation = excluded.generation,
        updated_at = now()
      where ${getTableName(docSnapshots)}.through_seq < excluded.through_seq
    returning through_seq
  ), folded as (
    delete from ${getTableName(docUpdates)}
    where workspace_id = $1::uuid and seq <= (select through_seq from stored)
  )
  delete from ${getTableName(docSnapshotParts)}
  where workspace_id = $1::uuid and through_seq < (select through_seq from stored)`;

const snapshotPartSql = `
  insert into ${getTableName(docSnapshotParts)} (workspace_id, generation, through_seq, part, data)
  select $1::uuid, $2::uuid, $3::bigint, $4::int, $5::bytea where ${exists('$1::uuid')}`;

/** The parts of a compaction that lost to a racing one, which no snapshot names. */
const orphanPartsSql = `
  delete from ${getTableName(docSnapshotParts)}
  where workspace_id = $1::uuid and generation = $2::uuid and not exists (
    select 1 from ${getTableName(docSnapshots)} where workspace_id = $1::uuid and generation = $2::uuid)`;

/**
 * The snapshot (its first part, then its other parts in order) and then every later update in sequence order, read
 * by one statement and so from one consistent view of the database.
 */
const loadSql = `
  select 0::int8 as kind, 0::int8 as part, through_seq as seq, data
  from ${getTableName(docSnapshots)} where workspace_id = $1::uuid
  union all
  select 1::int8, p.part::int8, p.through_seq, p.data
  from ${getTableName(docSnapshotParts)} p
  join ${getTableName(docSnapshots)} s on s.workspace_id = p.workspace_id and s.generation = p.generation
  where p.workspace_id = $1::uuid
  union all
  select 2::int8, 0::int8, seq, data
  from ${getTableName(docUpdates)}
  where workspace_id = $1::uuid
    and seq > coalesce((select through_seq from ${getTableName(docSnapshots)} where workspace_id = $1::uuid), 0)
  order by kind, part, seq`;

/** The rows of `loadSql` as a stored document; `exclusive` when they are views into a reply read for this load. */
function storedDocOf(rows: readonly Row[], exclusive: boolean): StoredDoc {
  const snapshot: Uint8Array[] = [];
  let seq = 0;
  const updates: Uint8Array[] = [];
  for (const [kind, , rowSeq, data] of rows) {
    if (!data) continue;
    // A snapshot's parts all carry its sequence number; the updates after it come last, in order.
    seq = int8Of(rowSeq);
    if (int8Of(kind) === 2) updates.push(data);
    else snapshot.push(data);
  }
  // A snapshot in parts stays in parts: whoever applies it joins them, on its own thread.
  return {
    snapshot: snapshot.length === 0 ? null : snapshot.length === 1 ? (snapshot[0] ?? null) : snapshot,
    updates,
    seq,
    exclusive,
  };
}

/**
 * A worker's own way to the stored documents of the embedded database (see `PgDocStorage.direct`): it loads a
 * document and stages a new state itself, so that neither the 100 MB it may read nor the 100 MB it may write cross
 * the server's event loop on their way (where their arrival cost a collection that held everyone's edits).
 */
export interface DirectDocs {
  /** Resolves once everything acknowledged of the document is in the database, for a worker to read it there. */
  settled(docName: string): Promise<void>;
  /** A new connection to the database, for one worker thread (see `PgliteThread.attach`). */
  attach(): Promise<MessagePort>;
  /** The statements that worker runs, prepared by name. */
  statements(): Promise<DirectStatements>;
  /** Where to stage a state that will replace the document's (see `stageState`). */
  stagePlan(docName: string): Promise<StagePlan>;
  /** Drops what a staging wrote, when its state is not going to be stored after all. */
  dropStaged(plan: StagePlan): Promise<void>;
}

export interface DirectStatements {
  load: string;
  part: string;
}

/**
 * A state staged for `PgDocStorage.replace`: the snapshot parts written under `generation` and the sequence number
 * handed out for it beforehand, so that no compaction racing the staging removes them (they are newer than any
 * compaction can be).
 */
export interface StagePlan {
  docName: string;
  generation: string;
  throughSeq: number;
}

export type PgStagedState = StagedState & StagePlan;

/** Loads a stored document over an attached connection (see `DirectDocs`); its buffers are the caller's own. */
export async function loadDirect(
  db: AttachedDatabase,
  statements: DirectStatements,
  docName: string,
): Promise<StoredDoc> {
  return storedDocOf(await runPrepared(db, statements.load, [docName]), true);
}

/**
 * Writes a state (parts of at most `SNAPSHOT_PART_BYTES`, each moved to the database thread) as the parts of a
 * snapshot no load sees until `replace` is given the result, which stores the snapshot row itself with no bytes of
 * its own.
 */
export async function stageState(
  db: AttachedDatabase,
  statements: DirectStatements,
  plan: StagePlan,
  state: readonly Uint8Array[],
): Promise<PgStagedState> {
  const { docName, generation, throughSeq } = plan;
  let bytes = 0;
  for (const [n, part] of splitParts(state).entries()) {
    bytes += part.byteLength;
    await runPrepared(db, statements.part, [docName, generation, String(throughSeq), String(n + 1), part]);
  }
  return { ...plan, bytes };
}

/** Parts of at most `SNAPSHOT_PART_BYTES`: a part that size or smaller moves as it is, a larger one is cut (a copy). */
function splitParts(snapshot: Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  return snapshotPieces(snapshot).flatMap((piece) =>
    piece.byteLength <= SNAPSHOT_PART_BYTES
      ? [movable(piece)]
      : Array.from({ length: Math.ceil(piece.byteLength / SNAPSHOT_PART_BYTES) }, (_, n) =>
          piece.subarray(n * SNAPSHOT_PART_BYTES, (n + 1) * SNAPSHOT_PART_BYTES),
        ),
  );
}

export class PgDocStorage implements DocStorage {
  constructor(private readonly database: Database) {}

  async load(docName: string): Promise<StoredDoc> {
    const load = await this.database.prepare('tandem_doc_load', loadSql);
    // On PGlite every row is a view into a reply moved here from the database thread for this statement alone (a
    // large one in a buffer of its own); node-postgres decodes small values into Node's shared buffer pool.
    return storedDocOf(await load([docName]), this.database.kind === 'pglite');
  }

  /**
   * On the embedded database, a worker's own way to stored documents (see `DirectDocs`); null on PostgreSQL, whose
   * replies arrive on the event loop whoever asks. `settled` waits for what a write-ahead log in front of this
   * storage still holds of a document.
   */
  direct(settled: (docName: string) => Promise<void>): DirectDocs | null {
    const { attach } = this.database;
    if (attach === undefined) return null;
    return {
      settled,
      attach,
      statements: async () => {
        await this.database.prepare('tandem_doc_load', loadSql);
        await this.database.prepare('tandem_doc_snapshot_part', snapshotPartSql);
        return { load: 'tandem_doc_load', part: 'tandem_doc_snapshot_part' };
      },
      stagePlan: async (docName) => {
        const throughSeq = await this.nextSeq(docName, 0);
        if (throughSeq === null) throw new Error('PGlite hands out sequence numbers itself');
        return { docName, generation: randomUUID(), throughSeq };
      },
      dropStaged: ({ docName, generation }) => this.dropOrphanParts(docName, generation),
    };
  }

  /**
   * Appends are group-committed across documents: appends for any number of workspaces queue up and go out
   * together, one statement per batch (`batchLimits`; bump every head, insert every update). A flush starts after
   * the I/O callbacks that are ready have run (`setImmediate`), so updates read from many sockets in one poll share a
   * transaction. A room already batches its own updates, so this is what lets many quiet workspaces share the write
   * rate.
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
    const limits = batchLimits[this.database.kind];
    while (this.pending.length > 0) {
      const batch = takeBatch(this.pending, limits);
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
    if (this.database.kind === 'pglite') return this.writeNumbered(batch);
    // Per update: its document, its place among that document's updates in this batch (1-based), how many that
    // document has in the batch, and where its bytes lie. Sorted by document so that instances committing
    // overlapping sets of documents take the head rows' locks in one order.
    const counts = new Map<string, number>();
    for (const p of batch) counts.set(p.docName, (counts.get(p.docName) ?? 0) + p.updates.length);
    const updates = batch
      .flatMap((p) => p.updates.map((data) => ({ doc: p.docName, data })))
      .sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0));
    const { spans, bytes } = packed(updates);
    const seen = new Map<string, number>();
    const rows = updates.map(({ doc }, i) => {
      const ord = (seen.get(doc) ?? 0) + 1;
      seen.set(doc, ord);
      return { w: doc, ord, n: counts.get(doc) ?? ord, ...spans[i] };
    });
    const append = await this.database.prepare('tandem_doc_append', appendSql);
    await append([JSON.stringify(rows), bytes]);
  }

  /** On PGlite: the last sequence number of each of `docs` handed out (see `sequences`), read on first use. */
  private async lastSequences(docs: readonly string[]): Promise<Map<string, number>> {
    let last = sequences.get(this.database);
    if (!last) {
      last = new Map();
      sequences.set(this.database, last);
    }
    const unknown = docs.filter((doc) => !last.has(doc));
    if (unknown.length > 0) {
      const read = await this.database.prepare('tandem_doc_last_seq', lastSeqSql);
      for (const [doc, seq] of await read([JSON.stringify(unknown)])) {
        const name = textOf(doc);
        if (!last.has(name)) last.set(name, int8Of(seq));
      }
    }
    return last;
  }

  /** On PGlite: numbers the updates here and inserts them (see `sequences`). */
  private async writeNumbered(batch: readonly PendingAppend[]): Promise<void> {
    const docs = [...new Set(batch.map((p) => p.docName))];
    const last = await this.lastSequences(docs);
    const insertOne = await this.database.prepare('tandem_doc_insert_one', insertOneSql);
    const insertMany = await this.database.prepare('tandem_doc_insert_many', insertManySql);
    // Numbered and sent without awaiting in between: PGlite runs statements in the order they were sent, so numbers
    // handed out here commit in order even when another storage on the same database appends too.
    const updates = batch.flatMap((p) => p.updates.map((data) => ({ doc: p.docName, data })));
    const rows = updates.map(({ doc }) => {
      const seq = (last.get(doc) ?? 0) + 1;
      last.set(doc, seq);
      return { w: doc, seq };
    });
    try {
      const [only] = updates;
      if (updates.length === 1 && only && rows[0]) {
        await insertOne([only.doc, String(rows[0].seq), only.data]);
      } else {
        const { spans, bytes } = packed(updates);
        await insertMany([JSON.stringify(rows.map((row, i) => ({ ...row, ...spans[i] }))), bytes]);
      }
    } catch (error) {
      // The numbers may or may not have been used: read them again next time.
      for (const doc of docs) last.delete(doc);
      throw error;
    }
  }

  /**
   * Compacts through a sequence number handed out for the purpose, so the snapshot is newer than any a compactor
   * could store from an earlier load (and one loaded right after a compaction still replaces its snapshot).
   */
  async replace(
    docName: string,
    state: readonly Uint8Array[] | StagedState,
    loadedSeq: number,
  ): Promise<void> {
    if (isStaged(state)) return this.storeStaged(state as PgStagedState);
    const seq = await this.nextSeq(docName, loadedSeq);
    // The workspace is gone: nothing to store, as with appends.
    if (seq !== null) await this.compact(docName, state, seq);
  }

  /** A sequence number for a snapshot that replaces the document; null when the workspace is gone. */
  private async nextSeq(docName: string, loadedSeq: number): Promise<number | null> {
    if (this.database.kind === 'pglite') {
      const last = await this.lastSequences([docName]);
      const seq = Math.max(last.get(docName) ?? 0, loadedSeq) + 1;
      last.set(docName, seq);
      return seq;
    }
    const next = await this.database.prepare('tandem_doc_next_seq', nextSeqSql);
    const [row] = await next([docName, String(loadedSeq)]);
    return row === undefined ? null : int8Of(row[0]);
  }

  /** Names the staged parts as the snapshot (see `stageState`), or drops them if a racing one was stored. */
  private async storeStaged({ docName, generation, throughSeq }: PgStagedState): Promise<void> {
    const compact = await this.database.prepare('tandem_doc_compact', compactSql);
    try {
      await compact([docName, String(throughSeq), new Uint8Array(0), generation]);
    } finally {
      await this.dropOrphanParts(docName, generation);
    }
  }

  /** The parts written under `generation` unless a stored snapshot names them (see `orphanPartsSql`). */
  private async dropOrphanParts(docName: string, generation: string): Promise<void> {
    const dropOrphans = await this.database.prepare('tandem_doc_snapshot_orphans', orphanPartsSql);
    await dropOrphans([docName, generation]);
  }

  /**
   * A snapshot given in parts of at most `SNAPSHOT_PART_BYTES` (as the archive worker folds it) is stored part by
   * part as it is, each moved to the database thread whole; a larger piece is cut here, which copies it.
   */
  async compact(
    docName: string,
    snapshot: Uint8Array | readonly Uint8Array[],
    throughSeq: number,
  ): Promise<void> {
    const compact = await this.database.prepare('tandem_doc_compact', compactSql);
    const generation = randomUUID();
    const parts = splitParts(snapshot);
    const [first = new Uint8Array(0)] = parts;
    if (parts.length <= 1) {
      await compact([docName, String(throughSeq), first, generation]);
      return;
    }
    // The later parts first, each in a statement of its own and invisible until the snapshot row names them.
    const writePart = await this.database.prepare('tandem_doc_snapshot_part', snapshotPartSql);
    try {
      for (const [n, part] of parts.entries()) {
        if (n > 0) await writePart([docName, generation, String(throughSeq), String(n), part]);
      }
      await compact([docName, String(throughSeq), first, generation]);
    } finally {
      await this.dropOrphanParts(docName, generation);
    }
  }
}
