import { TRPCClientError } from '@trpc/client';

/** The human message for a failed call, with the retry hint rate limits carry. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; retryAfter?: number } | undefined;
    if (data?.code === 'RATE_LIMITED' && data.retryAfter) {
      return `Too many attempts. Try again in ${data.retryAfter} seconds.`;
    }
    return error.message;
  }
  return 'Something went wrong. Check your connection and try again.';
}
