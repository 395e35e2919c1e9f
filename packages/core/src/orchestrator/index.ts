// The orchestrator pipeline: one AI task from workspace snapshot to proposed changeset, over injected
// interfaces (LLM client, event sink, validators).
export { runTask } from './run-task.ts';
export type { ConversationTurn, PromptComment, RunTaskDeps, RunTaskInput, RunTaskResult } from './types.ts';
export { defaultTaskLimits, resolveTaskLimits, type TaskLimits } from './limits.ts';
export { UsageMeter, type BudgetLimits, type TaskUsage } from './usage-meter.ts';
export { buildFollowUpMessages, buildSystemPrompt, buildUserPrompt, fenceFile } from './prompt.ts';
export {
  buildReflectionMessage,
  failingChecks,
  needsReflection,
  type ReflectionInput,
} from './reflection.ts';
export type { TaskChecksOptions } from './types.ts';
