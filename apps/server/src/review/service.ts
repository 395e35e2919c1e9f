// Review comments and verdicts. Each mutation writes, then leaves its audit entry, then tells every member (the
// workspace's review channel, and for a task the task's event log, which the timeline shows), in that order.
// Decisions:
// - The author of a comment or verdict is the caller, from the session; no input names a user.
// - A thread is its first comment plus replies; resolving and re-opening act on the thread.
// - A live file comment stores a Yjs line anchor (core `createLineAnchor`) and is shown where the line is now.
import { randomUUID } from 'node:crypto';
import {
  AppError,
  changesetSchema,
  commentTargetSchema,
  currentVerdicts,
  reviewLimits,
  resolveLineAnchor,
  createLineAnchor,
  type CreateCommentInput,
  type LineAnchor,
  type ResolvedLineAnchor,
  type TaskEvent,
  type Verdict,
} from '@tandem/core';
import { aliasedTable, and, asc, count, eq, isNotNull, isNull } from 'drizzle-orm';
import type { PromptComment } from '@tandem/core/ai';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { reviewComments, reviewVerdicts, tasks, users, workspaces } from '../db/schema.ts';
import { writeAudit, type AuditAction } from '../services/audit.ts';
import { appendTaskEvent } from '../tasks/events.ts';
import { memberVerdicts, taskApproval } from './approval-gate.ts';

export type ReviewDeps = Pick<AppDeps, 'db' | 'channels' | 'rooms'>;
export interface ReviewActor {
  actorId: string;
  ip?: string | undefined;
  requestId?: string | undefined;
}
type CommentRow = typeof reviewComments.$inferSelect;

const lineAnchorSchema = z.object({ start: z.string(), end: z.string(), text: z.string() });

const excerpt = (body: string) =>
  body.length <= reviewLimits.excerpt ? body : `${body.slice(0, reviewLimits.excerpt - 1)}…`;

/** After the write: the audit entry, the workspace notice, and the task's timeline event when on a task. */
async function announce(
  deps: ReviewDeps,
  actor: ReviewActor,
  entry: { action: AuditAction; workspaceId: string; targetId: string; meta: Record<string, unknown> },
  change: { kind: 'comment' | 'verdict'; taskId: string | null; commentId?: string },
  event: TaskEvent | null,
) {
  await writeAudit(deps.db, { ...actor, ...entry });
  if (change.taskId && event) await appendTaskEvent(deps.db, deps.channels.taskEvents, change.taskId, event);
  await deps.channels.reviewChanges.publish(entry.workspaceId, change);
}

async function taskIn(deps: ReviewDeps, workspaceId: string, taskId: string) {
  const [task] = await deps.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, taskId), eq(tasks.workspaceId, workspaceId)));
  // Another workspace's task is as unknown here as a missing one.
  if (!task) throw new AppError('NOT_FOUND', 'Task not found');
  return task;
}

