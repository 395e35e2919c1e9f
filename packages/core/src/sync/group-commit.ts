// Group commit: at most one storage write is in flight; whatever arrives meanwhile goes out as the next batch, in
// arrival order. Under load this turns many small appends into few larger ones without adding latency when idle.

export interface GroupCommitHooks<T> {
  write(items: readonly T[]): Promise<void>;
  /** Runs synchronously after the batch is durable and before the next batch is written. */
  committed(items: readonly T[], writeMs: number): void;
  /** The batch was not written. The queue carries on with whatever is still queued. */
  failed(items: readonly T[], error: unknown): void;
}

export class GroupCommit<T> {
  readonly #hooks: GroupCommitHooks<T>;
  readonly #now: () => number;
  #queue: T[] = [];
  #inFlight = 0;
  #running = false;
  #idleWaiters: (() => void)[] = [];

  constructor(hooks: GroupCommitHooks<T>, now: () => number = () => performance.now()) {
    this.#hooks = hooks;
    this.#now = now;
  }

  /** Items queued or being written. */
  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  push(item: T): void {
    this.#queue.push(item);
    if (!this.#running) void this.#run();
  }

  /** Removes queued items that are not yet being written; returns them. */
  dropQueued(predicate: (item: T) => boolean): T[] {
    const dropped = this.#queue.filter(predicate);
    if (dropped.length > 0) this.#queue = this.#queue.filter((item) => !predicate(item));
    return dropped;
  }

  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      this.#inFlight = batch.length;
      const startedAt = this.#now();
      let error: { cause: unknown } | null = null;
      try {
        await this.#hooks.write(batch);
      } catch (cause) {
        error = { cause };
      }
      this.#inFlight = 0;
      if (error === null) this.#hooks.committed(batch, this.#now() - startedAt);
      else this.#hooks.failed(batch, error.cause);
    }
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
