// The typed progress of a task, as stored in its event log and streamed to every member's browser. One zod
// union parsed on both ends; every string and list is bounded so a malformed event cannot swamp a client.
import { z } from 'zod';
import { changesetLimits, conflictReasons, fileChangeKinds } from '../changeset/changeset.ts';
import { changesetSummarySchema } from '../changeset/changeset-summary.ts';
import { checkNames, checkStatuses, findingSchema } from '../checks/findings.ts';
import { errorCodes } from '../errors.ts';
import { reviewLimits, verdicts } from '../review/schemas.ts';

export const eventLimits = {
  message: 4_000,
  path: changesetLimits.path,
  /** One `output` event; the coalescer never emits more than this at once. */
  outputText: 8_192,
  /** Test output is an excerpt (head and tail), never the whole log. */
  excerpt: 16_384,
  command: 2_000,
  name: 128,
  /** Both sides of a conflict, bounded like any hunk text. */
  conflictText: changesetLimits.text,
  contextFiles: 2_000,
  diagnostics: 500,
  hunkIds: 10_000,
  /** A follow-up's request, as long as a task's. */
  prompt: 20_000,
  commentIds: 200,
  overlapPrompt: 200,
  overlapPaths: 100,
} as const;

export const taskStatuses = [
  'queued',
  'selecting-context',
  'prompting',
  'streaming',
  'applying',
  'validating',
  'reflecting',
  'proposed',
  'applied',
  'cancelled',
  'failed',
  'done',
] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** The working phases of a run, as timed in the `done` event. */
export const taskPhases = [
  'selecting-context',
  'prompting',
  'streaming',
  'applying',
  'validating',
  'reflecting',
] as const satisfies readonly TaskStatus[];
export type TaskPhase = (typeof taskPhases)[number];

export const contextReasons = ['named', 'open', 'relevant', 'import-neighbour', 'map'] as const;
export type ContextReason = (typeof contextReasons)[number];

export const editFormats = ['search-replace', 'unified-diff', 'whole-file'] as const;
export type EditFormat = (typeof editFormats)[number];

/** The matching ladder of the edit applier: exact, then whitespace-tolerant, then indentation-relative. */
export const editRungs = ['exact', 'whitespace', 'indentation'] as const;
export type EditRung = (typeof editRungs)[number];

export const diagnosticSeverities = ['error', 'warning', 'info'] as const;
export type DiagnosticSeverity = (typeof diagnosticSeverities)[number];

export const taskOutcomes = ['proposed', 'applied', 'no-changes', 'rejected', 'cancelled', 'failed'] as const;
export type TaskOutcome = (typeof taskOutcomes)[number];

const message = z.string().max(eventLimits.message);
const path = z.string().min(1).max(eventLimits.path);
const count = z.int().nonnegative();
const durationMs = z.number().nonnegative();
const hunkId = z.string().min(1).max(32);

export const statusEventSchema = z.object({
  type: z.literal('status'),
  status: z.enum(taskStatuses),
  message: message.optional(),
});

export const contextFileSchema = z.object({
  path,
  reason: z.enum(contextReasons),
  tokens: count,
});
export type ContextEventFile = z.infer<typeof contextFileSchema>;

export const contextEventSchema = z.object({
  type: z.literal('context'),
  files: z.array(contextFileSchema).max(eventLimits.contextFiles),
  totalTokens: count,
  budgetTokens: count,
});

export const outputEventSchema = z.object({
  type: z.literal('output'),
  /** Model text since the previous `output` event (a delta, not the whole text). */
  text: z.string().min(1).max(eventLimits.outputText),
});

export const editEventSchema = z.object({
  type: z.literal('edit'),
  path,
  /** What the edit does to the file. */
  kind: z.enum(fileChangeKinds),
  /** How the model wrote it. */
  format: z.enum(editFormats).optional(),
  status: z.enum(['applied', 'failed']),
  /** The rung a search block matched on; absent for failures and formats without matching. */
  rung: z.enum(editRungs).optional(),
  /** Why it failed (fed back to the model), or a note on how it applied. */
  message: message.optional(),
});

export const diagnosticSchema = z.object({
  /** 1-based. */
  line: z.int().positive(),
  /** 1-based. */
  col: z.int().positive(),
  severity: z.enum(diagnosticSeverities),
  message,
  rule: z.string().max(eventLimits.name).optional(),
});
export type EventDiagnostic = z.infer<typeof diagnosticSchema>;

export const validationEventSchema = z.object({
  type: z.literal('validation'),
  validator: z.string().min(1).max(eventLimits.name),
  path,
  ok: z.boolean(),
  diagnostics: z.array(diagnosticSchema).max(eventLimits.diagnostics),
});

export const testEventSchema = z.object({
  type: z.literal('test'),
  command: z.string().min(1).max(eventLimits.command),
  ok: z.boolean(),
  /** null when the run was killed (timeout, signal) before exiting. */
  exitCode: z.int().nullable(),
  output: z.string().max(eventLimits.excerpt),
  durationMs,
});

/**
 * One check of a proposal (or of a human-started run) changing state: `running` first, then exactly one of the
 * others. `output` is the end of what the command printed (where failures and summaries are), never the whole log.
 * Supersedes the `test` and `validation` events, which old logs still hold and clients still show.
 */
export const checkEventSchema = z.object({
  type: z.literal('check'),
  check: z.enum(checkNames),
  status: z.enum(checkStatuses),
  durationMs: durationMs.optional(),
  summary: message.optional(),
  output: z.string().max(eventLimits.excerpt).optional(),
});

