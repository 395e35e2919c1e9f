import { describe, expect, it } from 'vitest';
import { defaultTaskLimits, resolveTaskLimits } from './limits.ts';

describe('resolveTaskLimits', () => {
  it('fills defaults and keeps overrides', () => {
    expect(resolveTaskLimits()).toEqual({
      ...defaultTaskLimits,
      taskBudgetUsd: undefined,
      taskBudgetTokens: undefined,
    });
    expect(resolveTaskLimits({ maxReflections: 0, taskBudgetUsd: 0.5 })).toMatchObject({
      maxReflections: 0,
      taskBudgetUsd: 0.5,
      budgetTokens: defaultTaskLimits.budgetTokens,
    });
  });

  it.each([
    { maxReflections: -1 },
    { maxReflections: 1.5 },
    { budgetTokens: 0 },
    { maxOutputTokens: Number.NaN },
    { taskBudgetTokens: 0 },
    { taskBudgetUsd: 0 },
    { taskBudgetUsd: Number.POSITIVE_INFINITY },
  ])('refuses %o', (limits) => {
    expect(() => resolveTaskLimits(limits)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