export async function createComment(deps: ReviewDeps, actor: ReviewActor, input: CreateCommentInput) {
  const target = commentTargetSchema.parse(input.target);
  const id = randomUUID();
  let values: typeof reviewComments.$inferInsert;
  if (target.kind === 'hunk') {
    const task = await taskIn(deps, input.workspaceId, target.taskId);
    const changeset = task.changeset === null ? null : changesetSchema.parse(task.changeset);
    const hunk = changeset?.files
      .find((f) => f.path === target.path)
      ?.hunks.find((h) => h.id === target.hunkId);
    if (!hunk) throw new AppError('NOT_FOUND', 'That change is not part of this task.');
    if (target.line !== undefined && target.line > Math.max(1, hunk.newText.split('\n').length)) {
      throw new AppError('BAD_INPUT', `The change has no line ${String(target.line)}.`);
    }
    values = {
      id,
      workspaceId: input.workspaceId,
      taskId: task.id,
      path: target.path,
      hunkId: target.hunkId,
      line: target.line ?? null,
      authorId: actor.actorId,
      body: input.body,
    };
  } else {
    const anchor = await deps.rooms.transact(input.workspaceId, (doc) =>
      createLineAnchor(doc, target.path, target.line),
    );
    if (!anchor) throw new AppError('NOT_FOUND', `${target.path} has no line ${String(target.line)}.`);
    values = {
      id,
      workspaceId: input.workspaceId,
      path: target.path,
      line: target.line,
      anchor,
      authorId: actor.actorId,
      body: input.body,
    };
  }
  const [row] = await deps.db.insert(reviewComments).values(values).returning();
  if (!row) throw new AppError('INTERNAL', 'Comment insert returned nothing');
  await announce(
    deps,
    actor,
    {
      action: 'review.comment',
      workspaceId: row.workspaceId,
      targetId: row.id,
      meta: { taskId: row.taskId, path: row.path, hunkId: row.hunkId, line: row.line },
    },
    { kind: 'comment', taskId: row.taskId, commentId: row.id },
    row.taskId
      ? {
          type: 'comment',
          action: 'created',
          by: actor.actorId,
          commentId: row.id,
          path: row.path,
          ...(row.hunkId ? { hunkId: row.hunkId } : {}),
          excerpt: excerpt(row.body),
        }
      : null,
  );
  return { commentId: row.id };
}

/** The thread a comment belongs to (its first comment), in this workspace. */
async function threadOf(deps: ReviewDeps, workspaceId: string, commentId: string): Promise<CommentRow> {
  const [comment] = await deps.db
    .select()
    .from(reviewComments)
    .where(and(eq(reviewComments.id, commentId), eq(reviewComments.workspaceId, workspaceId)));
  if (!comment) throw new AppError('NOT_FOUND', 'Comment not found');
  if (comment.threadId === null) return comment;
  const [root] = await deps.db.select().from(reviewComments).where(eq(reviewComments.id, comment.threadId));
  if (!root) throw new AppError('NOT_FOUND', 'Comment not found');
  return root;
}

export async function replyToComment(
  deps: ReviewDeps,
  actor: ReviewActor,
  input: { workspaceId: string; commentId: string; body: string },
) {
  const root = await threadOf(deps, input.workspaceId, input.commentId);
  const [replies] = await deps.db
    .select({ n: count() })
    .from(reviewComments)
    .where(eq(reviewComments.threadId, root.id));
  if ((replies?.n ?? 0) >= reviewLimits.replies) {
    throw new AppError('BAD_INPUT', 'This thread is full; start a new one.');
  }
  const id = randomUUID();
  await deps.db.insert(reviewComments).values({
    id,
    workspaceId: root.workspaceId,
    threadId: root.id,
    taskId: root.taskId,
    path: root.path,
    hunkId: root.hunkId,
    line: root.line,
    authorId: actor.actorId,
    body: input.body,
  });
  await announce(
    deps,
    actor,
    { action: 'review.reply', workspaceId: root.workspaceId, targetId: id, meta: { threadId: root.id } },
    { kind: 'comment', taskId: root.taskId, commentId: root.id },
    root.taskId
      ? {
          type: 'comment',
          action: 'replied',
          by: actor.actorId,
          commentId: root.id,
          path: root.path,
          ...(root.hunkId ? { hunkId: root.hunkId } : {}),
          excerpt: excerpt(input.body),
        }
      : null,
  );
  return { commentId: id, threadId: root.id };
}

