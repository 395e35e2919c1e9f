// Follows an ordered, gap-free log (a task's events, a check run's events): replays it from the database, then
// follows live messages, which are only a hint that new rows exist. Subscribes before the first read so nothing
// appended in between is missed; a live message that continues the sequence is yielded as is, a gap (a lost or
// reordered message) is filled from the database.
export interface LogSource<T extends { seq: number }> {
  /** Live entries of the log as they are committed; resolves once delivery is set up. */
  subscribe(handler: (entry: T) => void): Promise<() => void>;
  /** Up to `pageSize` entries after `afterSeq`, in order. */
  list(afterSeq: number): Promise<T[]>;
  pageSize: number;
}

export async function* followLog<T extends { seq: number }>(
  source: LogSource<T>,
  afterSeq: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<T> {
  const inbox: T[] = [];
  // An object, not a `let`: the subscription callback flips it between awaits.
  const state = { needsRead: true };
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const unsubscribe = await source.subscribe((entry) => {
    inbox.push(entry);
    poke();
  });
  signal?.addEventListener('abort', poke);
  // A safety net for a lost message at the very end of a run (e.g. a Redis reconnect): look again now and then.
  // One timer for the subscription's life, not one per wait: with many followers a timer per event adds up.
  const safetyNet = setInterval(() => {
    state.needsRead = true;
    poke();
  }, 5_000);
  safetyNet.unref();
  let last = afterSeq;
  try {
    while (!signal?.aborted) {
      if (state.needsRead) {
        state.needsRead = false;
        for (;;) {
          const batch = await source.list(last);
          for (const entry of batch) {
            last = entry.seq;
            yield entry;
          }
          if (batch.length < source.pageSize) break;
        }
      }
      while (inbox.length > 0) {
        const next = inbox.shift();
        if (!next || next.seq <= last) continue;
        if (next.seq !== last + 1) {
          state.needsRead = true;
          break;
        }
        last = next.seq;
        yield next;
      }
      if (state.needsRead || inbox.length > 0) continue;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    clearInterval(safetyNet);
    signal?.removeEventListener('abort', poke);
    unsubscribe();
  }
}