/** A problem a check found, on the hunk it falls in when it falls in one. */
export const findingEventSchema = findingSchema.extend({ type: z.literal('finding') });

export const proposalEventSchema = z.object({
  type: z.literal('proposal'),
  summary: changesetSummarySchema,
  /** Which revision of the task's changeset this is (1 for the first answer; absent in older logs). */
  revision: z.int().positive().optional(),
});

/** Someone continued a finished task: the run that follows makes this revision of its changeset. */
export const followUpEventSchema = z.object({
  type: z.literal('follow-up'),
  /** The revision the follow-up asks for (2 for the first follow-up). */
  revision: z.int().min(2),
  prompt: z.string().min(1).max(eventLimits.prompt),
  by: z.string().min(1).max(changesetLimits.userId),
  /** Review comments the follow-up asked the model to address. */
  commentIds: z.array(z.string().min(1).max(64)).max(eventLimits.commentIds).optional(),
});

/**
 * Another task that is still running or undecided touches files this one touches too: whatever is accepted first
 * moves the other's lines, and the review of the second shows its changes against the text as it then is.
 */
export const overlapEventSchema = z.object({
  type: z.literal('overlap'),
  taskId: z.string().min(1).max(changesetLimits.taskId),
  /** The other task's request, cut short. */
  prompt: z.string().max(eventLimits.overlapPrompt),
  /** The other task's state when this was noticed (queued, running, proposed, applied). */
  state: z.string().min(1).max(eventLimits.name),
  paths: z.array(path).min(1).max(eventLimits.overlapPaths),
});

export const appliedEventSchema = z.object({
  type: z.literal('applied'),
  /** User id of whoever accepted. */
  by: z.string().min(1).max(changesetLimits.userId),
  hunkIds: z.array(hunkId).max(eventLimits.hunkIds),
});

export const conflictEventSchema = z.object({
  type: z.literal('conflict'),
  path,
  hunkId,
  reason: z.enum(conflictReasons),
  ours: z.string().max(eventLimits.conflictText),
  theirs: z.string().max(eventLimits.conflictText),
});

export const rejectedEventSchema = z.object({
  type: z.literal('rejected'),
  by: z.string().min(1).max(changesetLimits.userId),
  hunkIds: z.array(hunkId).max(eventLimits.hunkIds),
});

/** A task's applied changes were taken back out of the live files. */
export const rolledBackEventSchema = z.object({
  type: z.literal('rolled-back'),
  by: z.string().min(1).max(changesetLimits.userId),
  restored: count,
  conflicts: count,
});

/** A review comment on one of the task's changes was written, answered, resolved or re-opened. */
export const commentEventSchema = z.object({
  type: z.literal('comment'),
  action: z.enum(['created', 'replied', 'resolved', 'reopened']),
  by: z.string().min(1).max(changesetLimits.userId),
  /** The thread (its first comment). */
  commentId: z.string().min(1).max(64),
  path,
  hunkId: hunkId.optional(),
  /** The start of what was written (absent for resolve and re-open). */
  excerpt: z.string().max(reviewLimits.excerpt).optional(),
});

/** A member approved the task or asked for changes (their verdict until they give another). */
export const verdictEventSchema = z.object({
  type: z.literal('verdict'),
  by: z.string().min(1).max(changesetLimits.userId),
  verdict: z.enum(verdicts),
  note: z.string().max(reviewLimits.note).optional(),
});

/**
 * The workspace commits each accepted task on its own (its auto-commit option): the commit made, or why none was.
 * A failed commit never undoes the acceptance; the changes stay in the files, to be committed by hand.
 */
export const commitEventSchema = z.object({
  type: z.literal('commit'),
  /** The commit made; absent when it failed. */
  commit: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  branch: z.string().max(200).optional(),
  error: z.object({ code: z.enum(errorCodes), message }).optional(),
});

export const errorEventSchema = z.object({
  type: z.literal('error'),
  code: z.enum(errorCodes),
  message,
  retryable: z.boolean(),
});

export const doneEventSchema = z.object({
  type: z.literal('done'),
  outcome: z.enum(taskOutcomes),
  tokensIn: count,
  tokensOut: count,
  /** null when the model's price is unknown (local models, unpriced endpoints). */
  costUsd: z.number().nonnegative().nullable(),
  /** Wall time of the whole run. */
  totalMs: durationMs,
  /** Time spent per phase; a phase that never ran is absent. Reflection rounds add to earlier phases. */
  phaseMs: z.partialRecord(z.enum(taskPhases), durationMs),
});

export const taskEventSchema = z.discriminatedUnion('type', [
  statusEventSchema,
  contextEventSchema,
  outputEventSchema,
  editEventSchema,
  validationEventSchema,
  testEventSchema,
  checkEventSchema,
  findingEventSchema,
  proposalEventSchema,
  followUpEventSchema,
  overlapEventSchema,
  appliedEventSchema,
  conflictEventSchema,
  rejectedEventSchema,
  rolledBackEventSchema,
  commentEventSchema,
  verdictEventSchema,
  commitEventSchema,
  errorEventSchema,
  doneEventSchema,
]);

export type TaskEvent = z.infer<typeof taskEventSchema>;
export type TaskEventType = TaskEvent['type'];
export type TaskEventOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>;

/** Every `type` of the union, in declaration order. */
export const taskEventTypes: readonly TaskEventType[] = taskEventSchema.options.map(
  (o) => o.shape.type.value,
);
