import {
  createTaskInput,
  followUpTaskInput,
  hunkSelectionInput,
  listTasksInput,
  rateTaskInput,
  resolveConflictInput,
  setAutoApplyInput,
  taskEventsInput,
  taskRevisionInput,
} from '@tandem/core';
import { tracked, type TRPCRouterRecord } from '@trpc/server';
import { conflictAuthors } from '../../review/conflict-authors.ts';
import { followTaskEvents, type StoredTaskEvent } from '../../tasks/events.ts';
import { followUpTask, getRevision, listRevisions } from '../../tasks/follow-up.ts';
import { availableModels } from '../../tasks/models.ts';
import { rateTask, taskRatingsOf } from '../../tasks/quality.ts';
import * as service from '../../tasks/service.ts';
import { exampleIds } from '../examples.ts';
import { shareOutput } from '../shared-output.ts';
import {
  auditActor,
  authedProcedure,
  liveSubscription,
  memberProcedure,
  taskProcedure,
  type Context,
} from '../trpc.ts';

// One wire object per stored event: followers of a live event all receive the same stored object, so they yield the
// same value and its serialization is done once for all of them.
type WireEvent = StoredTaskEvent['event'] & { seq: number; at: Date };
const wireEvents = new WeakMap<StoredTaskEvent, WireEvent>();
function wireEvent(stored: StoredTaskEvent): WireEvent {
  let value = wireEvents.get(stored);
  if (!value) {
    value = shareOutput({ ...stored.event, seq: stored.seq, at: stored.at });
    wireEvents.set(stored, value);
  }
  return value;
}

/** The member deciding on a task, with the request that carries the decision (for the audit log). */
const decider = (ctx: Context & { user: { id: string } }): service.DecisionActor => ({
  userId: ctx.user.id,
  ip: ctx.ip,
  requestId: ctx.requestId,
});

