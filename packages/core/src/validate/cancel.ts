// Cancellation for validators: one error, one check, and a way to stop waiting for work that ignores the signal.
import { AppError } from '../errors.ts';

export function cancelledError(): AppError {
  return new AppError('CANCELLED', 'Validation was cancelled.');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw cancelledError();
}

/** Settles like `promise`, or rejects with `CANCELLED` as soon as `signal` aborts, whichever comes first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      // The work still settles later; its outcome is no longer anyone's concern but must not go unhandled.
      promise.catch(() => undefined);
      reject(cancelledError());
      return;
    }
    const onAbort = (): void => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Lets timers, I/O and abort events run between chunks of synchronous parsing. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
