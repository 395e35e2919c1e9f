// Backoff arithmetic and Retry-After parsing for LLM calls. Kept apart from the stream loop so the timing
// rules can be tested without a network and tuned per deployment.

import { AppError } from '../errors.ts';

export interface RetryPolicy {
  /** First backoff step; doubles on every further attempt. */
  baseDelayMs: number;
  /** Upper bound for one exponential backoff step. */
  maxDelayMs: number;
  /**
   * A server asking us to wait longer than this is treated as "not now": the call fails with the
   * provider's error (carrying `retryAfter`) instead of silently blocking a task for minutes.
   */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Exponential backoff with "equal jitter": half of the step is fixed, half random, so retries from many
 * clients spread out while each client still waits a predictable minimum.
 */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return step / 2 + random() * (step / 2);
}

/**
 * How long to wait before retry number `attempt + 1`, or undefined when the server's Retry-After is beyond
 * what we are willing to wait. Retry-After is a floor, never shortened by jitter.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  const backoff = backoffDelayMs(attempt, policy, random);
  if (retryAfterMs === undefined) return backoff;
  if (retryAfterMs > policy.maxRetryAfterMs) return undefined;
  return Math.max(retryAfterMs, backoff);
}

/**
 * Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds, fractions allowed, or an HTTP date).
 * Header names are expected lower-cased, as the fetch Headers API and the AI SDK deliver them.
 */
export function parseRetryAfterMs(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  now: number = Date.now(),
): number | undefined {
  if (headers === undefined) return undefined;
  const precise = headers['retry-after-ms'];
  if (precise !== undefined) {
    const ms = Number.parseFloat(precise);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with a typed error as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The error for a caller-aborted call. A signal made by `AbortSignal.timeout()` is the caller's deadline,
 * so it reads as a timeout rather than a cancellation.
 */
export function abortedError(signal: AbortSignal | undefined): AppError {
  const reason: unknown = signal?.reason;
  if (reason instanceof AppError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new AppError('LLM_TIMEOUT', 'The model call exceeded its deadline.', { cause: reason });
  }
  return new AppError(
    'CANCELLED',
    'The model call was cancelled.',
    reason === undefined ? {} : { cause: reason },
  );
}
