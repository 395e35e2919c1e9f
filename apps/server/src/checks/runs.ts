// Runs of a workspace's checks that a member started ("Run checks"): the live workspace as it is, in the real
// sandbox, streamed to every member through the run's event log. Decisions:
// - One run at a time per workspace (a partial unique index, so it holds across instances); pressing again while
//   one runs answers CONFLICT with the running run's id, which the caller can follow instead.
// - Without Redis the run executes on the instance that started it; the sandbox's own gate queues it behind other
//   runs here. With Redis it goes through a queue every instance takes from, up to its sandbox's slots
//   (run-queue.ts). Its events reach followers on any instance through the run's log and channel.
// - Output is coalesced (a flush every 50 ms or 8 KiB) before it becomes events, so a test printing character by
//   character costs a few rows, not thousands; each check keeps a bounded amount (core `CheckOutputBudget`).
// - The `sandboxChecks` feature flag gates a run where it starts, as it gates a task's checks: turned off by the
//   instance or the workspace, nothing runs in the sandbox and the caller gets FEATURE_DISABLED saying who.
// - A run still marked running after `staleAfterMs` lost its instance (a crash; a graceful stop cancels its
//   runs) and is ended as INTERRUPTED when the workspace's runs are next started.
import { randomUUID } from 'node:crypto';
import {
  AppError,
  captureBase,
  checkRunEnding,
  CheckOutputBudget,
  isAppError,
  planWorkspaceChecks,
  runChecks,
  type CheckName,
  type CheckRunDoneEvent,
  type CheckRunEvent,
} from '@tandem/core';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { checkRuns, users } from '../db/schema.ts';
import { writeAudit } from '../services/audit.ts';
import { requireFeature } from '../services/features.ts';
import { appendCheckRunEvent } from './run-events.ts';
import { taskChecks } from './task-checks.ts';

export type CheckRunDeps = Pick<
  AppDeps,
  'db' | 'channels' | 'rooms' | 'sandbox' | 'logger' | 'checkRuns' | 'checkRunQueue'
>;
export type CheckRunRow = typeof checkRuns.$inferSelect;

/** Longer than any run can take (every check's wall limit, the install and the sandbox's queue). */
export const staleAfterMs = 30 * 60_000;

/** The runs executing on this instance, so a graceful stop can cancel them and tests can wait for them. */
export class CheckRunTracker {
  readonly #running = new Map<string, { stop: AbortController; done: Promise<void> }>();
  #closed = false;

