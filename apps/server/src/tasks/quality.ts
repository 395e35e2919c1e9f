// The quality record of AI tasks: members' ratings, the survival verdict of accepted changes (decided a day after
// the first accept by `sweepSurvival`, run periodically and before each report), and the per-model report the
// admin console charts. The run itself records its first-round result, rounds and findings (execute.ts).
import {
  AppError,
  insertedText,
  qualityReport,
  survivalVerdict,
  taskAuthor,
  SURVIVAL_WINDOW_MS,
  type QualityInput,
  type TaskRating,
} from '@tandem/core';
import { and, eq, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { docAuthors, taskRatings, tasks } from '../db/schema.ts';
import { writeAudit } from '../services/audit.ts';
import type { TaskRow } from './service.ts';

type QualityDeps = Pick<AppDeps, 'db' | 'rooms' | 'authorship' | 'logger'>;

const unfinished = new Set<TaskRow['state']>(['queued', 'running']);

/** A member's rating of a finished task: one each, a new one replaces theirs. Audited. */
export async function rateTask(
  deps: Pick<AppDeps, 'db'>,
  actor: { actorId: string; ip?: string | undefined; requestId?: string | undefined },
  task: Pick<TaskRow, 'id' | 'workspaceId' | 'state' | 'kind'>,
  rating: TaskRating,
  note: string | undefined,
) {
  if (task.kind !== 'ai') throw new AppError('BAD_INPUT', 'Only AI tasks are rated; this is a git pull.');
  if (unfinished.has(task.state)) {
    throw new AppError('CONFLICT', 'Rate the task once it has finished.');
  }
  const text = note === undefined || note === '' ? null : note;
  const now = new Date();
  await deps.db
    .insert(taskRatings)
    .values({ taskId: task.id, userId: actor.actorId, rating, note: text, updatedAt: now })
    .onConflictDoUpdate({
      target: [taskRatings.taskId, taskRatings.userId],
      set: { rating, note: text, updatedAt: now },
    });
  await writeAudit(deps.db, {
    action: 'task.rate',
    actorId: actor.actorId,
    ip: actor.ip,
    requestId: actor.requestId,
    workspaceId: task.workspaceId,
    targetId: task.id,
    meta: { rating, ...(text ? { note: true } : {}) },
  });
  return { rating, note: text };
}

/** How a task was rated: the counts, and the caller's own rating. */
export async function taskRatingsOf(deps: Pick<AppDeps, 'db'>, taskId: string, userId: string) {
  const rows = await deps.db
    .select({ userId: taskRatings.userId, rating: taskRatings.rating, note: taskRatings.note })
    .from(taskRatings)
    .where(eq(taskRatings.taskId, taskId));
  const mine = rows.find((r) => r.userId === userId);
  return {
    up: rows.filter((r) => r.rating === 'up').length,
    down: rows.filter((r) => r.rating === 'down').length,
    mine: mine ? { rating: mine.rating, note: mine.note } : null,
  };
}

/** Tasks looked at per sweep; the rest wait for the next one. */
const SWEEP_BATCH = 200;

/**
 * Decides the survival of accepted tasks whose verdict is still open: rolled back or rewritten (their text read from
 * the live document through the recorded authorship of their hunks) at once, survived once their day is over.
 * `now` is injectable so tests need not wait a day. Returns how many were decided.
 */
export async function sweepSurvival(deps: QualityDeps, now = new Date()): Promise<number> {
  const open = await deps.db
    .select({
      id: tasks.id,
      workspaceId: tasks.workspaceId,
      acceptedAt: tasks.acceptedAt,
      rolledBackAt: tasks.rolledBackAt,
    })
    .from(tasks)
    .where(and(isNotNull(tasks.acceptedAt), isNull(tasks.survivalDecidedAt)))
    .orderBy(tasks.acceptedAt)
    .limit(SWEEP_BATCH);
  if (open.length === 0) return 0;
  await deps.authorship.settled();
  let decided = 0;
  for (const task of open) {
    try {
      const spans = await deps.db
        .select({
          client: docAuthors.client,
          clockStart: docAuthors.clockStart,
          clockEnd: docAuthors.clockEnd,
        })
        .from(docAuthors)
        .where(and(eq(docAuthors.workspaceId, task.workspaceId), eq(docAuthors.author, taskAuthor(task.id))));
      // Inside its day and neither rolled back nor with anything to read: nothing can decide it yet.
      const due = task.acceptedAt !== null && now.getTime() - task.acceptedAt.getTime() >= SURVIVAL_WINDOW_MS;
      if (!due && task.rolledBackAt === null && spans.length === 0) continue;
      const text =
        spans.length === 0
          ? { inserted: 0, remaining: 0 }
          : await deps.rooms.transact(task.workspaceId, (doc) => insertedText(doc, spans));
      const verdict = survivalVerdict({
        acceptedAt: task.acceptedAt,
        rolledBackAt: task.rolledBackAt,
        now,
        text,
      });
      if (verdict === null || verdict === 'pending') continue;
      await deps.db
        .update(tasks)
        .set({ survived: verdict === 'survived', survivalDecidedAt: now })
        .where(and(eq(tasks.id, task.id), isNull(tasks.survivalDecidedAt)));
      decided += 1;
    } catch (error) {
      deps.logger.warn({ err: error, taskId: task.id }, 'could not decide whether a task survived');
    }
  }
  return decided;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The admin console's quality report: per model and day or week (core `qualityReport`). */
export async function qualityOverview(deps: QualityDeps, input: QualityInput, now = new Date()) {
  await sweepSurvival(deps, now);
  const to = input.to ?? now;
  const from = input.from ?? new Date(to.getTime() - (input.bucket === 'week' ? 12 * 7 : 30) * DAY_MS);
  const rows = await deps.db
    .select({
      model: tasks.model,
      state: tasks.state,
      createdAt: tasks.createdAt,
      firstRoundPassed: tasks.firstRoundPassed,
      survived: tasks.survived,
      ratingsUp: sql<number>`(select count(*)::int from ${taskRatings} where ${taskRatings.taskId} = ${tasks.id} and ${taskRatings.rating} = 'up')`,
      ratingsDown: sql<number>`(select count(*)::int from ${taskRatings} where ${taskRatings.taskId} = ${tasks.id} and ${taskRatings.rating} = 'down')`,
    })
    .from(tasks)
    .where(
      and(eq(tasks.kind, 'ai'), gte(tasks.createdAt, from), lt(tasks.createdAt, new Date(to.getTime() + 1))),
    );
  return qualityReport(rows, { from, to, bucket: input.bucket });
}
