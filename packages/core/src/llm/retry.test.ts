import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import {
  abortedError,
  backoffDelayMs,
  parseRetryAfterMs,
  retryDelayMs,
  sleep,
  type RetryPolicy,
} from './retry.ts';

const policy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('backoff', () => {
  it('doubles per attempt within equal-jitter bounds and caps at maxDelayMs', () => {
    expect(backoffDelayMs(0, policy, () => 0)).toBe(50);
    expect(backoffDelayMs(0, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 0)).toBe(200);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(400);
    expect(backoffDelayMs(10, policy, () => 1)).toBe(1_000);
  });

  it('never waits less than Retry-After and gives up when it is too long', () => {
    expect(retryDelayMs(0, 1_500, policy, () => 1)).toBe(1_500);
    expect(retryDelayMs(3, 100, policy, () => 1)).toBe(800);
    expect(retryDelayMs(0, 5_001, policy)).toBeUndefined();
    expect(retryDelayMs(1, undefined, policy, () => 0.5)).toBe(150);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds, fractions, milliseconds and HTTP dates', () => {
    expect(parseRetryAfterMs({ 'retry-after': '2' })).toBe(2_000);
    expect(parseRetryAfterMs({ 'retry-after': '0.25' })).toBe(250);
    expect(parseRetryAfterMs({ 'retry-after-ms': '120', 'retry-after': '9' })).toBe(120);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }, now)).toBe(3_000);
    expect(parseRetryAfterMs({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }, now)).toBe(0);
  });

  it('ignores absent and unparseable values', () => {
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs({})).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after-ms': '-5' })).toBeUndefined();
  });
});

describe('sleep and aborts', () => {
  it('rejects with CANCELLED when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(sleep(10, controller.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reads a deadline signal as a timeout and passes AppError reasons through', async () => {
    const deadline = AbortSignal.timeout(1);
    await expect(sleep(1_000, deadline)).rejects.toMatchObject({ code: 'LLM_TIMEOUT' });
    const reason = new AppError('QUOTA_EXCEEDED', 'quota');
    expect(abortedError(AbortSignal.abort(reason))).toBe(reason);
  });
});
