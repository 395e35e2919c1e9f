// Turns whatever the AI SDK, fetch or a provider's stream throws into one typed AppError, and decides
// whether trying again could help. Providers disagree on shapes, so this reads status codes, error bodies
// and the network error codes undici puts in `cause` chains.

import { APICallError, InvalidResponseDataError, JSONParseError, TypeValidationError } from 'ai';
import { AppError } from '../errors.ts';
import { parseRetryAfterMs } from './retry.ts';

export interface LlmFailure {
  error: AppError;
  /** True when the same request may succeed later (rate limits, 5xx, dropped connections). */
  retryable: boolean;
  /** The server's requested wait, when it sent one. */
  retryAfterMs?: number;
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ConnectionRefused',
  'FailedToOpenSocket',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// A name that does not resolve will not start resolving within a retry window.
const permanentlyUnreachableCodes = new Set(['ENOTFOUND']);

const contextLengthPatterns = [
  /context[_ ]length[_ ]exceeded/i,
  /maximum context length/i,
  /prompt is too long/i,
  /exceed_context_size/i,
  /exceeds? (the )?(model'?s? )?(maximum |available )?context/i,
  /context (window|size|length) (is )?(exceeded|too small)/i,
  /too many (input |prompt )?tokens/i,
  /input (is )?too long/i,
  /request_too_large/i,
];

const providerMessageLimit = 500;

export function classifyLlmError(error: unknown): LlmFailure {
  if (error instanceof AppError) return { error, retryable: false };
  if (APICallError.isInstance(error)) return classifyApiCallError(error);
  if (JSONParseError.isInstance(error) || TypeValidationError.isInstance(error)) {
    return {
      error: new AppError('LLM_ERROR', 'The model provider sent a malformed stream chunk.', {
        cause: error,
        details: { reason: 'malformed-chunk' },
      }),
      retryable: false,
    };
  }
  if (InvalidResponseDataError.isInstance(error)) {
    // The OpenAI-compatible model reports a stream that closed without `finish_reason` this way; treat it
    // like the same condition detected for Anthropic in the stream loop.
    if (/without a finish reason/i.test(error.message)) return truncatedStream(error);
    return {
      error: new AppError('LLM_ERROR', 'The model provider sent an invalid response.', {
        cause: error,
        details: { reason: 'invalid-response', providerMessage: truncate(messageOf(error)) },
      }),
      retryable: false,
    };
  }
  const networkCode = findNetworkCode(error);
  if (networkCode !== undefined) return classifyNetworkFailure(networkCode, error, false);
  if (isInStreamError(error)) return classifyInStreamError(error);
  return {
    error: new AppError('LLM_ERROR', 'The model call failed.', {
      cause: error,
      details: { providerMessage: truncate(messageOf(error)) },
    }),
    retryable: false,
  };
}

export function truncatedStream(cause?: unknown): LlmFailure {
  return {
    error: new AppError('LLM_ERROR', 'The model stream ended before the model finished.', {
      ...(cause === undefined ? {} : { cause }),
      details: { reason: 'truncated' },
    }),
    retryable: true,
  };
}

function classifyApiCallError(error: APICallError): LlmFailure {
  const status = error.statusCode;
  const providerMessage = truncate(providerMessageOf(error));
  const details: Record<string, unknown> = { providerMessage };
  if (status !== undefined) details.status = status;

  if (status === undefined || (status >= 200 && status < 300)) {
    // No status: the request never got a response. A 2xx status here means the body stream broke after
    // the provider had already said yes, i.e. the connection dropped mid-stream.
    const code = findNetworkCode(error) ?? 'UNKNOWN';
    return classifyNetworkFailure(code, error, status !== undefined);
  }
  if (status === 401 || status === 403) {
    return {
      error: new AppError('LLM_AUTH', `The model provider rejected the credentials (HTTP ${status}).`, {
        cause: error,
        details,
      }),
      retryable: false,
    };
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(error.responseHeaders);
    // OpenAI answers 429 with `insufficient_quota` when the account is out of credit: waiting will not help.
    const exhausted = /insufficient_quota|exceeded your current quota|credit balance/i.test(
      `${error.responseBody ?? ''} ${error.message}`,
    );
    const appError = new AppError('LLM_RATE_LIMITED', 'The model provider is rate limiting requests.', {
      cause: error,
      details,
      ...(retryAfterMs === undefined ? {} : { retryAfter: Math.ceil(retryAfterMs / 1000) }),
    });
    return retryAfterMs === undefined
      ? { error: appError, retryable: !exhausted }
      : { error: appError, retryable: !exhausted, retryAfterMs };
  }
  if (
    (status === 400 || status === 413 || status === 422) &&
    isContextLengthMessage(providerMessage, error)
  ) {
    return {
      error: new AppError('LLM_CONTEXT_LENGTH', 'The prompt is longer than the model can accept.', {
        cause: error,
        details,
      }),
      retryable: false,
    };
  }
  if (status === 404) {
    return {
      error: new AppError('LLM_ERROR', 'The model or endpoint was not found (HTTP 404).', {
        cause: error,
        details,
      }),
      retryable: false,
    };
  }
  const retryable = status === 408 || status === 409 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfterMs(error.responseHeaders) : undefined;
  const appError = new AppError('LLM_ERROR', `The model provider returned an error (HTTP ${status}).`, {
    cause: error,
    details,
  });
  return retryAfterMs === undefined
    ? { error: appError, retryable }
    : { error: appError, retryable, retryAfterMs };
}

function classifyNetworkFailure(code: string, error: unknown, midStream: boolean): LlmFailure {
  if (!midStream && unreachableCodes.has(code)) {
    return {
      error: new AppError('LLM_UNREACHABLE', `Cannot reach the model provider (${code}).`, {
        cause: error,
        details: { networkCode: code },
      }),
      retryable: !permanentlyUnreachableCodes.has(code),
    };
  }
  return {
    error: new AppError(
      'LLM_ERROR',
      midStream
        ? 'The connection to the model provider closed mid-stream.'
        : 'The connection to the model provider failed.',
      {
        cause: error,
        details: { networkCode: code, reason: midStream ? 'disconnected' : 'connection-failed' },
      },
    ),
    retryable: true,
  };
}

interface InStreamError {
  message?: unknown;
  type?: unknown;
  code?: unknown;
}

// OpenAI-compatible servers put `{ error: { message, type, code } }` into the SSE stream; Anthropic sends an
// `error` event with `{ type, message }`. The SDK forwards the inner object as-is.
function isInStreamError(error: unknown): error is InStreamError {
  return typeof error === 'object' && error !== null && ('message' in error || 'type' in error);
}

function classifyInStreamError(error: InStreamError): LlmFailure {
  const message = typeof error.message === 'string' ? error.message : '';
  const type = typeof error.type === 'string' ? error.type : '';
  const code = typeof error.code === 'string' || typeof error.code === 'number' ? String(error.code) : '';
  const details = { providerMessage: truncate(message), providerType: type || code };
  if (contextLengthPatterns.some((pattern) => pattern.test(`${message} ${type} ${code}`))) {
    return {
      error: new AppError('LLM_CONTEXT_LENGTH', 'The prompt is longer than the model can accept.', {
        details,
      }),
      retryable: false,
    };
  }
  if (/rate_limit/i.test(`${type} ${code}`)) {
    return {
      error: new AppError('LLM_RATE_LIMITED', 'The model provider is rate limiting requests.', { details }),
      retryable: true,
    };
  }
  return {
    error: new AppError('LLM_ERROR', 'The model provider reported an error mid-stream.', { details }),
    retryable: /overloaded|server_error|api_error|internal/i.test(`${type} ${code}`),
  };
}

function isContextLengthMessage(providerMessage: string, error: APICallError): boolean {
  const haystack = `${providerMessage} ${error.responseBody ?? ''}`;
  return contextLengthPatterns.some((pattern) => pattern.test(haystack));
}

function providerMessageOf(error: APICallError): string {
  const data: unknown = error.data;
  // Both providers' error schemas nest the human message as `error.message`.
  if (typeof data === 'object' && data !== null && 'error' in data) {
    const inner: unknown = data.error;
    if (
      typeof inner === 'object' &&
      inner !== null &&
      'message' in inner &&
      typeof inner.message === 'string'
    ) {
      return inner.message;
    }
  }
  return error.message;
}

function findNetworkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    if ('code' in current && typeof current.code === 'string' && isNetworkCode(current.code))
      return current.code;
    // undici wraps the socket failure in `cause`, sometimes an AggregateError listing IPv4 and IPv6 attempts.
    if (current instanceof AggregateError) {
      for (const inner of current.errors) {
        const code = findNetworkCode(inner);
        if (code !== undefined) return code;
      }
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

function isNetworkCode(code: string): boolean {
  return unreachableCodes.has(code) || /^(E[A-Z]+|UND_ERR_[A-Z_]+|Connection[A-Za-z]+)$/.test(code);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function truncate(text: string): string {
  return text.length > providerMessageLimit ? `${text.slice(0, providerMessageLimit)}…` : text;
}