  /** Starts a run here; the promise resolves once it has recorded its end. */
  start(runId: string, execute: (signal: AbortSignal) => Promise<void>): Promise<void> {
    if (this.#closed) throw new AppError('CONFLICT', 'The server is stopping; run the checks again shortly.');
    const stop = new AbortController();
    const done = execute(stop.signal).finally(() => this.#running.delete(runId));
    this.#running.set(runId, { stop, done });
    return done;
  }

  /** The runs executing on this instance now. */
  runningIds(): string[] {
    return [...this.#running.keys()];
  }

  /** Resolves when every run started so far has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  /** Cancels every run here and waits until each has recorded its end. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const run of this.#running.values()) run.stop.abort();
    await this.idle();
  }
}

export async function getCheckRun(deps: Pick<AppDeps, 'db'>, runId: string): Promise<CheckRunRow> {
  const [row] = await deps.db.select().from(checkRuns).where(eq(checkRuns.id, runId)).limit(1);
  if (!row) throw new AppError('NOT_FOUND', 'Check run not found');
  return row;
}

export function listCheckRuns(deps: Pick<AppDeps, 'db'>, workspaceId: string, limit: number) {
  return deps.db
    .select({
      id: checkRuns.id,
      state: checkRuns.state,
      createdBy: checkRuns.createdBy,
      createdByName: users.name,
      errorCode: checkRuns.errorCode,
      summary: checkRuns.summary,
      createdAt: checkRuns.createdAt,
      finishedAt: checkRuns.finishedAt,
    })
    .from(checkRuns)
    .leftJoin(users, eq(users.id, checkRuns.createdBy))
    .where(eq(checkRuns.workspaceId, workspaceId))
    .orderBy(desc(checkRuns.createdAt))
    .limit(limit);
}

/** Starts a run of the workspace's checks: the row, its audit entry, the change notice, then the run itself. */
export async function startCheckRun(
  deps: CheckRunDeps,
  actor: { actorId: string; ip?: string | undefined; requestId?: string | undefined },
  workspaceId: string,
): Promise<{ runId: string }> {
  await requireFeature(deps.db, workspaceId, 'sandboxChecks');
  await endStaleRuns(deps, workspaceId);
  const id = randomUUID();
  const [row] = await deps.db
    .insert(checkRuns)
    .values({ id, workspaceId, createdBy: actor.actorId })
    .onConflictDoNothing()
    .returning();
  if (!row) {
    const [running] = await deps.db
      .select({ id: checkRuns.id })
      .from(checkRuns)
      .where(and(eq(checkRuns.workspaceId, workspaceId), eq(checkRuns.state, 'running')));
    throw new AppError('CONFLICT', 'The checks of this workspace are already running.', {
      details: { runId: running?.id },
    });
  }
  await writeAudit(deps.db, { action: 'check.run', ...actor, workspaceId, targetId: id });
  await deps.channels.checkRunChanges.publish(workspaceId, { runId: id, state: 'running' });
  await deps.checkRunQueue.submit(id);
  return { runId: id };
}

/** Executes a submitted run on this instance, unless it has ended meanwhile (interrupted as stale). */
export async function executeSubmittedRun(deps: CheckRunDeps, runId: string): Promise<void> {
  const run = await getCheckRun(deps, runId);
  if (run.state !== 'running') return;
  await deps.checkRuns.start(runId, (signal) => executeCheckRun(deps, run, signal));
}

async function endStaleRuns(deps: CheckRunDeps, workspaceId: string) {
  const stale = await deps.db
    .update(checkRuns)
    .set({
      state: 'error',
      errorCode: 'INTERRUPTED',
      summary: 'The server stopped while the checks ran.',
      finishedAt: new Date(),
    })
    .where(
      and(
        eq(checkRuns.workspaceId, workspaceId),
        eq(checkRuns.state, 'running'),
        lt(checkRuns.createdAt, new Date(Date.now() - staleAfterMs)),
      ),
    )
    .returning({ id: checkRuns.id });
  for (const { id } of stale) {
    await appendCheckRunEvent(deps.db, deps.channels.checkRunEvents, id, {
      type: 'done',
      status: 'error',
      code: 'INTERRUPTED',
      message: 'The server stopped while the checks ran.',
      durationMs: 0,
    });
    await deps.channels.checkRunChanges.publish(workspaceId, { runId: id, state: 'error' });
  }
}

const FLUSH_MS = 50;
const FLUSH_CHARS = 8_192;

/** Runs the checks and records everything they say; never throws (a failure is the run's ending). */
export async function executeCheckRun(deps: CheckRunDeps, run: CheckRunRow, signal: AbortSignal) {
  const started = performance.now();
  // Appends go one after another in the order they were asked for, whatever awaits in between.
  let chain: Promise<unknown> = Promise.resolve();
  const append = (event: CheckRunEvent) => {
    // A failed append uses no sequence number (the statement is atomic): the log stays gap-free, this event is lost.
    chain = chain
      .then(() => appendCheckRunEvent(deps.db, deps.channels.checkRunEvents, run.id, event))
      .catch((error: unknown) =>
        deps.logger.error({ err: error, runId: run.id }, 'a check run event was lost'),
      );
    return chain;
  };
  const budget = new CheckOutputBudget();
  let pending: { check: CheckName; stream: 'stdout' | 'stderr'; text: string } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending === undefined) return;
    for (const event of budget.take(pending.check, pending.text, pending.stream)) void append(event);
    pending = undefined;
  };

  let ending: CheckRunDoneEvent;
  try {
    const files = await deps.rooms.transact(run.workspaceId, (doc) => captureBase(doc).texts);
    const outcome = await runChecks({
      sandbox: deps.sandbox,
      files,
      plan: planWorkspaceChecks(files),
      signal,
      ...taskChecks(deps.sandbox, deps.logger),
      onOutput: (check, chunk, stream) => {
        if (pending !== undefined && (pending.check !== check || pending.stream !== stream)) flush();
        pending = { check, stream, text: (pending?.text ?? '') + chunk };
        if (pending.text.length >= FLUSH_CHARS) flush();
        else timer ??= setTimeout(flush, FLUSH_MS);
      },
      onEvent: async (event) => {
        flush();
        if (event.type === 'check' && event.status !== 'running') {
          for (const note of budget.finish(event.check)) void append(note);
        }
        await append(event);
      },
    });
    ending = checkRunEnding(outcome, performance.now() - started);
  } catch (error) {
    const durationMs = performance.now() - started;
    if (isAppError(error) && error.code === 'CANCELLED') {
      ending = {
        type: 'done',
        status: 'cancelled',
        code: 'CANCELLED',
        message: 'The checks were cancelled.',
        durationMs,
      };
    } else {
      deps.logger.error({ err: error, runId: run.id }, 'a check run failed');
      ending = {
        type: 'done',
        status: 'error',
        code: 'INTERNAL',
        message: 'The checks stopped unexpectedly.',
        durationMs,
      };
    }
  }
  try {
    flush();
    await chain;
    // Stored finished before anyone hears `done`: whoever reads the run then must not see it running.
    const ended = await deps.db
      .update(checkRuns)
      .set({
        state: ending.status,
        errorCode: ending.code ?? null,
        summary: ending.message ?? null,
        finishedAt: new Date(),
      })
      .where(and(eq(checkRuns.id, run.id), eq(checkRuns.state, 'running')))
      .returning({ id: checkRuns.id });
    if (ended.length === 0) return; // ended as interrupted meanwhile
    await append(ending);
    await deps.channels.checkRunChanges.publish(run.workspaceId, { runId: run.id, state: ending.status });
  } catch (error) {
    deps.logger.error({ err: error, runId: run.id }, 'a check run could not record its end');
  }
}
