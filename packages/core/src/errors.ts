// One error type for every domain failure. The code travels to clients as `error.data.code`; the edge maps it
// to a transport status in one place (apps/server trpc/errors.ts), so domain code never thinks about HTTP.

export const errorCodes = [
  'BAD_INPUT',
  'PARSE_ERROR',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_DISABLED',
  'EMAIL_TAKEN',
  'FORBIDDEN',
  'WORKSPACE_ARCHIVED',
  'CSRF_REJECTED',
  'NOT_FOUND',
  'CONFLICT',
  'LAST_OWNER',
  'INVITE_INVALID',
  /** A password reset link that is unknown, expired, already used or replaced by a newer one. */
  'RESET_LINK_INVALID',
  'RATE_LIMITED',
  'TOO_MANY_SUBSCRIPTIONS',
  'QUOTA_EXCEEDED',
  'BUDGET_EXCEEDED',
  'INVALID_PATH',
  'PATH_EXISTS',
  'FILE_TOO_LARGE',
  'WORKSPACE_TOO_LARGE',
  'BINARY_FILE',
  'ARCHIVE_REJECTED',
  'EDIT_NO_MATCH',
  'EDIT_AMBIGUOUS',
  'NO_MODEL',
  'LLM_AUTH',
  'LLM_RATE_LIMITED',
  'LLM_TIMEOUT',
  'LLM_CONTEXT_LENGTH',
  'LLM_UNREACHABLE',
  'LLM_ERROR',
  'SANDBOX_UNAVAILABLE',
  'CANCELLED',
  /** The server stopped (crash, kill, restart) while the task ran; it cannot be resumed honestly. */
  'INTERRUPTED',
  /** A stored secret cannot be decrypted with the configured secret keys. */
  'SECRET_UNREADABLE',
  /** A git remote URL that is not allowed (scheme, local path, private or loopback address not on the allowlist). */
  'GIT_URL_REFUSED',
  /** The git remote could not be reached (DNS, connection, TLS) or did not answer in time. */
  'GIT_UNREACHABLE',
  /** The git remote refused the credentials (or asked for some and none were given). */
  'GIT_AUTH',
  /** A repository over the size, file count or download limits. */
  'GIT_REPO_TOO_LARGE',
  /** `git.connect` needs an empty workspace. */
  'GIT_WORKSPACE_NOT_EMPTY',
  /** The workspace has no git remote (or already has one, for connect). */
  'GIT_NOT_CONNECTED',
  'GIT_ALREADY_CONNECTED',
  /** The remote branch moved on: a push would lose its commits; pull first. */
  'GIT_NON_FAST_FORWARD',
  'GIT_NOTHING_TO_COMMIT',
  /** The remote answered with something that is not a usable git reply (missing branch, protocol error). */
  'GIT_REMOTE_ERROR',
  /** An SSH remote's host key differs from the one recorded when the workspace was connected (or none is known). */
  'GIT_HOST_KEY_CHANGED',
  /** The host key fingerprint an owner confirmed is not the one the SSH host presents now: nothing was accepted. */
  'GIT_HOST_KEY_MISMATCH',
  /** The workspace requires an approval of a task before its changes are accepted, and the task has none. */
  'APPROVAL_REQUIRED',
  /** A feature flag (instance or workspace) turned this feature off. */
  'FEATURE_DISABLED',
  /** A security webhook URL that is not allowed (scheme, credentials, a private or loopback address). */
  'WEBHOOK_URL_REFUSED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface AppErrorOptions {
  /** Seconds a client should wait before retrying (rate limits). */
  retryAfter?: number;
  /** Structured detail safe to show to the caller (never secrets or stack traces). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly retryAfter: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfter = options.retryAfter;
    this.details = options.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
