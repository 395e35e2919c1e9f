// A counting semaphore that admits waiters in arrival order: sandbox runs beyond the per-instance limit wait here
// instead of starting, and a cancelled waiter leaves the line without taking a slot.
import { AppError } from '@tandem/core';

export class FifoGate {
  private active = 0;
  private readonly line: { admit: () => void }[] = [];

  constructor(private readonly limit: number) {}

  get waiting(): number {
    return this.line.length;
  }

  get running(): number {
    return this.active;
  }

  /** Resolves with a release function once a slot is free; rejects with CANCELLED if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.line.shift();
      if (next) next.admit();
      else this.active -= 1;
    };
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const entry = {
        // The slot passes straight from the releasing run to this one; `active` does not change.
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const index = this.line.indexOf(entry);
        if (index !== -1) this.line.splice(index, 1);
        reject(new AppError('CANCELLED', 'The sandbox run was cancelled while it waited for a slot.'));
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.line.push(entry);
    });
  }
}
