// Delivers a run's events to the injected `emit` strictly one after another, in the order they were produced,
// even when `emit` is async (the server appends each to the DB before fanning it out) and even for events
// produced from a timer (the output coalescer). A failing `emit` means the run can no longer be recorded, so
// the sink stops delivering and tells the run to stop.
import type { TaskEvent } from '../events/index.ts';

export type EmitFunction = (event: TaskEvent) => void | Promise<void>;

export class EventSink {
  readonly #emit: EmitFunction;
  readonly #onFailure: (error: unknown) => void;
  #tail: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  constructor(emit: EmitFunction, onFailure: (error: unknown) => void) {
    this.#emit = emit;
    this.#onFailure = onFailure;
  }

  /** Queues an event without waiting for it. */
  push(event: TaskEvent): void {
    this.#tail = this.#tail.then(() => this.#deliver(event));
  }

  /** Queues an event and waits until it and everything before it was delivered (backpressure). */
  emit(event: TaskEvent): Promise<void> {
    this.push(event);
    return this.#tail;
  }

  /** Waits for every queued event. */
  drain(): Promise<void> {
    return this.#tail;
  }

  /** The first error `emit` threw, if any; later events were dropped. */
  get failure(): { error: unknown } | undefined {
    return this.#failure;
  }

  async #deliver(event: TaskEvent): Promise<void> {
    if (this.#failure !== undefined) return;
    try {
      await this.#emit(event);
    } catch (error) {
      this.#failure = { error };
      this.#onFailure(error);
    }
  }
}
