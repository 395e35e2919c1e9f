// Named rate limits, in memory by default and shared through Redis when REDIS_URL is set.
import { AppError } from '@tandem/core';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

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
} satisfies Record<string, LimitRule>;

export type LimitName = keyof typeof defaultLimits;
export type LimitConfig = Record<LimitName, LimitRule>;

export class RateLimits {
  private readonly limiters: Record<LimitName, RateLimiterAbstract>;

  constructor(config: LimitConfig, options: { redis?: Redis | undefined; namespace?: string }) {
    const make = (name: LimitName): RateLimiterAbstract => {
      const rule = config[name];
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

  /** Spends one point; throws RATE_LIMITED with a retry-after when the key has none left. */
  async consume(name: LimitName, key: string): Promise<void> {
    try {
      await this.limiters[name].consume(key);
    } catch (error) {
      throw toRateLimited(error);
    }
  }

  /** Throws RATE_LIMITED if the key is already out of points, without spending one. */
  async check(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiters[name];
    const res = await limiter.get(key);
    if (res && res.consumedPoints >= limiter.points) throw toRateLimited(res);
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
