// The durable, ordered event log of a task and its live fan-out. Appends take the task row's lock to hand out
// the next sequence number, so every subscriber sees the same gap-free order; live delivery is a hint that new
// rows exist, and readers replay from the database by sequence, so a missed message costs latency, not events.
import { taskEventSchema, type TaskEvent } from '@tandem/core';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { taskEvents, tasks } from '../db/schema.ts';
import type { PubSub } from '../pubsub.ts';

export interface StoredTaskEvent {
  seq: number;
  at: Date;
  event: TaskEvent;
}

export const taskChannel = (taskId: string) => `tandem:task:${taskId}`;
export const workspaceTasksChannel = (workspaceId: string) => `tandem:workspace-tasks:${workspaceId}`;

export async function appendTaskEvent(
  db: Db,
  pubsub: PubSub,
  taskId: string,
  event: TaskEvent,
): Promise<number> {
  const parsed = taskEventSchema.parse(event);
  const seq = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(tasks)
      .set({ lastSeq: sql`${tasks.lastSeq} + 1` })
      .where(eq(tasks.id, taskId))
      .returning({ seq: tasks.lastSeq });
    if (!row) throw new Error(`task ${taskId} does not exist`);
    await tx.insert(taskEvents).values({ taskId, seq: row.seq, type: parsed.type, data: parsed });
    return row.seq;
  });
  await pubsub.publish(taskChannel(taskId), { seq });
  return seq;
}

export async function listTaskEvents(db: Db, taskId: string, afterSeq: number, limit = 500) {
  const rows = await db
    .select()
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), gt(taskEvents.seq, afterSeq)))
    .orderBy(asc(taskEvents.seq))
    .limit(limit);
  return rows.map((r): StoredTaskEvent => ({ seq: r.seq, at: r.at, event: r.data as TaskEvent }));
}

/**
 * Yields every event after `afterSeq`, in order and exactly once, then follows new ones until `signal` aborts.
 * Subscribes before the first read so nothing appended in between is missed.
 */
export async function* followTaskEvents(
  db: Db,
  pubsub: PubSub,
  taskId: string,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<StoredTaskEvent> {
  let wake: (() => void) | undefined;
  let dirty = true;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const unsubscribe = await pubsub.subscribe(taskChannel(taskId), poke);
  signal?.addEventListener('abort', poke);
  try {
    let last = afterSeq;
    while (!signal?.aborted) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          // A safety net for a lost pub/sub message (e.g. a Redis reconnect): look again now and then.
          setTimeout(poke, 5_000).unref();
        });
        wake = undefined;
        continue;
      }
      dirty = false;
      for (;;) {
        const batch = await listTaskEvents(db, taskId, last);
        for (const stored of batch) {
          last = stored.seq;
          yield stored;
        }
        if (batch.length < 500) break;
      }
    }
  } finally {
    signal?.removeEventListener('abort', poke);
    unsubscribe();
  }
}
