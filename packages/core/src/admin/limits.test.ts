import { describe, expect, it } from 'vitest';
import { applyLimitChanges, limitOverridesSchema, maxLimitPoints, setLimitsInput } from './limits.ts';

describe('limit overrides', () => {
  it('replaces the set limits, drops the reset ones and keeps the rest', () => {
    const current = { tasksPerUser: { points: 5, duration: 60 }, signUpPerIp: { points: 2, duration: 60 } };
    expect(
      applyLimitChanges(current, { tasksPerUser: { points: 1, duration: 3600 }, signUpPerIp: null }),
    ).toEqual({ tasksPerUser: { points: 1, duration: 3600 } });
    expect(applyLimitChanges(current, {})).toEqual(current);
    // The stored value is untouched: it may be the one in force.
    expect(current.signUpPerIp).toEqual({ points: 2, duration: 60 });
  });

  it('refuses values that are not positive whole numbers within the bounds, and unknown names', () => {
    const parse = (limits: unknown) => setLimitsInput.safeParse({ limits }).success;
    expect(parse({ tasksPerUser: { points: 1, duration: 1 } })).toBe(true);
    expect(parse({ tasksPerUser: null })).toBe(true);
    expect(parse({ tasksPerUser: { points: 0, duration: 60 } })).toBe(false);
    expect(parse({ tasksPerUser: { points: 1.5, duration: 60 } })).toBe(false);
    expect(parse({ tasksPerUser: { points: 10, duration: -1 } })).toBe(false);
    expect(parse({ tasksPerUser: { points: maxLimitPoints + 1, duration: 60 } })).toBe(false);
    expect(parse({ tasksPerUser: { points: 10, duration: 31 * 86_400 } })).toBe(false);
    expect(parse({ everything: { points: 10, duration: 60 } })).toBe(false);
    expect(setLimitsInput.safeParse({}).success).toBe(false);
    // A stored value is read with the same bounds, so a hand-edited row cannot set a limit of zero.
    expect(limitOverridesSchema.safeParse({ tasksPerUser: { points: 0, duration: 60 } }).success).toBe(false);
  });
});
