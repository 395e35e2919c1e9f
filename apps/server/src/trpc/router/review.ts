import {
  commentRef,
  createCommentInput,
  listCommentsInput,
  replyCommentInput,
  setRequireApprovalInput,
  setVerdictInput,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import * as service from '../../review/service.ts';
import { exampleIds } from '../examples.ts';
import { auditActor, liveSubscription, memberProcedure, taskProcedure } from '../trpc.ts';

const commentRouter = {
  create: memberProcedure('reviewer')
    .meta({
      description:
        "Starts a comment thread on a change of a task (`target.kind: 'hunk'`, optionally one line of its proposed text) or on a line of a live file (`target.kind: 'file'`, anchored so it follows the line as people type). Returns `{ commentId }`.",
      example: {
        input: {
          workspaceId: exampleIds.workspaceId,
          target: { kind: 'hunk', taskId: exampleIds.taskId, path: 'src/math.ts', hunkId: 'h1', line: 2 },
          body: 'This drops the negative case.',
        },
      },
      errors: ['NOT_FOUND'],
    })
    .input(createCommentInput)
    .mutation(({ ctx, input }) => service.createComment(ctx.deps, auditActor(ctx), input)),
  reply: memberProcedure('reviewer')
    .meta({
      description:
        'Answers a comment thread (a reply to a reply joins the same thread). Returns `{ commentId, threadId }`.',
      example: {
        input: { workspaceId: exampleIds.workspaceId, commentId: exampleIds.commentId, body: 'Fixed.' },
      },
      errors: ['NOT_FOUND'],
    })
    .input(replyCommentInput)
    .mutation(({ ctx, input }) => service.replyToComment(ctx.deps, auditActor(ctx), input)),
  resolve: memberProcedure('reviewer')
    .meta({
      description:
        'Marks a comment thread resolved. Returns `{ threadId, resolved, changed }` (`changed: false` when it already was).',
      example: { input: { workspaceId: exampleIds.workspaceId, commentId: exampleIds.commentId } },
      errors: ['NOT_FOUND'],
    })
    .input(commentRef)
    .mutation(({ ctx, input }) => service.setThreadResolved(ctx.deps, auditActor(ctx), input, true)),
  reopen: memberProcedure('reviewer')
    .meta({
      description: 'Re-opens a resolved comment thread. Returns `{ threadId, resolved, changed }`.',
      example: { input: { workspaceId: exampleIds.workspaceId, commentId: exampleIds.commentId } },
      errors: ['NOT_FOUND'],
    })
    .input(commentRef)
    .mutation(({ ctx, input }) => service.setThreadResolved(ctx.deps, auditActor(ctx), input, false)),
  list: memberProcedure('reviewer')
    .meta({
      description:
        "A task's comment threads (`taskId`), or the live files' threads (optionally of one `path`), oldest first, each with its replies; live file threads carry their anchor and where their line is now.",
      example: { input: { workspaceId: exampleIds.workspaceId, taskId: exampleIds.taskId } },
      errors: ['NOT_FOUND'],
    })
    .input(listCommentsInput)
    .query(({ ctx, input }) => service.listComments(ctx.deps, input)),
} satisfies TRPCRouterRecord;

const verdictRouter = {
  set: taskProcedure('reviewer')
    .meta({
      description:
        "Records the caller's verdict on a task (`approve` or `request-changes`, with an optional note): their current verdict until they give another; earlier ones stay in the history.",
      example: { input: { taskId: exampleIds.taskId, verdict: 'approve', note: 'Reads well.' } },
    })
    .input(setVerdictInput)
    .mutation(({ ctx, input }) =>
      service.setVerdict(ctx.deps, auditActor(ctx), ctx.task, input.verdict, input.note),
    ),
  list: taskProcedure('reviewer')
    .meta({
      description:
        "A task's verdicts: the whole `history`, each member's `current` one, and `approval` (whether the workspace requires one, whether the task has it, and why not).",
      example: { input: { taskId: exampleIds.taskId } },
    })
    .query(({ ctx }) => service.listVerdicts(ctx.deps, ctx.task)),
} satisfies TRPCRouterRecord;

export const reviewRouter = {
  comment: commentRouter,
  verdict: verdictRouter,
  setRequireApproval: memberProcedure('owner')
    .meta({
      description:
        "Workspace policy: accept a task's changes only after a member other than its author approved them (accepting otherwise fails with APPROVAL_REQUIRED; auto-apply waits for people).",
      example: { input: { workspaceId: exampleIds.workspaceId, requireApproval: true } },
    })
    .input(setRequireApprovalInput)
    .mutation(({ ctx, input }) =>
      service.setRequireApproval(ctx.deps, auditActor(ctx), input.workspaceId, input.requireApproval),
    ),
  onChange: memberProcedure('reviewer')
    .meta({
      description:
        "Subscription: a notice whenever a comment, a verdict or the approval policy of the workspace changes (`{ kind, taskId, commentId? }`; refetch `review.comment.list` or `review.verdict.list` on each), and when a conflict's resolution replaced text members had typed (`{ kind: 'overwritten', taskId, path, by, userIds }`), so those members are told.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
      errors: ['TOO_MANY_SUBSCRIPTIONS'],
    })
    .subscription(({ ctx, input, signal }) =>
      liveSubscription(ctx, input.workspaceId, signal, (stop) =>
        ctx.deps.channels.reviewChanges.follow(input.workspaceId, stop),
      ),
    ),
} satisfies TRPCRouterRecord;
