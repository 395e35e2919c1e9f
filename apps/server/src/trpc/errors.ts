// The single mapping from domain error codes to transport codes, and the error shape every client sees.
import type { ErrorCode } from '@tandem/core';
import { AppError } from '@tandem/core';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

interface IssueLike {
  message: string;
  path?: readonly (PropertyKey | { key: PropertyKey })[] | undefined;
}

// Input validation failures (ZodError, standard-schema errors) carry a list of issues.
function hasIssues(value: unknown): value is { issues: IssueLike[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { issues?: unknown }).issues);
}

const pathOf = (issue: IssueLike) =>
  (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');

const toTrpc: Partial<Record<ErrorCode, TRPC_ERROR_CODE_KEY>> = {
  PARSE_ERROR: 'PARSE_ERROR',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  WORKSPACE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  ACCOUNT_DISABLED: 'FORBIDDEN',
  FORBIDDEN: 'FORBIDDEN',
  WORKSPACE_ARCHIVED: 'FORBIDDEN',
  CSRF_REJECTED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  EMAIL_TAKEN: 'CONFLICT',
  CONFLICT: 'CONFLICT',
  PATH_EXISTS: 'CONFLICT',
  LAST_OWNER: 'PRECONDITION_FAILED',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_REQUESTS',
  QUOTA_EXCEEDED: 'TOO_MANY_REQUESTS',
  LLM_RATE_LIMITED: 'TOO_MANY_REQUESTS',
  NO_MODEL: 'PRECONDITION_FAILED',
  SANDBOX_UNAVAILABLE: 'PRECONDITION_FAILED',
  LLM_TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CLIENT_CLOSED_REQUEST',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  GIT_URL_REFUSED: 'BAD_REQUEST',
  WEBHOOK_URL_REFUSED: 'BAD_REQUEST',
  GIT_UNREACHABLE: 'BAD_GATEWAY',
  GIT_AUTH: 'PRECONDITION_FAILED',
  GIT_REPO_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  GIT_WORKSPACE_NOT_EMPTY: 'CONFLICT',
  GIT_NOT_CONNECTED: 'PRECONDITION_FAILED',
  GIT_ALREADY_CONNECTED: 'CONFLICT',
  GIT_NON_FAST_FORWARD: 'CONFLICT',
  GIT_NOTHING_TO_COMMIT: 'PRECONDITION_FAILED',
  GIT_REMOTE_ERROR: 'BAD_GATEWAY',
  GIT_HOST_KEY_CHANGED: 'PRECONDITION_FAILED',
  GIT_HOST_KEY_MISMATCH: 'CONFLICT',
  APPROVAL_REQUIRED: 'PRECONDITION_FAILED',
  FEATURE_DISABLED: 'FORBIDDEN',
};

export function trpcCodeFor(code: ErrorCode): TRPC_ERROR_CODE_KEY {
  return toTrpc[code] ?? 'BAD_REQUEST';
}

/** Turns a domain error into the TRPCError the procedure throws; the AppError stays reachable as `cause`. */
export function toTrpcError(error: AppError): TRPCError {
  return new TRPCError({ code: trpcCodeFor(error.code), message: error.message, cause: error });
}

// Errors tRPC raises itself, before any procedure runs.
const fromTrpc: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  PARSE_ERROR: 'PARSE_ERROR',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_SUPPORTED: 'BAD_INPUT',
  BAD_REQUEST: 'BAD_INPUT',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  UNSUPPORTED_MEDIA_TYPE: 'BAD_INPUT',
};

export interface ClassifiedError {
  code: ErrorCode;
  message: string;
  retryAfter?: number | undefined;
  issues?: { path: string; message: string }[];
  details?: Record<string, unknown> | undefined;
  /** True when the message must not reach the client (unexpected failures). */
  internal: boolean;
}

export function classifyError(error: TRPCError): ClassifiedError {
  const cause = error.cause;
  if (cause instanceof AppError) {
    return {
      code: cause.code,
      message: cause.message,
      retryAfter: cause.retryAfter,
      details: cause.details,
      internal: cause.code === 'INTERNAL',
    };
  }
  if (hasIssues(cause)) {
    return {
      code: 'BAD_INPUT',
      message: cause.issues[0]?.message ?? 'Invalid input',
      issues: cause.issues.map((i: IssueLike) => ({ path: pathOf(i), message: i.message })),
      internal: false,
    };
  }
  if (cause instanceof SyntaxError) {
    return { code: 'PARSE_ERROR', message: `Malformed JSON: ${cause.message}`, internal: false };
  }
  const mapped = fromTrpc[error.code];
  if (mapped) return { code: mapped, message: error.message, internal: false };
  return { code: 'INTERNAL', message: 'Internal server error', internal: true };
}
