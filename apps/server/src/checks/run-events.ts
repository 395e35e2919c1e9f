// The durable, ordered event log of a human-started check run and its live fan-out, kept exactly like a task's
// (tasks/events.ts): the append takes the run row's lock for a gap-free sequence, live delivery is a hint, readers
// replay from the database.
import { checkRunEventSchema, type CheckRunEvent } from '@tandem/core';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Channels } from '../bus/channels.ts';
import { followLog } from '../bus/follow-log.ts';
import type { Db } from '../db/client.ts';
import { checkRunEvents, checkRuns } from '../db/schema.ts';

export interface StoredCheckRunEvent {
  seq: number;
  at: Date;
  event: CheckRunEvent;
}

type CheckRunEventChannel = Channels['checkRunEvents'];

export const liveCheckRunEventSchema = z
  .object({ seq: z.number().int(), at: z.iso.datetime(), event: checkRunEventSchema })
  .transform((m): StoredCheckRunEvent => ({ seq: m.seq, at: new Date(m.at), event: m.event }));

interface AppendedRows {
  rows: { seq: number | string; at_ms: number | string }[];
}

const PAGE = 500;

export async function appendCheckRunEvent(
  db: Db,
  channel: CheckRunEventChannel,
  runId: string,
  event: CheckRunEvent,
): Promise<number> {
  const parsed = checkRunEventSchema.parse(event);
  const result: unknown = await db.execute(sql`
    with next as (
      update ${checkRuns} set last_seq = last_seq + 1 where ${checkRuns.id} = ${runId} returning last_seq
    )
    insert into ${checkRunEvents} (run_id, seq, type, data)
    select ${runId}, last_seq, ${parsed.type}, ${JSON.stringify(parsed)}::jsonb from next
    returning seq, (extract(epoch from at) * 1000)::float8 as at_ms`);
  const [row] = (result as AppendedRows).rows;
  if (!row) throw new Error(`check run ${runId} does not exist`);
  const seq = Number(row.seq);
  await channel.publish(runId, { seq, at: new Date(Number(row.at_ms)).toISOString(), event: parsed });
  return seq;
}

export async function listCheckRunEvents(db: Db, runId: string, afterSeq: number, limit = PAGE) {
  const rows = await db
    .select()
    .from(checkRunEvents)
    .where(and(eq(checkRunEvents.runId, runId), gt(checkRunEvents.seq, afterSeq)))
    .orderBy(asc(checkRunEvents.seq))
    .limit(limit);
  return rows.map((r): StoredCheckRunEvent => ({ seq: r.seq, at: r.at, event: r.data as CheckRunEvent }));
}

/** Every event after `afterSeq`, in order and exactly once, then new ones until `signal` aborts. */
export function followCheckRunEvents(
  db: Db,
  channel: CheckRunEventChannel,
  runId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<StoredCheckRunEvent> {
  return followLog(
    {
      subscribe: (handler) => channel.subscribe(runId, handler),
      list: (after) => listCheckRunEvents(db, runId, after, PAGE),
      pageSize: PAGE,
    },
    afterSeq,
    signal,
  );
}
