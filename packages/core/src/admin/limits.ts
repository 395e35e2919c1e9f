// The named rate limits an admin can change at run time: their names, the bounds a console value must keep, and
// the one rule of how a change (a new rule, or `null` for back to the environment's) meets the stored overrides.
import { z } from 'zod';

export const limitNames = [
  'signInPerIp',
  'signInFailuresPerAccountIp',
  'signInFailuresPerAccount',
  'signUpPerIp',
  'mutationsPerUser',
  'tasksPerUser',
  'downloadsPerUser',
] as const;
export type LimitName = (typeof limitNames)[number];

/** A million points per window is beyond any person; past it a limit is a typo, not a policy. */
export const maxLimitPoints = 1_000_000;
/** Thirty days: a longer window keeps counters alive for longer than anyone would reason about. */
export const maxLimitWindowSeconds = 30 * 86_400;

export const limitRuleSchema = z
  .object({
    points: z.number().int().min(1).max(maxLimitPoints),
    /** Window in seconds. */
    duration: z.number().int().min(1).max(maxLimitWindowSeconds),
  })
  .strict();
export type LimitRuleValue = z.infer<typeof limitRuleSchema>;

const byName = <T extends z.ZodType>(value: T) =>
  z
    .object({
      signInPerIp: value,
      signInFailuresPerAccountIp: value,
      signInFailuresPerAccount: value,
      signUpPerIp: value,
      mutationsPerUser: value,
      tasksPerUser: value,
      downloadsPerUser: value,
    } satisfies Record<LimitName, T>)
    .partial()
    .strict();

/** The console's overrides as stored: a missing name follows the environment (or the default). */
export const limitOverridesSchema = byName(limitRuleSchema);
export type LimitOverrides = z.infer<typeof limitOverridesSchema>;

/** A console change: a rule replaces the limit, `null` resets it to the environment's; omitted ones stay. */
export const setLimitsInput = z.object({ limits: byName(limitRuleSchema.nullable()) }).strict();
export type LimitChanges = z.infer<typeof setLimitsInput>['limits'];

/** The overrides after `changes`: set ones replaced, `null` ones dropped, the rest kept. */
export function applyLimitChanges(current: LimitOverrides, changes: LimitChanges): LimitOverrides {
  const next: LimitOverrides = {};
  for (const name of limitNames) {
    const change = changes[name];
    const rule = change === undefined ? current[name] : change;
    if (rule) next[name] = { points: rule.points, duration: rule.duration };
  }
  return next;
}
