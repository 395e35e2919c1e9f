import { APICallError, JSONParseError } from 'ai';
import { describe, expect, it } from 'vitest';
import { classifyLlmError } from './map-error.ts';

function apiError(
  statusCode: number | undefined,
  body: unknown,
  headers: Record<string, string> = {},
  cause?: unknown,
) {
  return new APICallError({
    message: 'upstream',
    url: 'http://x/v1/chat/completions',
    requestBodyValues: {},
    ...(statusCode === undefined ? {} : { statusCode }),
    responseHeaders: headers,
    responseBody: JSON.stringify(body),
    data: body,
    cause,
  });
}

describe('classifyLlmError', () => {
  it('recognises context-length errors from several servers', () => {
    const bodies = [
      { error: { message: 'x', type: 'invalid_request_error', code: 'context_length_exceeded' } },
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'prompt is too long: 210000 tokens > 200000 maximum',
        },
      },
      {
        error: {
          message: 'the request exceeds the available context size, try increasing it',
          type: 'exceed_context_size_error',
        },
      },
      {
        error: {
          message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens",
        },
      },
    ];
    for (const body of bodies)
      expect(classifyLlmError(apiError(400, body)).error.code).toBe('LLM_CONTEXT_LENGTH');
    expect(classifyLlmError(apiError(400, { error: { message: 'bad temperature' } })).error.code).toBe(
      'LLM_ERROR',
    );
  });

  it('does not retry a 429 that means the account is out of quota', () => {
    const failure = classifyLlmError(
      apiError(429, { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } }),
    );
    expect(failure.error.code).toBe('LLM_RATE_LIMITED');
    expect(failure.retryable).toBe(false);
  });

  it('carries retry-after on rate limits as whole seconds for clients', () => {
    const failure = classifyLlmError(apiError(429, {}, { 'retry-after': '1.2' }));
    expect(failure).toMatchObject({ retryable: true, retryAfterMs: 1_200 });
    expect(failure.error.retryAfter).toBe(2);
  });

  it('separates unreachable hosts from dropped connections', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyLlmError(apiError(undefined, undefined, {}, refused))).toMatchObject({
      retryable: true,
      error: { code: 'LLM_UNREACHABLE' },
    });
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    expect(classifyLlmError(new TypeError('fetch failed', { cause: dns }))).toMatchObject({
      retryable: false,
      error: { code: 'LLM_UNREACHABLE' },
    });
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(classifyLlmError(apiError(200, undefined, {}, reset))).toMatchObject({
      retryable: true,
      error: { code: 'LLM_ERROR', details: { reason: 'disconnected' } },
    });
  });

  it('types in-stream provider errors and parse failures', () => {
    expect(classifyLlmError({ type: 'overloaded_error', message: 'Overloaded' })).toMatchObject({
      retryable: true,
      error: { code: 'LLM_ERROR' },
    });
    expect(classifyLlmError({ type: 'rate_limit_error', message: 'slow down' }).error.code).toBe(
      'LLM_RATE_LIMITED',
    );
    expect(classifyLlmError(new JSONParseError({ text: '{', cause: new Error('x') }))).toMatchObject({
      retryable: false,
      error: { code: 'LLM_ERROR', details: { reason: 'malformed-chunk' } },
    });
    expect(classifyLlmError(apiError(404, {})).error.code).toBe('LLM_ERROR');
    expect(classifyLlmError(apiError(403, {})).error.code).toBe('LLM_AUTH');
    expect(classifyLlmError('weird')).toMatchObject({ retryable: false, error: { code: 'LLM_ERROR' } });
  });
});