/** Resolves or re-opens a thread; doing what is already done changes nothing and says so (`changed: false`). */
export async function setThreadResolved(
  deps: ReviewDeps,
  actor: ReviewActor,
  input: { workspaceId: string; commentId: string },
  resolved: boolean,
) {
  const root = await threadOf(deps, input.workspaceId, input.commentId);
  const updated = await deps.db
    .update(reviewComments)
    .set(
      resolved
        ? { resolvedAt: new Date(), resolvedBy: actor.actorId }
        : { resolvedAt: null, resolvedBy: null },
    )
    .where(
      and(
        eq(reviewComments.id, root.id),
        resolved ? isNull(reviewComments.resolvedAt) : isNotNull(reviewComments.resolvedAt),
      ),
    )
    .returning({ resolvedAt: reviewComments.resolvedAt });
  const changed = updated.length > 0;
  if (changed) {
    await announce(
      deps,
      actor,
      {
        action: resolved ? 'review.resolve' : 'review.reopen',
        workspaceId: root.workspaceId,
        targetId: root.id,
        meta: {},
      },
      { kind: 'comment', taskId: root.taskId, commentId: root.id },
      root.taskId
        ? {
            type: 'comment',
            action: resolved ? 'resolved' : 'reopened',
            by: actor.actorId,
            commentId: root.id,
            path: root.path,
            ...(root.hunkId ? { hunkId: root.hunkId } : {}),
          }
        : null,
    );
  }
  return { threadId: root.id, resolved, changed };
}

export interface CommentView {
  id: string;
  authorId: string | null;
  authorName: string | null;
  body: string;
  createdAt: Date;
}

export interface ThreadView extends CommentView {
  taskId: string | null;
  path: string;
  hunkId: string | null;
  /** Task comments: the line within the hunk's proposed text. Live file comments: the line when written. */
  line: number | null;
  /** Live file comments: the stored anchor (clients resolve it against their own replica as people type). */
  anchor: LineAnchor | null;
  /** Live file comments: where the line is now on the server. */
  position: ResolvedLineAnchor | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  replies: CommentView[];
}

/** A task's threads, or the live files' threads (of one path), oldest first, each with its replies. */
export async function listComments(
  deps: ReviewDeps,
  input: { workspaceId: string; taskId?: string | undefined; path?: string | undefined },
): Promise<ThreadView[]> {
  if (input.taskId) await taskIn(deps, input.workspaceId, input.taskId);
  const where = and(
    eq(reviewComments.workspaceId, input.workspaceId),
    input.taskId ? eq(reviewComments.taskId, input.taskId) : isNull(reviewComments.taskId),
    input.path ? eq(reviewComments.path, input.path) : undefined,
  );
  const author = aliasedTable(users, 'author');
  const rows = await deps.db
    .select({ comment: reviewComments, authorName: author.name })
    .from(reviewComments)
    .leftJoin(author, eq(author.id, reviewComments.authorId))
    .where(where)
    .orderBy(asc(reviewComments.createdAt), asc(reviewComments.id));
  const view = (r: (typeof rows)[number]): CommentView => ({
    id: r.comment.id,
    authorId: r.comment.authorId,
    authorName: r.authorName,
    body: r.comment.body,
    createdAt: r.comment.createdAt,
  });
  const threads = new Map<string, ThreadView>();
  for (const r of rows) {
    if (r.comment.threadId !== null) continue;
    const anchor = lineAnchorSchema.safeParse(r.comment.anchor).data ?? null;
    threads.set(r.comment.id, {
      ...view(r),
      taskId: r.comment.taskId,
      path: r.comment.path,
      hunkId: r.comment.hunkId,
      line: r.comment.line,
      anchor,
      position: null,
      resolvedAt: r.comment.resolvedAt,
      resolvedBy: r.comment.resolvedBy,
      replies: [],
    });
  }
  for (const r of rows) {
    if (r.comment.threadId !== null) threads.get(r.comment.threadId)?.replies.push(view(r));
  }
  const list = [...threads.values()];
  const anchored = list.filter((t) => t.anchor !== null);
  if (anchored.length > 0) {
    await deps.rooms.transact(input.workspaceId, (doc) => {
      for (const thread of anchored) {
        if (thread.anchor) thread.position = resolveLineAnchor(doc, thread.path, thread.anchor);
      }
    });
  }
  return list;
}

