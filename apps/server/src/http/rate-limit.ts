// Named rate limits, in memory by default and shared through Redis when REDIS_URL is set. The rule of each is
// read at every call from what is in force (the console's overrides over the environment's), so a change applies
// to the next request; the counters stay, so lowering a limit counts what a user already spent.
import { AppError, type LimitOverrides } from '@tandem/core';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

import { withOverrides, type EffectiveLimit, type LimitName } from './limit-rules.ts';

export { defaultLimits, type LimitConfig, type LimitName, type LimitRule } from './limit-rules.ts';

export class RateLimits {
  private readonly limiters: Record<LimitName, RateLimiterAbstract>;
  private current: EffectiveLimit[];
  private readonly onRejected: ((name: LimitName) => void) | undefined;

  /**
   * @param base every named limit without the console's overrides, with where it comes from (`effectiveLimits`).
   */
  constructor(
    private readonly base: EffectiveLimit[],
    options: {
      redis?: Redis | undefined;
      namespace?: string;
      /** Hears every rejection (not store failures): the security monitor counts them for storms. */
      onRejected?: (name: LimitName) => void;
    },
  ) {
    this.current = base;
    this.onRejected = options.onRejected;
    const rules = base;
    const make = (name: LimitName): RateLimiterAbstract => {
      const found = rules.find((rule) => rule.name === name);
      if (!found) throw new Error(`no rule for the rate limit ${name}`);
      const rule = { points: found.points, duration: found.duration };
      const keyPrefix = `tandem:rl:${options.namespace ?? 'default'}:${name}`;
      return options.redis
        ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix, ...rule })
        : new RateLimiterMemory({ keyPrefix, ...rule });
    };
    this.limiters = {
      signInPerIp: make('signInPerIp'),
      signInFailuresPerAccountIp: make('signInFailuresPerAccountIp'),
      signInFailuresPerAccount: make('signInFailuresPerAccount'),
      signUpPerIp: make('signUpPerIp'),
      mutationsPerUser: make('mutationsPerUser'),
      tasksPerUser: make('tasksPerUser'),
      downloadsPerUser: make('downloadsPerUser'),
    };
  }

  /** Every named limit as enforced now, with where it comes from and what a reset returns to. */
  get rules(): EffectiveLimit[] {
    return this.current;
  }

  /**
   * Puts the console's overrides in force (all of them: a name missing goes back to its base rule). The limiters
   * keep their stores and counters; rate-limiter-flexible reads points and duration at each call.
   */
  setOverrides(overrides: LimitOverrides): void {
    this.current = withOverrides(this.base, overrides);
    for (const rule of this.current) {
      const limiter = this.limiters[rule.name];
      limiter.points = rule.points;
      limiter.duration = rule.duration;
    }
  }

  /** Spends one point; throws RATE_LIMITED with a retry-after when the key has none left. */
  async consume(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (error) {
      throw this.rejected(name, toRateLimited(error));
    }
  }

  /** Throws RATE_LIMITED if the key is already out of points, without spending one. */
  async check(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters[name];
    const res = await limiter.get(key);
    if (res && res.consumedPoints >= limiter.points) throw this.rejected(name, toRateLimited(res));
  }

  private rejected(name: LimitName, error: AppError): AppError {
    if (error.code === 'RATE_LIMITED') this.onRejected?.(name);
    return error;
  }

  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].delete(key);
  }
}

function toRateLimited(error: unknown): AppError {
  if (error instanceof RateLimiterRes) {
    const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    return new AppError('RATE_LIMITED', `Too many attempts. Try again in ${retryAfter} s.`, { retryAfter });
  }
  // A store failure (e.g. Redis down) must not lock everybody out silently; surface it as an internal error.
  return new AppError('INTERNAL', 'Rate limiter unavailable', { cause: error });
}
