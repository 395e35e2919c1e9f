// Who holds an unfinished task. A queued or running task carries the id of the instance that holds it and a lease
// that instance renews while it lives; a task whose lease ran out was stranded by a crash (or a kill, or a lost
// host). Any instance then takes it over: a queued one is queued again, a running one is ended, because its run
// (the model stream, the partial edits) lived in the dead process's memory and cannot be resumed honestly.
import { AppError, type TaskEvent } from '@tandem/core';
import { and, eq, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { tasks } from '../db/schema.ts';
import { doneWithoutRun, emit, finishRun, type TaskDeps } from './service.ts';

export const defaultLeaseMs = 30_000;

export const interruptedMessage =
  'The server restarted while this task ran, so it stopped before it finished. Run it again.';

export const handedOverMessage =
  'The server running this task shut down before it finished; it runs again from the start on the next server to take it.';

/**
 * Gives a task whose run this instance stopped for a shutdown back to the queue, held by nobody: the next sweep of
 * any instance (or this one's first, once restarted) queues it again. False when it was no longer this instance's.
 */
export async function handOverTask(
  deps: TaskDeps,
  task: { id: string; workspaceId: string },
): Promise<boolean> {
  const handed = await finishRun(deps, task, { state: 'queued', ownerInstance: null, startedAt: null });
  if (handed) await emit(deps, task.id, { type: 'status', status: 'queued', message: handedOverMessage });
  return handed;
}

/** `now() + lease`, on the database's clock: every instance compares leases against the same clock. */
export const leaseFrom = (leaseMs: number) => sql`now() + (${leaseMs}::int * interval '1 millisecond')`;

/** The lease is gone: no live instance vouches for the task. */
export const leaseExpired: SQL = or(isNull(tasks.leaseUntil), lt(tasks.leaseUntil, sql`now()`)) ?? sql`true`;

/**
 * Renews the lease of every unfinished task this instance holds, and returns the running ones whose cancellation
 * was asked for (the broadcast that normally carries it may have been lost).
 */
export async function renewLeases(deps: Pick<AppDeps, 'db' | 'instance'>): Promise<string[]> {
  const rows = await deps.db
    .update(tasks)
    .set({ leaseUntil: leaseFrom(deps.instance.leaseMs) })
    .where(and(eq(tasks.ownerInstance, deps.instance.id), inArray(tasks.state, ['queued', 'running'])))
    .returning({ id: tasks.id, state: tasks.state, cancelRequestedAt: tasks.cancelRequestedAt });
  return rows.filter((r) => r.state === 'running' && r.cancelRequestedAt !== null).map((r) => r.id);
}

async function announce(deps: TaskDeps, task: { id: string; workspaceId: string }, events: TaskEvent[]) {
  for (const event of events) await emit(deps, task.id, event);
  const state = events.some(isCancel) ? 'cancelled' : 'failed';
  await deps.channels.taskChanges.publish(task.workspaceId, { taskId: task.id, state });
}
const isCancel = (e: TaskEvent) => e.type === 'done' && e.outcome === 'cancelled';

export const cancelledEvents = (): TaskEvent[] => [
  { type: 'status', status: 'cancelled' },
  doneWithoutRun('cancelled'),
];
const interruptedEvents = (): TaskEvent[] => [
  { type: 'error', code: 'INTERRUPTED', message: interruptedMessage, retryable: true },
  doneWithoutRun('failed'),
];

export interface Recovered {
  requeued: string[];
  failed: string[];
  cancelled: string[];
}

/**
 * Takes over the tasks no live instance holds. `everything` ignores leases: right for an embedded database, which
 * only one process can open, so at its start every unfinished task was left by a process that is gone.
 * Each update claims its rows with the lease still in its WHERE clause, so two instances sweeping at once never
 * both take the same task.
 */
export async function recoverStrandedTasks(
  deps: TaskDeps,
  enqueue: (taskId: string) => Promise<void>,
  options: { everything: boolean },
): Promise<Recovered> {
  // Never this instance's own tasks: the queued ones it takes over below start running at once.
  const notMine = or(isNull(tasks.ownerInstance), ne(tasks.ownerInstance, deps.instance.id));
  const stranded = and(notMine, options.everything ? sql`true` : leaseExpired);
  const finished = { finishedAt: new Date(), leaseUntil: null };

  const cancelled = await deps.db
    .update(tasks)
    .set({ state: 'cancelled', ...finished })
    .where(and(eq(tasks.state, 'running'), isNotNull(tasks.cancelRequestedAt), stranded))
    .returning({ id: tasks.id, workspaceId: tasks.workspaceId });
  for (const task of cancelled) await announce(deps, task, cancelledEvents());

  const failed = await deps.db
    .update(tasks)
    .set({ state: 'failed', errorCode: 'INTERRUPTED', errorMessage: interruptedMessage, ...finished })
    .where(and(eq(tasks.state, 'running'), stranded))
    .returning({ id: tasks.id, workspaceId: tasks.workspaceId });
  for (const task of failed) await announce(deps, task, interruptedEvents());

  const queued = await deps.db
    .update(tasks)
    .set({ ownerInstance: deps.instance.id, leaseUntil: leaseFrom(deps.instance.leaseMs) })
    .where(and(eq(tasks.state, 'queued'), stranded))
    .returning({ id: tasks.id });
  for (const task of queued) await enqueue(task.id);

  return {
    requeued: queued.map((t) => t.id),
    failed: failed.map((t) => t.id),
    cancelled: cancelled.map((t) => t.id),
  };
}

/**
 * Ends a running task no live instance holds as cancelled, at once; false when a live instance holds it (that
 * instance stops it and records the cancellation itself).
 */
export async function cancelStranded(deps: TaskDeps, taskId: string): Promise<boolean> {
  const [task] = await deps.db
    .update(tasks)
    .set({ state: 'cancelled', cancelRequestedAt: new Date(), finishedAt: new Date(), leaseUntil: null })
    .where(and(eq(tasks.id, taskId), eq(tasks.state, 'running'), leaseExpired))
    .returning({ id: tasks.id, workspaceId: tasks.workspaceId });
  if (!task) return false;
  await announce(deps, task, cancelledEvents());
  return true;
}

/** Records the wish durably, for the holder's next renewal; CONFLICT when the task is no longer running. */
export async function requestCancel(deps: TaskDeps, taskId: string): Promise<void> {
  const rows = await deps.db
    .update(tasks)
    .set({ cancelRequestedAt: new Date() })
    .where(and(eq(tasks.id, taskId), eq(tasks.state, 'running')))
    .returning({ id: tasks.id });
  if (rows.length === 0) throw new AppError('CONFLICT', 'This task has already finished.');
}

export interface LeaseKeeper {
  /** Runs the first sweep; resolves when it is done. */
  start(): Promise<Recovered>;
  stop(): Promise<void>;
}

/**
 * Renews this instance's leases a few times per lease and sweeps for stranded tasks every `sweepMs`. A failed
 * round (database briefly away) is logged and tried again next time: the lease is long enough to miss one.
 */
export function keepLeases(
  deps: TaskDeps & Pick<AppDeps, 'logger' | 'database'>,
  runner: { enqueue(taskId: string): Promise<void>; abortHere(taskId: string): void },
  sweepMs: number,
): LeaseKeeper {
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
    let busy = false;
    const timer = setInterval(() => {
      // A round that outlasts its interval (a slow database) is not stacked under the next one.
      if (stopped || busy) return;
      busy = true;
      const round = fn()
        .catch((error: unknown) => deps.logger.warn({ err: error }, what))
        .finally(() => {
          busy = false;
          inFlight.delete(round);
        });
      inFlight.add(round);
    }, ms);
    timer.unref();
    timers.push(timer);
  };
  const sweep = async (everything: boolean) => {
    const recovered = await recoverStrandedTasks(deps, (id) => runner.enqueue(id), { everything });
    const count = recovered.requeued.length + recovered.failed.length + recovered.cancelled.length;
    if (count > 0) deps.logger.info(recovered, 'recovered tasks left by a stopped instance');
    return recovered;
  };
  return {
    start: async () => {
      const first = await sweep(deps.database.kind === 'pglite');
      every(
        Math.max(50, Math.floor(deps.instance.leaseMs / 3)),
        async () => {
          for (const id of await renewLeases(deps)) runner.abortHere(id);
        },
        'task lease renewal failed',
      );
      every(sweepMs, () => sweep(false), 'stranded task sweep failed');
      return first;
    },
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
