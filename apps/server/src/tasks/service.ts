// Tasks: creation with quota and model checks, listing, cancel, and the human decisions on a proposal (accept,
// reject, resolve a conflict, roll back). Every document change goes through `rooms.transact`, so it is durable
// before anyone sees it, and every decision is an event in the task's log.
import { randomUUID } from 'node:crypto';
import {
  AppError,
  applyHunks,
  blockingFindingsOn,
  checkEventSchema,
  findingSchema,
  changesetSchema,
  markRolledBack,
  rejectHunks,
  resolveConflict,
  conflictWriters,
  deletedRuns,
  findHunk,
  rollbackTask,
  selectHunkIds,
  taskOrigin,
  undoRecordSchema,
  type Changeset,
  type ConflictChoice,
  type CreateTaskInput,
  type HunkConflict,
  type HunkSelection,
  type TaskEvent,
  type UndoRecord,
} from '@tandem/core';
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import type { AppDeps } from '../deps.ts';
import { tasks, workspaces } from '../db/schema.ts';
import { writeAudit, type AuditAction } from '../services/audit.ts';
import { getCostSettings } from '../services/settings.ts';
import { ensureApproved } from '../review/approval-gate.ts';
import { autoCommitTask } from '../services/git.ts';
import { appendTaskEvent } from './events.ts';
import { cancelStranded, cancelledEvents, leaseFrom, requestCancel } from './leases.ts';
import { availableModels, resolveModel } from './models.ts';

export type TaskDeps = Pick<
  AppDeps,
  | 'db'
  | 'database'
  | 'channels'
  | 'rooms'
  | 'limits'
  | 'config'
  | 'instance'
  | 'secrets'
  | 'authorship'
  | 'git'
>;
export type TaskRow = typeof tasks.$inferSelect;

/** The closing event of a task that ended before the model ran. */
export function doneWithoutRun(outcome: 'cancelled' | 'failed'): TaskEvent {
  return { type: 'done', outcome, tokensIn: 0, tokensOut: 0, costUsd: null, totalMs: 0, phaseMs: {} };
}

export async function emit(deps: TaskDeps, taskId: string, event: TaskEvent) {
  return appendTaskEvent(deps.db, deps.channels.taskEvents, taskId, event);
}

