// The durable, ordered event log of a task and its live fan-out. Appends take the task row's lock to hand out
// the next sequence number, so every subscriber sees the same gap-free order; live delivery is a hint that new
// rows exist, and readers replay from the database by sequence, so a missed message costs latency, not events.
import { taskEventSchema, type TaskEvent } from '@tandem/core';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { taskEvents, tasks } from '../db/schema.ts';
import type { Channels } from '../bus/channels.ts';
import { followLog } from '../bus/follow-log.ts';

export interface StoredTaskEvent {
  seq: number;
  at: Date;
  event: TaskEvent;
}

type TaskEventChannel = Channels['taskEvents'];

/** What goes out live: the committed event with its sequence; followers receive it decoded and checked once. */
export const liveTaskEventSchema = z
  .object({ seq: z.number().int(), at: z.iso.datetime(), event: taskEventSchema })
  .transform((m): StoredTaskEvent => ({ seq: m.seq, at: new Date(m.at), event: m.event }));

/** Both drivers answer `execute` with `{ rows }`; numbers may arrive as strings from pg. */
interface AppendedRows {
  rows: { seq: number | string; at_ms: number | string }[];
}

export async function appendTaskEvent(
  db: Db,
  channel: TaskEventChannel,
  taskId: string,
  event: TaskEvent,
): Promise<number> {
  const parsed = taskEventSchema.parse(event);
  // One statement, so one round trip (and on PGlite one pass through the engine instead of four): the update takes
  // the task row's lock and hands out the next sequence number, the insert in the same statement uses it.
  const result: unknown = await db.execute(sql`
    with next as (
      update ${tasks} set last_seq = last_seq + 1 where ${tasks.id} = ${taskId} returning last_seq
    )
    insert into ${taskEvents} (task_id, seq, type, data)
    select ${taskId}, last_seq, ${parsed.type}, ${JSON.stringify(parsed)}::jsonb from next
    returning seq, (extract(epoch from at) * 1000)::float8 as at_ms`);
  const [row] = (result as AppendedRows).rows;
  if (!row) throw new Error(`task ${taskId} does not exist`);
  const stored = { seq: Number(row.seq), at: new Date(Number(row.at_ms)) };
  // The committed event rides along, so live followers need not read it back; the database stays the authority.
  await channel.publish(taskId, { seq: stored.seq, at: stored.at.toISOString(), event: parsed });
  return stored.seq;
}

const PAGE = 500;

export async function listTaskEvents(db: Db, taskId: string, afterSeq: number, limit = PAGE) {
  const rows = await db
    .select()
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), gt(taskEvents.seq, afterSeq)))
    .orderBy(asc(taskEvents.seq))
    .limit(limit);
  return rows.map((r): StoredTaskEvent => ({ seq: r.seq, at: r.at, event: r.data as TaskEvent }));
}

/** Yields every event after `afterSeq`, in order and exactly once, then follows new ones until `signal` aborts. */
export function followTaskEvents(
  db: Db,
  channel: TaskEventChannel,
  taskId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<StoredTaskEvent> {
  // Every follower of a task receives the same decoded object, checked once by the channel however many follow.
  return followLog(
    {
      subscribe: (handler) => channel.subscribe(taskId, handler),
      list: (after) => listTaskEvents(db, taskId, after, PAGE),
      pageSize: PAGE,
    },
    afterSeq,
    signal,
  );
}
