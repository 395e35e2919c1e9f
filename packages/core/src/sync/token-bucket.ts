// Per-connection message rate limit: a burst allowance that refills continuously.

export class TokenBucket {
  readonly #ratePerSecond: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, capacity: number, now: () => number) {
    this.#ratePerSecond = ratePerSecond;
    this.#capacity = capacity;
    this.#now = now;
    this.#tokens = capacity;
    this.#updatedAt = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.#now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsedSeconds * this.#ratePerSecond);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