function startOfUtcDay(now = new Date()) {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export async function tokensUsedToday(deps: Pick<AppDeps, 'db'>, userId: string): Promise<number> {
  const [row] = await deps.db
    .select({ n: sql<string | number>`coalesce(sum(${tasks.tokensIn} + ${tasks.tokensOut}), 0)::bigint` })
    .from(tasks)
    .where(and(eq(tasks.createdBy, userId), gte(tasks.createdAt, startOfUtcDay())));
  // bigint sums arrive as strings from pg.
  return Number(row?.n ?? 0);
}

/** The rate limit and daily token quota every model run (a new task or a follow-up) passes first. */
export async function mayRunModel(deps: TaskDeps, userId: string) {
  await deps.limits.consume('tasksPerUser', userId);
  const cost = await getCostSettings(deps.db);
  if (cost.dailyTokenQuota > 0) {
    const used = await tokensUsedToday(deps, userId);
    if (used >= cost.dailyTokenQuota) {
      throw new AppError(
        'QUOTA_EXCEEDED',
        `You have used your daily allowance of ${cost.dailyTokenQuota.toLocaleString('en')} tokens. It resets at 00:00 UTC.`,
        { details: { used, quota: cost.dailyTokenQuota } },
      );
    }
  }
}

export async function createTask(
  deps: TaskDeps,
  userId: string,
  input: CreateTaskInput,
  enqueue: (taskId: string) => Promise<void>,
) {
  await mayRunModel(deps, userId);
  // Fails with NO_MODEL (and how to configure one) before anything is queued.
  let model = await resolveModel(deps);
  if (input.model !== undefined && input.model !== model.model) {
    // Only what the instance offers: a model name is also a price and a provider account, which the admin chose.
    const offered = await availableModels(deps);
    if (!offered.models.includes(input.model)) {
      throw new AppError('BAD_INPUT', `This instance does not offer the model "${input.model}".`, {
        details: { model: input.model, offered: offered.models },
      });
    }
    model = await resolveModel(deps, input.model);
  }
  const id = randomUUID();
  const [row] = await deps.db
    .insert(tasks)
    .values({
      id,
      workspaceId: input.workspaceId,
      createdBy: userId,
      prompt: input.prompt,
      model: model.model,
      paths: input.paths ?? [],
      openPaths: input.openPaths ?? [],
      // Held by this instance until a runner claims it; if this instance dies first, another queues it again.
      ownerInstance: deps.instance.id,
      leaseUntil: leaseFrom(deps.instance.leaseMs),
    })
    .returning();
  if (!row) throw new AppError('INTERNAL', 'Task insert returned nothing');
  await emit(deps, id, { type: 'status', status: 'queued' });
  await deps.channels.taskChanges.publish(row.workspaceId, { taskId: id, state: 'queued' });
  await enqueue(id);
  return row;
}

/**
 * Runs a finished task's request again as a new task (same prompt, model and files), for a failed or cancelled
 * run. The new task goes through every check of `createTask` (quota, rate limit, the offered models).
 */
export async function retryTask(
  deps: TaskDeps,
  userId: string,
  task: TaskRow,
  enqueue: (taskId: string) => Promise<void>,
) {
  if (task.state === 'queued' || task.state === 'running') {
    throw new AppError('CONFLICT', 'This task is still running; cancel it before running it again.');
  }
  notAPull(task);
  return createTask(
    deps,
    userId,
    {
      workspaceId: task.workspaceId,
      prompt: task.prompt,
      ...(task.model ? { model: task.model } : {}),
      paths: task.paths,
      openPaths: task.openPaths,
    },
    enqueue,
  );
}

/** A pull's review is decided like a task's, but there is no prompt for a model to run again or continue. */
export function notAPull(task: Pick<TaskRow, 'kind'>) {
  if (task.kind === 'git-pull') {
    throw new AppError(
      'BAD_INPUT',
      'This is a git pull, not an AI task: there is nothing to run again or continue.',
    );
  }
}

export async function getTask(deps: Pick<AppDeps, 'db'>, taskId: string): Promise<TaskRow> {
  const [row] = await deps.db.select().from(tasks).where(eq(tasks.id, taskId)).limit(1);
  if (!row) throw new AppError('NOT_FOUND', 'Task not found');
  return row;
}

export function listTasks(deps: Pick<AppDeps, 'db'>, workspaceId: string, limit: number) {
  return deps.db
    .select({
      id: tasks.id,
      kind: tasks.kind,
      prompt: tasks.prompt,
      model: tasks.model,
      state: tasks.state,
      createdBy: tasks.createdBy,
      errorCode: tasks.errorCode,
      tokensIn: tasks.tokensIn,
      tokensOut: tasks.tokensOut,
      costUsd: tasks.costUsd,
      createdAt: tasks.createdAt,
      finishedAt: tasks.finishedAt,
    })
    .from(tasks)
    .where(eq(tasks.workspaceId, workspaceId))
    .orderBy(desc(tasks.createdAt))
    .limit(limit);
}

/** Moves a queued task to running; false when it was cancelled (or claimed) meanwhile. */
export async function claimTask(deps: TaskDeps, task: Pick<TaskRow, 'id' | 'workspaceId'>): Promise<boolean> {
  const rows = await deps.db
    .update(tasks)
    .set({
      state: 'running',
      startedAt: new Date(),
      ownerInstance: deps.instance.id,
      leaseUntil: leaseFrom(deps.instance.leaseMs),
    })
    .where(and(eq(tasks.id, task.id), eq(tasks.state, 'queued')))
    .returning({ id: tasks.id });
  if (rows.length === 0) return false;
  await deps.channels.taskChanges.publish(task.workspaceId, { taskId: task.id, state: 'running' });
  return true;
}

/**
 * Records how a run on this instance ended; false when the task is no longer this instance's to finish (its lease
 * ran out and another instance ended it, or a cancel of a stranded task did): the run's result is then dropped.
 */
export async function finishRun(
  deps: TaskDeps,
  task: Pick<TaskRow, 'id' | 'workspaceId'>,
  patch: Partial<TaskRow>,
) {
  const rows = await deps.db
    .update(tasks)
    .set({ ...patch, leaseUntil: null })
    .where(and(eq(tasks.id, task.id), eq(tasks.state, 'running'), eq(tasks.ownerInstance, deps.instance.id)))
    .returning({ id: tasks.id });
  if (rows.length === 0) return false;
  if (patch.state) {
    await deps.channels.taskChanges.publish(task.workspaceId, { taskId: task.id, state: patch.state });
  }
  return true;
}

/**
 * Stops a task wherever it is: dropped from the queue, stopped by the instance running it (which records the
 * cancellation itself), or, when no live instance holds it (its instance crashed), ended as cancelled at once.
 */
export async function cancelTask(deps: TaskDeps, task: TaskRow, cancel: (taskId: string) => Promise<void>) {
  if (task.state === 'queued') {
    const rows = await deps.db
      .update(tasks)
      .set({ state: 'cancelled', finishedAt: new Date(), leaseUntil: null })
      .where(and(eq(tasks.id, task.id), eq(tasks.state, 'queued')))
      .returning({ id: tasks.id });
    if (rows.length > 0) {
      await cancel(task.id);
      for (const event of cancelledEvents()) await emit(deps, task.id, event);
      await deps.channels.taskChanges.publish(task.workspaceId, {
        taskId: task.id,
        state: 'cancelled',
      });
      return;
    }
  }
  if (await cancelStranded(deps, task.id)) return;
  // Durable first: the holder also finds the request when it renews its lease, should the broadcast be lost.
  await requestCancel(deps, task.id);
  await cancel(task.id);
}

const storedChecksSchema = z.array(checkEventSchema.omit({ type: true }));
const storedFindingsSchema = z.array(findingSchema);

/** The last checks of the task's proposal and what they found (empty before any ran, and for older tasks). */
export function checksOf(row: Pick<TaskRow, 'checkResults' | 'findings'>) {
  const checks = storedChecksSchema.safeParse(row.checkResults);
  const findings = storedFindingsSchema.safeParse(row.findings);
  return { checkResults: checks.data ?? [], findings: findings.data ?? [] };
}

/** A public view of a task: the changeset without its internal undo records, with its checks and findings. */
export function presentTask(row: TaskRow) {
  const { undo: _undo, lastSeq: _lastSeq, openPaths: _openPaths, ...rest } = row;
  return {
    ...rest,
    ...checksOf(row),
    changeset: row.changeset === null ? null : changesetSchema.parse(row.changeset),
  };
}

// Decisions on one task run one at a time, on every instance: each reads the changeset, changes the document and
// stores the new changeset, so two interleaved decisions would store one over the other (a hunk in the text but
// marked rejected, its undo record lost). Within a process a promise chain orders them; across processes the task
// row's lock does (`select … for update` in the decision's transaction). The events and the change notice go out
// after the commit: `appendTaskEvent` bumps the same row, and would wait for the lock its own decision holds.
const locks = new Map<string, Promise<unknown>>();
export async function withProcessLock<T>(taskId: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(taskId) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.catch(() => undefined);
  locks.set(taskId, settled);
  try {
    return await run;
  } finally {
    if (locks.get(taskId) === settled) locks.delete(taskId);
  }
}

// A decision holds one pooled connection for its transaction while the document write inside it needs another: with
// as many decisions as connections in flight, each would wait for a connection the others hold. Fewer decisions than
// the pool (10) run at once per process; the rest wait here, not in the pool.
const MAX_DECISION_TRANSACTIONS = 4;
let decisionTransactions = 0;
const waitingDecisions: (() => void)[] = [];
async function withDecisionSlot<T>(fn: () => Promise<T>): Promise<T> {
  while (decisionTransactions >= MAX_DECISION_TRANSACTIONS) {
    await new Promise<void>((resolve) => waitingDecisions.push(resolve));
  }
  decisionTransactions += 1;
  try {
    return await fn();
  } finally {
    decisionTransactions -= 1;
    waitingDecisions.shift()?.();
  }
}

/**
 * Who decides: a member through the API (with the request it came in), or the workspace's auto-apply policy
 * acting for the task's author.
 */
export interface DecisionActor {
  userId: string;
  ip?: string | undefined;
  requestId?: string | undefined;
  auto?: boolean;
}

interface Decision<T> {
  value: T;
  /** The stored outcome; omitted when the decision changed nothing. */
  save?: { changeset: Changeset; undo: readonly UndoRecord[]; state?: TaskRow['state'] };
  /** The audit entry the decision leaves (every decision on AI changes is security-relevant). */
  audit: { action: AuditAction; meta: Record<string, unknown> };
  events: TaskEvent[];
}

/** One decision on a task: the write, then its audit entry, then its events, in that order. */
async function decide<T>(
  deps: TaskDeps,
  taskId: string,
  actor: DecisionActor,
  fn: (task: TaskRow) => Decision<T> | Promise<Decision<T>>,
): Promise<T> {
  return withProcessLock(taskId, async () => {
    const run = async (db: Db, lockRow: boolean) => {
      const query = db.select().from(tasks).where(eq(tasks.id, taskId));
      const [task] = lockRow ? await query.for('update') : await query;
      if (!task) throw new AppError('NOT_FOUND', 'Task not found');
      const decision = await fn(task);
      const state = decision.save ? (decision.save.state ?? stateAfter(decision.save.changeset)) : task.state;
      if (decision.save) {
        await db
          .update(tasks)
          .set({
            changeset: decision.save.changeset,
            undo: [...decision.save.undo],
            state,
            // The quality record's survival day starts at the first accept; a rollback inside it ends it.
            ...(state === 'applied' && task.acceptedAt === null ? { acceptedAt: new Date() } : {}),
            ...(state === 'rolled-back' ? { rolledBackAt: new Date() } : {}),
          })
          .where(eq(tasks.id, taskId));
      }
      return { task, decision, state };
    };
    // Only one process can open an embedded database, so the process lock is the whole lock there; and PGlite runs
    // one transaction at a time with every other statement waiting, so the document write could not run inside one.
    const { task, decision, state } =
      deps.database.kind === 'pglite'
        ? await run(deps.db, false)
        : await withDecisionSlot(() => deps.db.transaction((tx) => run(tx as unknown as Db, true)));
    await writeAudit(deps.db, {
      action: decision.audit.action,
      actorId: actor.userId,
      ip: actor.ip,
      requestId: actor.requestId,
      workspaceId: task.workspaceId,
      targetId: taskId,
      meta: { ...decision.audit.meta, ...(actor.auto ? { auto: true } : {}) },
    });
    if (decision.save) {
      await deps.channels.taskChanges.publish(task.workspaceId, { taskId, state });
    }
    for (const event of decision.events) await emit(deps, taskId, event);
    return decision.value;
  });
}

function changesetOf(task: TaskRow): Changeset {
  if (task.changeset === null) throw new AppError('CONFLICT', 'This task has no proposal to decide on yet.');
  return changesetSchema.parse(task.changeset);
}

const undoListSchema = z.array(undoRecordSchema);

function stateAfter(changeset: Changeset): TaskRow['state'] {
  const hunks = changeset.files.flatMap((f) => f.hunks);
  if (hunks.some((h) => h.status === 'applied')) return 'applied';
  if (hunks.length > 0 && hunks.every((h) => h.status === 'rejected')) return 'rejected';
  return 'proposed';
}

const conflictEvents = (conflicts: readonly HunkConflict[]): TaskEvent[] =>
  conflicts.map((c) => ({ type: 'conflict', ...c }));

/** How many flagged findings an audit entry lists; the rest are counted. */
const AUDITED_FINDINGS = 50;

/**
 * After an AI task's hunks landed (accept, auto-apply, a conflict resolved its way): the workspace's auto-commit
 * option commits the files they touched, and the task's log says which commit that was or why there is none. The
 * acceptance is stored before this runs and stands whatever happens here.
 */
async function commitAccepted(
  deps: TaskDeps,
  actor: DecisionActor,
  task: Pick<TaskRow, 'id' | 'workspaceId' | 'prompt' | 'kind'>,
  paths: readonly string[],
) {
  if (task.kind !== 'ai' || paths.length === 0) return;
  const outcome = await autoCommitTask(deps, actor, task, [...new Set(paths)]);
  if (outcome) await emit(deps, task.id, { type: 'commit', ...outcome });
}

export async function acceptHunks(
  deps: TaskDeps,
  taskId: string,
  actor: DecisionActor,
  selection: HunkSelection,
  options: { acceptFindings?: boolean | undefined } = {},
) {
  const { userId } = actor;
  let decided: { task: TaskRow; paths: string[] } | undefined;
  const value = await decide(deps, taskId, actor, async (task) => {
    const changeset = changesetOf(task);
    const ids = selectHunkIds(changeset, selection);
    if (ids.length === 0) throw new AppError('BAD_INPUT', 'Nothing left to accept here.');
    await ensureApproved(deps.db, task);
    // A secret or a critical or high finding on a hunk: a person must say they saw it (auto-apply never gets here
    // with one, see mayAutoApply), and the accept is audited as flagged, with what was found.
    const flagged = blockingFindingsOn(checksOf(task).findings, ids);
    if (flagged.length > 0 && options.acceptFindings !== true) {
      throw new AppError(
        'CONFLICT',
        `${flagged.length === 1 ? 'A check flagged this change' : `Checks flagged these changes ${flagged.length} times`} (a secret, or a critical or high finding). Confirm to accept anyway.`,
        { details: { needsConfirmation: true, findings: flagged.slice(0, AUDITED_FINDINGS) } },
      );
    }
    // The task's origin on the outer transaction too: Yjs keeps the outermost origin, and authorship (git
    // co-authors) reads it to know these characters are the task's.
    const result = await deps.rooms.transact(
      task.workspaceId,
      (doc) => applyHunks(doc, changeset, ids, { taskId, userId }),
      taskOrigin(taskId, userId, 'apply'),
    );
    const undo = [...undoListSchema.parse(task.undo), ...result.undo];
    const applied = new Set(result.applied);
    decided = {
      task,
      paths: result.changeset.files.filter((f) => f.hunks.some((h) => applied.has(h.id))).map((f) => f.path),
    };
    const events: TaskEvent[] = [];
    if (result.applied.length > 0) events.push({ type: 'applied', by: userId, hunkIds: result.applied });
    events.push(...conflictEvents(result.conflicts));
    return {
      value: { applied: result.applied, conflicts: result.conflicts },
      save: { changeset: result.changeset, undo },
      audit:
        flagged.length > 0
          ? {
              action: 'task.accept_flagged',
              meta: {
                hunkIds: result.applied,
                conflicts: result.conflicts.map((c) => c.hunkId),
                findings: flagged.slice(0, AUDITED_FINDINGS).map((f) => ({
                  tool: f.tool,
                  rule: f.rule,
                  severity: f.severity,
                  path: f.path,
                  line: f.line,
                  hunkId: f.hunkId,
                })),
                findingsCount: flagged.length,
              },
            }
          : {
              action: 'task.accept',
              meta: { hunkIds: result.applied, conflicts: result.conflicts.map((c) => c.hunkId) },
            },
      events,
    };
  });
  if (decided) await commitAccepted(deps, actor, decided.task, decided.paths);
  return value;
}

export function rejectTaskHunks(
  deps: TaskDeps,
  taskId: string,
  actor: DecisionActor,
  selection: HunkSelection,
) {
  const { userId } = actor;
  return decide(deps, taskId, actor, (task) => {
    const changeset = changesetOf(task);
    const ids = selectHunkIds(changeset, selection).filter((id) =>
      changeset.files.some((f) => f.hunks.some((h) => h.id === id && h.status !== 'applied')),
    );
    if (ids.length === 0) throw new AppError('BAD_INPUT', 'Nothing left to reject here.');
    const next = rejectHunks(changeset, ids, { userId });
    return {
      value: { rejected: ids },
      save: { changeset: next, undo: undoListSchema.parse(task.undo) },
      audit: { action: 'task.reject', meta: { hunkIds: ids } },
      events: [{ type: 'rejected', by: userId, hunkIds: ids }],
    };
  });
}

export async function resolveTaskConflict(
  deps: TaskDeps,
  taskId: string,
  actor: DecisionActor,
  hunkId: string,
  choice: ConflictChoice,
  expectedOurs?: string,
): Promise<void> {
  const { userId } = actor;
  let resolvedTask: TaskRow | undefined;
  const settled = await decide(deps, taskId, actor, async (task) => {
    resolvedTask = task;
    const changeset = changesetOf(task);
    // Taking the task's side (or a merged text) applies its change: the approval policy holds as for accept.
    if (choice !== 'ours') await ensureApproved(deps.db, task);
    const { result, replaced } = await deps.rooms.transact(
      task.workspaceId,
      (doc) => {
        // Whose text stood in the lines, read before the resolution and checked after it: they are told.
        const writers = choice === 'ours' ? [] : conflictWriters(doc, changeset, hunkId);
        const resolved = resolveConflict(doc, changeset, hunkId, choice, {
          taskId,
          userId,
          ...(expectedOurs === undefined ? {} : { expectedOurs }),
        });
        return { result: resolved, replaced: deletedRuns(doc, writers) };
      },
      taskOrigin(taskId, userId, 'resolve'),
    );
    const overwrote = (await deps.authorship.authorsOf(task.workspaceId, replaced))
      .filter((a) => a.kind === 'user' && a.id !== userId)
      .map((a) => a.id);
    const undo = [...undoListSchema.parse(task.undo), ...(result.undo ? [result.undo] : [])];
    return {
      value: { workspaceId: task.workspaceId, path: findHunk(changeset, hunkId).file.path, overwrote },
      save: { changeset: result.changeset, undo },
      audit: {
        action: 'task.resolve_conflict',
        meta: { hunkId, choice, ...(overwrote.length > 0 ? { overwrote } : {}) },
      },
      events: [
        choice === 'ours'
          ? { type: 'rejected', by: userId, hunkIds: [hunkId] }
          : { type: 'applied', by: userId, hunkIds: [hunkId] },
      ],
    };
  });
  if (settled.overwrote.length > 0) {
    await deps.channels.reviewChanges.publish(settled.workspaceId, {
      kind: 'overwritten',
      taskId,
      path: settled.path,
      by: userId,
      userIds: settled.overwrote,
    });
  }
  if (resolvedTask && choice !== 'ours') await commitAccepted(deps, actor, resolvedTask, [settled.path]);
}

export function rollbackTaskChanges(deps: TaskDeps, taskId: string, actor: DecisionActor) {
  const { userId } = actor;
  return decide(deps, taskId, actor, async (task) => {
    const changeset = changesetOf(task);
    const undo = undoListSchema.parse(task.undo);
    if (undo.length === 0) throw new AppError('BAD_INPUT', 'Nothing of this task is applied.');
    const result = await deps.rooms.transact(task.workspaceId, (doc) =>
      rollbackTask(doc, undo, { taskId, userId }),
    );
    const next = markRolledBack(changeset, result.restored, { userId });
    const restored = new Set(result.restored);
    const remaining = undo.filter((u) => !restored.has(u.hunkId));
    return {
      value: { restored: result.restored, conflicts: result.conflicts },
      save: { changeset: next, undo: remaining, state: remaining.length === 0 ? 'rolled-back' : 'applied' },
      audit: {
        action: 'task.rollback',
        meta: { restored: result.restored, conflicts: result.conflicts.map((c) => c.hunkId) },
      },
      events: [
        {
          type: 'rolled-back',
          by: userId,
          restored: result.restored.length,
          conflicts: result.conflicts.length,
        },
        ...conflictEvents(result.conflicts),
      ],
    };
  });
}

/** Workspace policy: apply a task's clean proposal on its own. Owners only (checked by the procedure). */
export async function setAutoApply(
  deps: Pick<AppDeps, 'db'>,
  actor: { actorId: string; ip?: string | undefined; requestId?: string | undefined },
  workspaceId: string,
  autoApply: boolean,
) {
  await deps.db.update(workspaces).set({ autoApply }).where(eq(workspaces.id, workspaceId));
  await writeAudit(deps.db, { action: 'workspace.auto_apply', ...actor, workspaceId, meta: { autoApply } });
  return { autoApply };
}
