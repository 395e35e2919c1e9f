// The named rate limits with their defaults, and the environment variables that change them
// (`TANDEM_LIMIT_TASKS_PER_USER=100/1h`); an admin's console overrides (core `LimitOverrides`) go over those.
import type { LimitName, LimitOverrides } from '@tandem/core';

export interface LimitRule {
  points: number;
  /** Window in seconds. */
  duration: number;
}

export const defaultLimits = {
  signInPerIp: { points: 30, duration: 60 },
  /**
   * Failed attempts per account from one IP: the lock a guesser runs into. Keyed on the pair, so someone who
   * hammers an account locks only their own address out, and its owner still signs in from theirs.
   */
  signInFailuresPerAccountIp: { points: 10, duration: 15 * 60 },
  /**
   * Failed attempts per account from all IPs together: a ceiling for guessing from many addresses, ten times the
   * per-address lock so that a single address cannot reach it.
   */
  signInFailuresPerAccount: { points: 100, duration: 15 * 60 },
  signUpPerIp: { points: 20, duration: 60 * 60 },
  mutationsPerUser: { points: 600, duration: 60 },
  tasksPerUser: { points: 30, duration: 60 * 60 },
  /** Archive downloads: each packs the whole workspace (up to 100 MB) on a worker thread. */
  downloadsPerUser: { points: 10, duration: 60 },
} satisfies Record<LimitName, LimitRule>;

export type { LimitName };
export type LimitConfig = Record<LimitName, LimitRule>;

/** The variable that sets `name`, e.g. `TANDEM_LIMIT_TASKS_PER_USER` for `tasksPerUser`. */
export const limitVariable = (name: LimitName): string =>
  `TANDEM_LIMIT_${name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;

const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `30/1h`, `600/60s`, `10/15m` or `600/60` (seconds): that many points per window. */
export function parseLimitRule(text: string): LimitRule {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  const points = Number(match?.[1]);
  const duration = Number(match?.[2]) * (units[match?.[3] || 's'] ?? 1);
  if (!match || points < 1 || duration < 1) {
    throw new Error(`expected points per window like 30/1h, 600/60s or 10/15m, got "${text}"`);
  }
  return { points, duration };
}

/**
 * Where a limit's rule comes from: its default, its `TANDEM_LIMIT_*` variable, the code that started the server,
 * or an admin in the console.
 */
export type LimitSource = 'default' | 'environment' | 'startup' | 'console';
type BaseSource = Exclude<LimitSource, 'console'>;

export interface EffectiveLimit extends LimitRule {
  name: LimitName;
  source: LimitSource;
  /** The variable that changes it. */
  variable: string;
  /** The rule without the console's override: what a reset goes back to. */
  fallback: LimitRule & { source: BaseSource };
}

/**
 * Every named limit as the server enforces it: the default, replaced by the environment, replaced by what the
 * starting code passed (tests raise the sign-in limits that way).
 */
export function effectiveLimits(
  fromEnvironment: Partial<LimitConfig>,
  fromStartup: Partial<LimitConfig> = {},
): EffectiveLimit[] {
  return (Object.keys(defaultLimits) as LimitName[]).map((name) => {
    const startup = fromStartup[name];
    const environment = fromEnvironment[name];
    const [rule, source]: [LimitRule, BaseSource] = startup
      ? [startup, 'startup']
      : environment
        ? [environment, 'environment']
        : [defaultLimits[name], 'default'];
    const fallback = { points: rule.points, duration: rule.duration, source };
    return {
      name,
      points: rule.points,
      duration: rule.duration,
      source,
      variable: limitVariable(name),
      fallback,
    };
  });
}

/** The limits in force once the console's overrides replace their rules; the others keep theirs. */
export function withOverrides(base: EffectiveLimit[], overrides: LimitOverrides): EffectiveLimit[] {
  return base.map((limit) => {
    const override = overrides[limit.name];
    return override
      ? { ...limit, points: override.points, duration: override.duration, source: 'console' }
      : {
          ...limit,
          points: limit.fallback.points,
          duration: limit.fallback.duration,
          source: limit.fallback.source,
        };
  });
}
