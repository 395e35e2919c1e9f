import { checkRunEventsInput, listCheckRunsInput } from '@tandem/core';
import { tracked, type TRPCRouterRecord } from '@trpc/server';
import { followCheckRunEvents, type StoredCheckRunEvent } from '../../checks/run-events.ts';
import * as service from '../../checks/runs.ts';
import { exampleIds } from '../examples.ts';
import { shareOutput } from '../shared-output.ts';
import { auditActor, checkRunProcedure, liveSubscription, memberProcedure } from '../trpc.ts';

// One wire object per stored event, serialized once for every follower (as task.events does).
type WireEvent = StoredCheckRunEvent['event'] & { seq: number; at: Date };
const wireEvents = new WeakMap<StoredCheckRunEvent, WireEvent>();
function wireEvent(stored: StoredCheckRunEvent): WireEvent {
  let value = wireEvents.get(stored);
  if (!value) {
    value = shareOutput({ ...stored.event, seq: stored.seq, at: stored.at });
    wireEvents.set(stored, value);
  }
  return value;
}

export const checkRouter = {
  run: memberProcedure('editor')
    .meta({
      description:
        "Starts a run of the workspace's checks (type check, lint, tests, security scan) on its live files in the sandbox; every member can follow it with `check.events`. One run at a time per workspace (CONFLICT while one runs); refused with FEATURE_DISABLED when the `sandboxChecks` feature flag is off for the workspace. Returns `{ runId }`.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
      errors: ['CONFLICT', 'FEATURE_DISABLED'],
    })
    .mutation(({ ctx, input }) => service.startCheckRun(ctx.deps, auditActor(ctx), input.workspaceId)),
  list: memberProcedure('reviewer')
    .meta({
      description:
        "The workspace's latest check runs, newest first, with who started them and how they ended.",
      example: { input: { workspaceId: exampleIds.workspaceId, limit: 10 } },
    })
    .input(listCheckRunsInput)
    .query(({ ctx, input }) => service.listCheckRuns(ctx.deps, input.workspaceId, input.limit)),
  get: checkRunProcedure('reviewer')
    .meta({
      description: 'One check run: its workspace, who started it, its state and when it started and ended.',
      example: { input: { runId: exampleIds.runId } },
    })
    .query(({ ctx }) => {
      const { lastSeq: _lastSeq, ...run } = ctx.run;
      return run;
    }),
  events: checkRunProcedure('reviewer')
    .meta({
      description:
        "Subscription: the run's events (`check`, `finding`, `output`, `done`) from `lastEventId` on, then live, each exactly once and in order; ends when the caller loses access.",
      example: { input: { runId: exampleIds.runId, lastEventId: null } },
    })
    .input(checkRunEventsInput)
    .subscription(async function* ({ ctx, input, signal }) {
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      const { db, channels } = ctx.deps;
      const follow = (stop: AbortSignal) =>
        followCheckRunEvents(db, channels.checkRunEvents, ctx.run.id, after, stop);
      for await (const stored of liveSubscription(ctx, ctx.run.workspaceId, signal, follow)) {
        yield tracked(String(stored.seq), wireEvent(stored));
      }
    }),
  onChange: memberProcedure('reviewer')
    .meta({
      description:
        "Subscription: a notice whenever one of the workspace's check runs starts or ends; refetch `check.list` on each.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
    })
    .subscription(({ ctx, input, signal }) =>
      liveSubscription(ctx, input.workspaceId, signal, (stop) =>
        ctx.deps.channels.checkRunChanges.follow(input.workspaceId, stop),
      ),
    ),
} satisfies TRPCRouterRecord;
