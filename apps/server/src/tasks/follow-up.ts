// Continuing a finished task: a follow-up makes the next revision of its changeset. The current revision is kept
// with its decisions in task_revisions, the task goes back to the queue, and its run (execute.ts) shows the model
// the conversation so far, the live files with the previous revision's open changes, and the review comments the
// follow-up names. Also: the other undecided tasks on the same files, announced in both tasks' timelines.
import {
  AppError,
  changesetSchema,
  findOverlaps,
  isUndecided,
  taskPaths,
  type Changeset,
  type FollowUpTaskInput,
  type TaskEvent,
} from '@tandem/core';
import type { ConversationTurn, PromptComment } from '@tandem/core/ai';
import { and, asc, eq, inArray, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { taskEvents, taskRevisions, tasks } from '../db/schema.ts';
import { writeAudit } from '../services/audit.ts';
import { leaseFrom } from './leases.ts';
import { resolveModel } from './models.ts';
import {
  emit,
  getTask,
  mayRunModel,
  notAPull,
  withProcessLock,
  type DecisionActor,
  type TaskDeps,
  type TaskRow,
} from './service.ts';

/**
 * The review comments a follow-up shows the model: those it names, or the task's open threads when it names none.
 * Review comments live in their own module (`review/service.ts` `commentsForPrompt`); the app passes the lookup.
 */
export type CommentLookup = (taskId: string, commentIds: readonly string[]) => Promise<PromptComment[]>;

export async function followUpTask(
  deps: TaskDeps,
  actor: DecisionActor,
  taskId: string,
  input: Omit<FollowUpTaskInput, 'taskId'>,
  enqueue: (taskId: string) => Promise<void>,
): Promise<{ taskId: string; revision: number }> {
  const current = await getTask(deps, taskId);
  if (current.state === 'queued' || current.state === 'running') {
    throw new AppError('CONFLICT', 'This task is still running; wait for its proposal or cancel it first.');
  }
  notAPull(current);
  await mayRunModel(deps, actor.userId);
  // Fails with NO_MODEL before anything changes.
  await resolveModel(deps, current.model ?? undefined);
  const commentIds = input.commentIds ?? [];

  // In the same order as the decisions on the task (service.ts `decide`), so none lands on a superseded revision.
  const { task, revision } = await withProcessLock(taskId, async () => {
    const run = async (db: Db, lockRow: boolean) => {
      const query = db.select().from(tasks).where(eq(tasks.id, taskId));
      const [row] = lockRow ? await query.for('update') : await query;
      if (!row) throw new AppError('NOT_FOUND', 'Task not found');
      if (row.state === 'queued' || row.state === 'running') {
        throw new AppError(
          'CONFLICT',
          'This task is still running; wait for its proposal or cancel it first.',
        );
      }
      const next = row.revision + 1;
      // The superseded revision keeps its changeset as decided so far; revision 1's row appears only now.
      await db
        .insert(taskRevisions)
        .values({
          taskId,
          revision: row.revision,
          prompt: row.prompt,
          createdBy: row.createdBy,
          createdAt: row.createdAt,
          changeset: row.changeset,
        })
        .onConflictDoUpdate({
          target: [taskRevisions.taskId, taskRevisions.revision],
          set: { changeset: row.changeset },
        });
      await db
        .insert(taskRevisions)
        .values({ taskId, revision: next, prompt: input.prompt, commentIds, createdBy: actor.userId });
      await db
        .update(tasks)
        .set({
          state: 'queued',
          revision: next,
          changeset: null,
          errorCode: null,
          errorMessage: null,
          checkResults: [],
          findings: [],
          startedAt: null,
          finishedAt: null,
          cancelRequestedAt: null,
          ownerInstance: deps.instance.id,
          leaseUntil: leaseFrom(deps.instance.leaseMs),
        })
        .where(eq(tasks.id, taskId));
      return { task: row, revision: next };
    };
    return deps.database.kind === 'pglite'
      ? run(deps.db, false)
      : deps.db.transaction((tx) => run(tx as unknown as Db, true));
  });
  await writeAudit(deps.db, {
    action: 'task.follow_up',
    actorId: actor.userId,
    ip: actor.ip,
    requestId: actor.requestId,
    workspaceId: task.workspaceId,
    targetId: taskId,
    meta: { revision, commentIds },
  });
  await deps.channels.taskChanges.publish(task.workspaceId, { taskId, state: 'queued' });
  await emit(deps, taskId, {
    type: 'follow-up',
    revision,
    prompt: input.prompt,
    by: actor.userId,
    ...(commentIds.length > 0 ? { commentIds } : {}),
  });
  await emit(deps, taskId, { type: 'status', status: 'queued', message: `Revision ${String(revision)}` });
  await enqueue(taskId);
  return { taskId, revision };
}

export interface FollowUpRun {
  prompt: string;
  commentIds: string[];
  /** The revision this run supersedes, as decided so far (null when it proposed nothing). */
  previous: Changeset | null;
  conversation: ConversationTurn[];
}

/** What a follow-up run needs: its request, the superseded revision, and the conversation before it. */
export async function loadFollowUp(db: Db, task: TaskRow): Promise<FollowUpRun> {
  const rows = await db
    .select()
    .from(taskRevisions)
    .where(and(eq(taskRevisions.taskId, task.id)))
    .orderBy(asc(taskRevisions.revision));
  const current = rows.find((r) => r.revision === task.revision);
  const previous = rows.find((r) => r.revision === task.revision - 1);
  if (!current) throw new AppError('INTERNAL', `Revision ${String(task.revision)} of the task is missing.`);
  // The model's answers are its streamed output, between the follow-ups that asked for the next revision.
  const log = await db
    .select({ data: taskEvents.data })
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, task.id), inArray(taskEvents.type, ['output', 'follow-up'])))
    .orderBy(asc(taskEvents.seq));
  const answers: string[][] = [[]];
  for (const { data } of log) {
    const event = data as TaskEvent;
    if (event.type === 'follow-up') answers.push([]);
    else if (event.type === 'output') answers.at(-1)?.push(event.text);
  }
  const conversation = rows
    .filter((r) => r.revision < task.revision)
    .map((r) => ({ prompt: r.prompt, answer: answers[r.revision - 1]?.join('') ?? '' }));
  const parsed = previous?.changeset == null ? null : changesetSchema.safeParse(previous.changeset);
  return {
    prompt: current.prompt,
    commentIds: current.commentIds,
    previous: parsed?.success ? parsed.data : null,
    conversation,
  };
}

