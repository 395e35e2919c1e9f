// The knobs that bound one task run: how much context goes in, how much the model may write, how often it may
// try again, and what the whole run may cost. The server fills them from admin settings and per-user quotas.
import { AppError } from '../errors.ts';

export interface TaskLimits {
  /** Reflection rounds after the first answer; 0 turns reflection off. */
  maxReflections: number;
  /** Tokens of repo map plus file contents in the first prompt. */
  budgetTokens: number;
  /** Longest answer per model call. */
  maxOutputTokens: number;
  /** Stops the run once its estimated cost would pass this (models without a price are never stopped). */
  taskBudgetUsd?: number | undefined;
  /** Stops the run once input plus output tokens of all its calls would pass this. */
  taskBudgetTokens?: number | undefined;
}

export const defaultTaskLimits: Readonly<TaskLimits> = Object.freeze({
  maxReflections: 3,
  budgetTokens: 32_000,
  maxOutputTokens: 8_192,
});

/** Fills in defaults and refuses values that would make the run meaningless (negative, NaN, fractions). */
export function resolveTaskLimits(overrides: Partial<TaskLimits> = {}): TaskLimits {
  const limits: TaskLimits = {
    maxReflections: overrides.maxReflections ?? defaultTaskLimits.maxReflections,
    budgetTokens: overrides.budgetTokens ?? defaultTaskLimits.budgetTokens,
    maxOutputTokens: overrides.maxOutputTokens ?? defaultTaskLimits.maxOutputTokens,
    taskBudgetUsd: overrides.taskBudgetUsd,
    taskBudgetTokens: overrides.taskBudgetTokens,
  };
  requireInteger('maxReflections', limits.maxReflections, 0);
  requireInteger('budgetTokens', limits.budgetTokens, 1);
  requireInteger('maxOutputTokens', limits.maxOutputTokens, 1);
  if (limits.taskBudgetTokens !== undefined) requireInteger('taskBudgetTokens', limits.taskBudgetTokens, 1);
  if (
    limits.taskBudgetUsd !== undefined &&
    !(limits.taskBudgetUsd > 0 && Number.isFinite(limits.taskBudgetUsd))
  ) {
    throw new AppError('BAD_INPUT', 'taskBudgetUsd must be a positive number');
  }
  return limits;
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new AppError('BAD_INPUT', `${name} must be an integer of at least ${min}`);
  }
}
