import { z } from 'zod';
import { workspacePathSchema } from '../files/index.ts';
import { idSchema, workspaceRef } from '../workspace/schemas.ts';

export const taskPromptSchema = z
  .string()
  .trim()
  .min(1, 'Describe the change you want')
  .max(20_000, 'Keep the request under 20,000 characters');

export const createTaskInput = workspaceRef.extend({
  prompt: taskPromptSchema,
  model: z.string().trim().min(1).max(200).optional(),
  /** Files the requester wants in context for sure. */
  paths: z.array(workspacePathSchema).max(100).optional(),
  /** Files the requester has open in the editor (a hint for context selection). */
  openPaths: z.array(workspacePathSchema).max(50).optional(),
});
export type CreateTaskInput = z.infer<typeof createTaskInput>;

export const taskRef = z.object({ taskId: idSchema });

export const followUpTaskInput = taskRef.extend({
  /** What to change next: "also handle the timeout case", "address the review comments". */
  prompt: taskPromptSchema,
  /** Review comments the model should address; their text goes into its prompt. */
  commentIds: z.array(z.string().min(1).max(64)).max(200).optional(),
});
export type FollowUpTaskInput = z.infer<typeof followUpTaskInput>;

export const taskRevisionInput = taskRef.extend({ revision: z.int().min(1).max(1_000_000) });

export const listTasksInput = workspaceRef.extend({
  limit: z.number().int().min(1).max(200).default(50),
});

export const taskEventsInput = taskRef.extend({
  /** The last event id the client saw (tRPC `tracked` ids are the event sequence numbers). */
  lastEventId: z
    .string()
    .regex(/^\d{1,9}$/)
    .nullish(),
});

export const hunkSelectionInput = taskRef.extend({
  path: workspacePathSchema.optional(),
  hunkIds: z.array(z.string().min(1).max(64)).max(10_000).optional(),
  /**
   * For `accept`: the person saw that some of these hunks have a secret or a critical or high finding and accepts
   * them anyway. Without it such an accept is refused (CONFLICT, `details.findings`), so no client applies them
   * unawares.
   */
  acceptFindings: z.boolean().optional(),
});

export const resolveConflictInput = taskRef.extend({
  hunkId: z.string().min(1).max(64),
  choice: z.union([z.literal('ours'), z.literal('theirs'), z.object({ text: z.string().max(2_000_000) })]),
  /** The human's text the reviewer saw; if the lines changed again since, the resolution is refused. */
  expectedOurs: z.string().max(2_000_000).optional(),
});

/** Instance-wide LLM and cost settings an admin edits at run time. The API key is write-only. */
export const llmSettingsInput = z.object({
  provider: z.enum(['openai-compatible', 'anthropic']).nullable(),
  baseUrl: z.url().nullable(),
  /** `undefined` keeps the stored key, `null` clears it. */
  apiKey: z.string().max(500).nullable().optional(),
  model: z.string().max(200).nullable(),
});

export const costSettingsInput = z.object({
  /** Tokens (in + out) one user may spend per UTC day; 0 = unlimited. */
  dailyTokenQuota: z.number().int().min(0).max(1e10),
  /** Hard stop for one task, in tokens (in + out); 0 = unlimited. */
  taskBudgetTokens: z.number().int().min(0).max(1e9),
  /** Hard stop for one task, in USD; 0 = unlimited. */
  taskBudgetUsd: z.number().min(0).max(10_000),
});
export type CostSettings = z.infer<typeof costSettingsInput>;

export const setAutoApplyInput = workspaceRef.extend({ autoApply: z.boolean() });
