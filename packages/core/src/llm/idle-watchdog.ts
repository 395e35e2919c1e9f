// Detects a stalled model call: no response headers and no body bytes for `idleMs`. Bytes are observed
// at the fetch layer, so SSE keep-alives (Anthropic `ping`) count as life even though they carry no text.

export type FetchFunction = typeof globalThis.fetch;

export interface IdleWatchdog {
  /** Starts (or restarts) the countdown. */
  arm(): void;
  /** Stops the countdown while the consumer, not the network, is the one we are waiting for. */
  pause(): void;
  /** Clears the timer for good. */
  dispose(): void;
  /** Wraps fetch so response headers and every body chunk re-arm the countdown. */
  wrapFetch(fetchImpl: FetchFunction): FetchFunction;
}

export function createIdleWatchdog(idleMs: number, onIdle: () => void): IdleWatchdog {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let paused = false;
  let disposed = false;

  const clear = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const arm = (): void => {
    clear();
    if (disposed) return;
    paused = false;
    timer = setTimeout(() => {
      timer = undefined;
      onIdle();
    }, idleMs);
  };
  const touch = (): void => {
    if (!paused) arm();
  };

  return {
    arm,
    pause: () => {
      paused = true;
      clear();
    },
    dispose: () => {
      disposed = true;
      clear();
    },
    wrapFetch: (fetchImpl) => async (input, init) => {
      const response = await fetchImpl(input, init);
      touch();
      const body = response.body;
      if (body === null) return response;
      const watched = body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            touch();
            controller.enqueue(chunk);
          },
        }),
      );
      return new Response(watched, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
  };
}
