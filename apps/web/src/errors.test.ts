import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { errorCode, errorMessage, retryHint } from './errors.ts';

describe('errorMessage', () => {
  it('tells when to retry a rate-limited call', () => {
    const error = new TRPCClientError('Too many attempts.', {
      result: {
        error: {
          message: 'Too many attempts.',
          code: -32029,
          data: { code: 'RATE_LIMITED', retryAfter: 42 },
        },
      },
    });
    expect(errorMessage(error)).toBe('Too many attempts. Try again in 42 seconds.');
  });

  it('shows the server message for typed errors and a generic one otherwise', () => {
    const error = new TRPCClientError('Wrong email or password.', {
      result: {
        error: { message: 'Wrong email or password.', code: -32001, data: { code: 'INVALID_CREDENTIALS' } },
      },
    });
    expect(errorMessage(error)).toBe('Wrong email or password.');
    expect(errorMessage(new Error('boom'))).toMatch(/Something went wrong/);
  });
});

describe('retryHint', () => {
  it('counts seconds under a minute and a half, minutes after', () => {
    expect(retryHint(1)).toBe('in 1 second');
    expect(retryHint(42)).toBe('in 42 seconds');
    expect(retryHint(600)).toBe('in 10 minutes');
    expect(retryHint(61 * 60)).toBe('in 61 minutes');
  });

  it('says the connection is the problem when the call never reached the server', () => {
    const error = new TRPCClientError('fetch failed');
    expect(errorMessage(error)).toMatch(/Cannot reach the server/);
    expect(errorCode(error)).toBeUndefined();
  });
});
