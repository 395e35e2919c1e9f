import {
  createTaskInput,
  hunkSelectionInput,
  listTasksInput,
  resolveConflictInput,
  setAutoApplyInput,
  taskEventsInput,
} from '@tandem/core';
import { tracked, type TRPCRouterRecord } from '@trpc/server';
import { followTaskEvents, type StoredTaskEvent } from '../../tasks/events.ts';
import { availableModels } from '../../tasks/models.ts';
import * as service from '../../tasks/service.ts';
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
    .input(createTaskInput)
    .mutation(async ({ ctx, input }) => {
      const row = await service.createTask(ctx.deps, ctx.user.id, input, (id) => ctx.deps.runner.enqueue(id));
      return { taskId: row.id };
    }),
  /** Runs a finished task's request again as a new task; the old one keeps its story. */
  retry: taskProcedure('editor').mutation(async ({ ctx }) => {
    const row = await service.retryTask(ctx.deps, ctx.user.id, ctx.task, (id) => ctx.deps.runner.enqueue(id));
    return { taskId: row.id };
  }),
  get: taskProcedure('reviewer').query(({ ctx }) => service.presentTask(ctx.task)),
  list: memberProcedure('reviewer')
    .input(listTasksInput)
    .query(({ ctx, input }) => service.listTasks(ctx.deps, input.workspaceId, input.limit)),
  cancel: taskProcedure('editor').mutation(async ({ ctx }) => {
    await service.cancelTask(ctx.deps, ctx.task, (id) => ctx.deps.runner.cancel(id));
    return { ok: true };
  }),
  /** The task's event log from `lastEventId` on, then live: every event exactly once, in order. */
  events: taskProcedure('reviewer')
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
  onChange: memberProcedure('reviewer').subscription(({ ctx, input, signal }) =>
    liveSubscription(ctx, input.workspaceId, signal, (stop) =>
      ctx.deps.channels.taskChanges.follow(input.workspaceId, stop),
    ),
  ),
  accept: taskProcedure('editor')
    .input(hunkSelectionInput)
    .mutation(({ ctx, input }) =>
      service.acceptHunks(ctx.deps, ctx.task.id, decider(ctx), { path: input.path, hunkIds: input.hunkIds }),
    ),
  reject: taskProcedure('editor')
    .input(hunkSelectionInput)
    .mutation(({ ctx, input }) =>
      service.rejectTaskHunks(ctx.deps, ctx.task.id, decider(ctx), {
        path: input.path,
        hunkIds: input.hunkIds,
      }),
    ),
  resolveConflict: taskProcedure('editor')
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
  rollback: taskProcedure('editor').mutation(({ ctx }) =>
    service.rollbackTaskChanges(ctx.deps, ctx.task.id, decider(ctx)),
  ),
  /** The model picker: configured models, or a plain explanation of how to configure one. */
  models: authedProcedure.query(({ ctx }) => availableModels(ctx.deps)),
  setAutoApply: memberProcedure('owner')
    .input(setAutoApplyInput)
    .mutation(({ ctx, input }) =>
      service.setAutoApply(ctx.deps, auditActor(ctx), input.workspaceId, input.autoApply),
    ),
} satisfies TRPCRouterRecord;