/**
 * The caller's verdict on the task's current revision: a new row (history is kept); it is their current verdict
 * until their next, or until a follow-up makes a new revision.
 */
export async function setVerdict(
  deps: ReviewDeps,
  actor: ReviewActor,
  task: { id: string; workspaceId: string; revision: number },
  verdict: Verdict,
  note: string | undefined,
) {
  const text = note === undefined || note === '' ? null : note;
  await deps.db
    .insert(reviewVerdicts)
    .values({ taskId: task.id, userId: actor.actorId, verdict, note: text, revision: task.revision });
  await announce(
    deps,
    actor,
    { action: 'review.verdict', workspaceId: task.workspaceId, targetId: task.id, meta: { verdict } },
    { kind: 'verdict', taskId: task.id },
    { type: 'verdict', by: actor.actorId, verdict, ...(text ? { note: text } : {}) },
  );
  return { verdict };
}

/**
 * Every verdict on the task (history, each with its revision), each member's current one on the current revision,
 * and whether that revision counts as approved.
 */
export async function listVerdicts(
  deps: ReviewDeps,
  task: { id: string; workspaceId: string; createdBy: string | null; revision: number },
) {
  const history = await deps.db
    .select({
      userId: reviewVerdicts.userId,
      userName: users.name,
      verdict: reviewVerdicts.verdict,
      note: reviewVerdicts.note,
      at: reviewVerdicts.createdAt,
      revision: reviewVerdicts.revision,
    })
    .from(reviewVerdicts)
    .innerJoin(users, eq(users.id, reviewVerdicts.userId))
    .where(eq(reviewVerdicts.taskId, task.id))
    .orderBy(asc(reviewVerdicts.createdAt), asc(reviewVerdicts.id));
  const stillMembers = new Set((await memberVerdicts(deps.db, task)).map((v) => v.userId));
  const approval = await taskApproval(deps.db, task);
  return {
    history,
    current: currentVerdicts(history.filter((v) => v.revision === task.revision)).filter((v) =>
      stillMembers.has(v.userId),
    ),
    approval,
  };
}

/** Workspace policy: accept a task's changes only once someone other than its author approved them. */
export async function setRequireApproval(
  deps: ReviewDeps,
  actor: ReviewActor,
  workspaceId: string,
  requireApproval: boolean,
) {
  await deps.db.update(workspaces).set({ requireApproval }).where(eq(workspaces.id, workspaceId));
  await writeAudit(deps.db, {
    action: 'workspace.require_approval',
    ...actor,
    workspaceId,
    meta: { requireApproval },
  });
  await deps.channels.reviewChanges.publish(workspaceId, { kind: 'settings', taskId: null });
  return { requireApproval };
}

/**
 * What a follow-up shows the model of the review: the threads it names (comments on the task or on the live files of
 * its workspace), or every open thread on the task when it names none, each with its replies, author and place.
 */
export async function commentsForPrompt(
  deps: ReviewDeps,
  taskId: string,
  commentIds: readonly string[],
): Promise<PromptComment[]> {
  const [task] = await deps.db
    .select({ workspaceId: tasks.workspaceId })
    .from(tasks)
    .where(eq(tasks.id, taskId));
  if (!task) return [];
  const named = new Set(commentIds);
  const threads = [
    ...(await listComments(deps, { workspaceId: task.workspaceId, taskId })),
    ...(named.size > 0 ? await listComments(deps, { workspaceId: task.workspaceId }) : []),
  ].filter((thread) => (named.size > 0 ? named.has(thread.id) : thread.resolvedAt === null));
  return threads.flatMap((thread) => {
    const line = thread.position?.line ?? thread.line ?? undefined;
    const place = { path: thread.path, ...(line === undefined ? {} : { line }) };
    return [thread, ...thread.replies].map((comment) => ({
      author: comment.authorName ?? 'a former member',
      body: comment.body,
      ...place,
    }));
  });
}
