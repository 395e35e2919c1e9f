// Inputs of the review API (comments and verdicts) and the shapes shared by server and web.
import { z } from 'zod';
import { workspacePathSchema } from '../files/index.ts';
import { taskRef } from '../tasks/schemas.ts';
import { idSchema, workspaceRef } from '../workspace/schemas.ts';

export const reviewLimits = {
  body: 10_000,
  note: 2_000,
  /** A thread's replies; a longer discussion belongs somewhere else. */
  replies: 200,
  /** The excerpt of a comment a timeline event carries. */
  excerpt: 200,
} as const;

export const verdicts = ['approve', 'request-changes'] as const;
export type Verdict = (typeof verdicts)[number];

export const commentBodySchema = z
  .string()
  .trim()
  .min(1, 'Write a comment')
  .max(reviewLimits.body, `Keep a comment under ${String(reviewLimits.body)} characters`);

const line = z.int().min(1).max(10_000_000);

/** Where a comment sits: on a change of a task (a hunk, optionally one line of its proposed text) or a live file line. */
export const commentTargetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('hunk'),
    taskId: idSchema,
    path: workspacePathSchema,
    hunkId: z.string().min(1).max(64),
    /** 1-based line within the hunk's proposed text; absent for the whole change. */
    line: line.optional(),
  }),
  z.object({
    kind: z.literal('file'),
    path: workspacePathSchema,
    /** 1-based line of the live file, anchored when the comment is written. */
    line,
  }),
]);
export type CommentTarget = z.infer<typeof commentTargetSchema>;

export const createCommentInput = workspaceRef.extend({
  target: commentTargetSchema,
  body: commentBodySchema,
});
export type CreateCommentInput = z.infer<typeof createCommentInput>;

export const commentRef = workspaceRef.extend({ commentId: idSchema });
export const replyCommentInput = commentRef.extend({ body: commentBodySchema });

export const listCommentsInput = workspaceRef.extend({
  /** A task's comments; without it, the comments on live files (optionally of one `path`). */
  taskId: idSchema.optional(),
  path: workspacePathSchema.optional(),
});

export const setVerdictInput = taskRef.extend({
  verdict: z.enum(verdicts),
  note: z.string().trim().max(reviewLimits.note).optional(),
});

export const setRequireApprovalInput = workspaceRef.extend({ requireApproval: z.boolean() });
