import { TRPCClientError } from '@trpc/client';

interface ErrorData {
  code?: string;
  retryAfter?: number;
  details?: Record<string, unknown>;
}

function dataOf(error: unknown): ErrorData | undefined {
  return error instanceof TRPCClientError ? (error.data as ErrorData | undefined) : undefined;
}

/** The domain error code (`RATE_LIMITED`, `FORBIDDEN` …) a failed call carries, if it reached the server. */
export function errorCode(error: unknown): string | undefined {
  return dataOf(error)?.code;
}

/** The structured detail a domain error carries (`error.data.details`), e.g. both host keys of GIT_HOST_KEY_CHANGED. */
export function errorDetails(error: unknown): Record<string, unknown> | undefined {
  return dataOf(error)?.details;
}

/** "in 42 seconds", "in 3 minutes": when a rate-limited action may be tried again. */
export function retryHint(seconds: number): string {
  if (seconds < 90) return `in ${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The human message for a failed call, with the retry hint rate limits carry. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = dataOf(error);
    if ((data?.code === 'RATE_LIMITED' || data?.code === 'QUOTA_EXCEEDED') && data.retryAfter) {
      return `Too many attempts. Try again ${retryHint(data.retryAfter)}.`;
    }
    if (!data) return 'Cannot reach the server. Check your connection; Tandem retries on its own.';
    return error.message;
  }
  return 'Something went wrong. Check your connection and try again.';
}
