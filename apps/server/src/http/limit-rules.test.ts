import { describe, expect, it } from 'vitest';
import { loadConfig } from '../env.ts';
import {
  defaultLimits,
  effectiveLimits,
  withOverrides,
  limitVariable,
  parseLimitRule,
} from './limit-rules.ts';

describe('rate limit settings', () => {
  it('names one variable per limit', () => {
    expect(limitVariable('tasksPerUser')).toBe('TANDEM_LIMIT_TASKS_PER_USER');
    expect(limitVariable('signInFailuresPerAccountIp')).toBe('TANDEM_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT_IP');
    const names = Object.keys(defaultLimits).map((name) => limitVariable(name as keyof typeof defaultLimits));
    expect(new Set(names).size).toBe(names.length);
  });

  it('reads points per window with a unit, and refuses anything else', () => {
    expect(parseLimitRule('30/1h')).toEqual({ points: 30, duration: 3600 });
    expect(parseLimitRule(' 600 / 60s ')).toEqual({ points: 600, duration: 60 });
    expect(parseLimitRule('10/15m')).toEqual({ points: 10, duration: 900 });
    expect(parseLimitRule('5/60')).toEqual({ points: 5, duration: 60 });
    expect(parseLimitRule('100/1d')).toEqual({ points: 100, duration: 86_400 });
    for (const bad of ['', '30', '0/1h', '30/0s', '-1/1h', '30/1w', '1.5/1h', 'lots']) {
      expect(() => parseLimitRule(bad), bad).toThrow(/points per window/);
    }
  });

  it('changes only the limits an operator set, and names a bad setting', () => {
    const config = loadConfig({ TANDEM_LIMIT_TASKS_PER_USER: '100/1h', TANDEM_LIMIT_SIGN_UP_PER_IP: '' });
    expect(config.limits).toEqual({ tasksPerUser: { points: 100, duration: 3600 } });
    expect(() => loadConfig({ TANDEM_LIMIT_MUTATIONS_PER_USER: 'many' })).toThrow(
      /TANDEM_LIMIT_MUTATIONS_PER_USER: expected points per window/,
    );
  });
});

describe('effective limits', () => {
  it('takes the starting code over the environment over the default, and names the variable', () => {
    const limits = effectiveLimits(
      { tasksPerUser: { points: 5, duration: 60 }, signUpPerIp: { points: 2, duration: 60 } },
      { signUpPerIp: { points: 9, duration: 9 } },
    );
    expect(limits.map((l) => l.name)).toEqual(Object.keys(defaultLimits));
    expect(limits.find((l) => l.name === 'tasksPerUser')).toMatchObject({ points: 5, source: 'environment' });
    expect(limits.find((l) => l.name === 'signUpPerIp')).toMatchObject({ points: 9, source: 'startup' });
    expect(limits.find((l) => l.name === 'mutationsPerUser')).toEqual({
      name: 'mutationsPerUser',
      ...defaultLimits.mutationsPerUser,
      source: 'default',
      variable: 'TANDEM_LIMIT_MUTATIONS_PER_USER',
      fallback: { ...defaultLimits.mutationsPerUser, source: 'default' },
    });
  });

  it("puts the console's overrides over the rest, and drops one again when it is no longer stored", () => {
    const base = effectiveLimits({ tasksPerUser: { points: 5, duration: 60 } });
    const overridden = withOverrides(base, { tasksPerUser: { points: 1, duration: 3600 } });
    expect(overridden.find((l) => l.name === 'tasksPerUser')).toMatchObject({
      points: 1,
      duration: 3600,
      source: 'console',
      fallback: { points: 5, duration: 60, source: 'environment' },
    });
    expect(overridden.find((l) => l.name === 'signUpPerIp')).toMatchObject({ source: 'default' });
    const reset = withOverrides(overridden, {});
    expect(reset.find((l) => l.name === 'tasksPerUser')).toMatchObject({
      points: 5,
      duration: 60,
      source: 'environment',
    });
  });
});