export const taskRouter = {
  create: memberProcedure('editor')
    .meta({
      description:
        'Asks the AI for a change: checks the daily token quota and the model, queues the task and returns `{ taskId }`. Follow it with `task.events`.',
      example: {
        input: {
          workspaceId: exampleIds.workspaceId,
          prompt: 'Add input validation to @src/math.ts and a test for it',
          model: 'qwen2.5-coder:7b',
          paths: ['src/math.ts'],
        },
      },
      errors: ['NO_MODEL', 'QUOTA_EXCEEDED', 'RATE_LIMITED'],
    })
    .input(createTaskInput)
    .mutation(async ({ ctx, input }) => {
      const row = await service.createTask(ctx.deps, ctx.user.id, input, (id) => ctx.deps.runner.enqueue(id));
      return { taskId: row.id };
    }),
  /** Runs a finished task's request again as a new task; the old one keeps its story. */
  retry: taskProcedure('editor')
    .meta({
      description: "Runs a finished task's request again as a new task. Returns `{ taskId }` of the new one.",
      example: { input: { taskId: exampleIds.taskId } },
      errors: ['CONFLICT', 'NO_MODEL', 'QUOTA_EXCEEDED', 'RATE_LIMITED'],
    })
    .mutation(async ({ ctx }) => {
      const row = await service.retryTask(ctx.deps, ctx.user.id, ctx.task, (id) =>
        ctx.deps.runner.enqueue(id),
      );
      return { taskId: row.id };
    }),
  followUp: taskProcedure('editor')
    .meta({
      description:
        "Continues a finished task: the model gets the conversation so far, the live files with the task's open changes and the review comments named in `commentIds`, and makes the next revision of the changeset. Returns `{ taskId, revision }`; follow it with `task.events`.",
      example: {
        input: {
          taskId: exampleIds.taskId,
          prompt: 'Also handle the timeout case',
        },
      },
      errors: ['CONFLICT', 'NO_MODEL', 'QUOTA_EXCEEDED', 'RATE_LIMITED'],
    })
    .input(followUpTaskInput)
    .mutation(({ ctx, input }) =>
      followUpTask(ctx.deps, decider(ctx), ctx.task.id, input, (id) => ctx.deps.runner.enqueue(id)),
    ),
  rate: taskProcedure('reviewer')
    .meta({
      description:
        "Rates a finished AI task thumbs `up` or `down`, with an optional note: one rating per member, a new one replaces the caller's. The admin console's quality report counts them per model.",
      example: { input: { taskId: exampleIds.taskId, rating: 'up', note: 'Right first time.' } },
      errors: ['CONFLICT', 'BAD_INPUT'],
    })
    .input(rateTaskInput)
    .mutation(({ ctx, input }) => rateTask(ctx.deps, auditActor(ctx), ctx.task, input.rating, input.note)),
  ratings: taskProcedure('reviewer')
    .meta({
      description:
        "How a task was rated: `up` and `down` counts, and the caller's own rating (`mine`, or null).",
      example: { input: { taskId: exampleIds.taskId } },
    })
    .query(({ ctx }) => taskRatingsOf(ctx.deps, ctx.task.id, ctx.user.id)),
  revisions: taskProcedure('reviewer')
    .meta({
      description:
        "A task's revisions, oldest first: number, the request that made it and who asked. The task's `revision` is the current one.",
      example: { input: { taskId: exampleIds.taskId } },
    })
    .query(({ ctx }) => listRevisions(ctx.deps.db, ctx.task)),
  revision: taskProcedure('reviewer')
    .meta({
      description:
        "One revision's changeset: an earlier one as it stood when a follow-up superseded it (with its decisions), or the current one. For comparing revision N with N-1.",
      example: { input: { taskId: exampleIds.taskId, revision: 1 } },
      errors: ['NOT_FOUND'],
    })
    .input(taskRevisionInput)
    .query(({ ctx, input }) => getRevision(ctx.deps.db, ctx.task, input.revision)),
  get: taskProcedure('reviewer')
    .meta({
      description: 'One task: prompt, model, state, usage and its changeset (hunks with their status).',
      example: { input: { taskId: exampleIds.taskId } },
    })
    .query(({ ctx }) => service.presentTask(ctx.task)),
  conflictAuthors: taskProcedure('reviewer')
    .meta({
      description:
        "Who changed the lines of each open hunk that would not land now: the people (and other tasks) whose text stands there since the task read them, from the document's recorded authorship. Lines someone only deleted name nobody.",
      example: { input: { taskId: exampleIds.taskId } },
    })
    .query(({ ctx }) => conflictAuthors(ctx.deps, ctx.task)),
  list: memberProcedure('reviewer')
    .meta({
      description: "A workspace's tasks, newest first.",
      example: { input: { workspaceId: exampleIds.workspaceId, limit: 20 } },
    })
    .input(listTasksInput)
    .query(({ ctx, input }) => service.listTasks(ctx.deps, input.workspaceId, input.limit)),
  cancel: taskProcedure('editor')
    .meta({
      description: 'Cancels a queued or running task, on whichever instance runs it.',
      example: { input: { taskId: exampleIds.taskId } },
      errors: ['CONFLICT'],
    })
    .mutation(async ({ ctx }) => {
      await service.cancelTask(ctx.deps, ctx.task, (id) => ctx.deps.runner.cancel(id));
      return { ok: true };
    }),
  /** The task's event log from `lastEventId` on, then live: every event exactly once, in order. */
  events: taskProcedure('reviewer')
    .meta({
      description:
        "A task's typed events (`status`, `context`, `output`, `edit`, `validation`, `check`, `finding`, `proposal`, `applied`, `conflict`, `error`, `done`) after `lastEventId`, then live. Each event's tracked id is its sequence number: reconnect with the last one to miss nothing.",
      example: { input: { taskId: exampleIds.taskId, lastEventId: '12' } },
      errors: ['TOO_MANY_SUBSCRIPTIONS'],
    })
    .input(taskEventsInput)
    .subscription(async function* ({ ctx, input, signal }) {
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      const { db, channels } = ctx.deps;
      const follow = (stop: AbortSignal) =>
        followTaskEvents(db, channels.taskEvents, ctx.task.id, after, stop);
      for await (const stored of liveSubscription(ctx, ctx.task.workspaceId, signal, follow)) {
        yield tracked(String(stored.seq), wireEvent(stored));
      }
    }),
  /** Task list changes of a workspace (created, state changed); clients refetch `list` on each. */
  onChange: memberProcedure('reviewer')
    .meta({
      description:
        "Signals changes to a workspace's task list (created, state changed); refetch `task.list` on each.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
      errors: ['TOO_MANY_SUBSCRIPTIONS'],
    })
    .subscription(({ ctx, input, signal }) =>
      liveSubscription(ctx, input.workspaceId, signal, (stop) =>
        ctx.deps.channels.taskChanges.follow(input.workspaceId, stop),
      ),
    ),
  accept: taskProcedure('editor')
    .meta({
      description:
        'Accepts hunks of the proposal: all, one file (`path`) or some (`hunkIds`). Accepted hunks merge into the live document where their text has moved to; a hunk whose lines someone changed becomes a conflict. Returns `{ applied, conflicts }`: the hunk ids applied and the conflicts found.',
      example: { input: { taskId: exampleIds.taskId, path: 'src/math.ts' } },
      errors: ['CONFLICT'],
    })
    .input(hunkSelectionInput)
    .mutation(({ ctx, input }) =>
      service.acceptHunks(
        ctx.deps,
        ctx.task.id,
        decider(ctx),
        { path: input.path, hunkIds: input.hunkIds },
        { acceptFindings: input.acceptFindings },
      ),
    ),
  reject: taskProcedure('editor')
    .meta({
      description: 'Rejects hunks of the proposal: all, one file (`path`) or some (`hunkIds`).',
      example: { input: { taskId: exampleIds.taskId, hunkIds: ['h3'] } },
      errors: ['CONFLICT'],
    })
    .input(hunkSelectionInput)
    .mutation(({ ctx, input }) =>
      service.rejectTaskHunks(ctx.deps, ctx.task.id, decider(ctx), {
        path: input.path,
        hunkIds: input.hunkIds,
      }),
    ),
  resolveConflict: taskProcedure('editor')
    .meta({
      description:
        "Resolves a conflicting hunk with the human's text (`ours`), the proposal (`theirs`) or a text of your own; refused with CONFLICT if the lines changed again since `expectedOurs`.",
      example: { input: { taskId: exampleIds.taskId, hunkId: 'h1', choice: 'theirs' } },
      errors: ['CONFLICT'],
    })
    .input(resolveConflictInput)
    .mutation(async ({ ctx, input }) => {
      await service.resolveTaskConflict(
        ctx.deps,
        ctx.task.id,
        decider(ctx),
        input.hunkId,
        input.choice,
        input.expectedOurs,
      );
      return { ok: true };
    }),
  rollback: taskProcedure('editor')
    .meta({
      description:
        "Takes a task's applied changes back out of the live document, keeping everyone's later edits.",
      example: { input: { taskId: exampleIds.taskId } },
      errors: ['CONFLICT'],
    })
    .mutation(({ ctx }) => service.rollbackTaskChanges(ctx.deps, ctx.task.id, decider(ctx))),
  /** The model picker: configured models, or a plain explanation of how to configure one. */
  models: authedProcedure
    .meta({
      description:
        'The models this instance offers for tasks, or an explanation of how to configure one (`task.create` refuses other names).',
      example: {},
    })
    .query(({ ctx }) => availableModels(ctx.deps)),
  setAutoApply: memberProcedure('owner')
    .meta({
      description:
        "Whether the workspace's proposals apply by themselves when every check passed and no finding is high or critical.",
      example: { input: { workspaceId: exampleIds.workspaceId, autoApply: true } },
    })
    .input(setAutoApplyInput)
    .mutation(({ ctx, input }) =>
      service.setAutoApply(ctx.deps, auditActor(ctx), input.workspaceId, input.autoApply),
    ),
} satisfies TRPCRouterRecord;