/** An earlier revision of a task's changeset (the current one is the task's own). */
export async function getRevision(db: Db, task: TaskRow, revision: number) {
  if (revision === task.revision) {
    return { revision, changeset: task.changeset === null ? null : changesetSchema.parse(task.changeset) };
  }
  const [row] = await db
    .select()
    .from(taskRevisions)
    .where(and(eq(taskRevisions.taskId, task.id), eq(taskRevisions.revision, revision)));
  if (!row || revision > task.revision) throw new AppError('NOT_FOUND', 'This task has no such revision.');
  return { revision, changeset: row.changeset === null ? null : changesetSchema.parse(row.changeset) };
}

/** A task's revisions: number, request and who asked, oldest first (one entry for a task never continued). */
export async function listRevisions(db: Db, task: TaskRow) {
  const rows = await db
    .select({
      revision: taskRevisions.revision,
      prompt: taskRevisions.prompt,
      createdBy: taskRevisions.createdBy,
      createdAt: taskRevisions.createdAt,
    })
    .from(taskRevisions)
    .where(and(eq(taskRevisions.taskId, task.id), lt(taskRevisions.revision, task.revision + 1)))
    .orderBy(asc(taskRevisions.revision));
  if (rows.length > 0) return rows;
  return [{ revision: 1, prompt: task.prompt, createdBy: task.createdBy, createdAt: task.createdAt }];
}

const PROMPT_CUT = 200;
const cut = (text: string) => (text.length <= PROMPT_CUT ? text : `${text.slice(0, PROMPT_CUT - 1)}…`);

/**
 * Announces, in this task's timeline and in theirs, the other running or undecided tasks of the workspace that touch
 * any of `paths`. `announced` holds the tasks already named in this run, so each pair is told once per run.
 */
export async function announceOverlaps(
  deps: TaskDeps,
  task: Pick<TaskRow, 'id' | 'workspaceId' | 'prompt'>,
  state: string,
  paths: readonly string[],
  announced: Set<string>,
): Promise<void> {
  if (paths.length === 0) return;
  const others = await deps.db
    .select({
      id: tasks.id,
      prompt: tasks.prompt,
      state: tasks.state,
      paths: tasks.paths,
      changeset: tasks.changeset,
    })
    .from(tasks)
    .where(
      and(
        eq(tasks.workspaceId, task.workspaceId),
        ne(tasks.id, task.id),
        inArray(tasks.state, ['queued', 'running', 'proposed', 'applied']),
      ),
    );
  const undecided = others
    .map((o) => ({
      ...o,
      changeset: o.changeset == null ? null : changesetSchema.safeParse(o.changeset).data,
    }))
    .filter((o) => !announced.has(o.id) && isUndecided(o.state, o.changeset));
  if (undecided.length === 0) return;
  const contexts = await deps.db
    .select({ taskId: taskEvents.taskId, data: taskEvents.data })
    .from(taskEvents)
    .where(
      and(
        inArray(
          taskEvents.taskId,
          undecided.map((o) => o.id),
        ),
        eq(taskEvents.type, 'context'),
      ),
    );
  const contextOf = new Map(
    contexts.map((c) => [c.taskId, (c.data as Extract<TaskEvent, { type: 'context' }>).files]),
  );
  const overlaps = findOverlaps(
    task.id,
    paths,
    undecided.map((o) => ({
      taskId: o.id,
      prompt: o.prompt,
      state: o.state,
      paths: taskPaths({ changeset: o.changeset, pinned: o.paths, context: contextOf.get(o.id) }),
    })),
  );
  for (const overlap of overlaps) {
    announced.add(overlap.taskId);
    const shared = overlap.paths.slice(0, 100);
    await emit(deps, task.id, {
      type: 'overlap',
      taskId: overlap.taskId,
      prompt: cut(overlap.prompt),
      state: overlap.state,
      paths: shared,
    });
    await emit(deps, overlap.taskId, {
      type: 'overlap',
      taskId: task.id,
      prompt: cut(task.prompt),
      state,
      paths: shared,
    });
  }
}
