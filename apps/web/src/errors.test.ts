import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { errorMessage } from './errors.ts';

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
