// Models stream text a few characters at a time; storing and broadcasting each delta would flood the event log.
// The coalescer batches deltas into `output` events, flushed after a quiet interval or once enough text piled up.
import { AppError } from '../errors.ts';
import { eventLimits, type TaskEventOf } from './task-event.ts';

export type OutputEvent = TaskEventOf<'output'>;

/** Runs `callback` once after `delayMs`; returns a function that cancels it. Injected so tests control time. */
export type Schedule = (callback: () => void, delayMs: number) => () => void;

export const realSchedule: Schedule = (callback, delayMs) => {
  const handle = setTimeout(callback, delayMs);
  return () => clearTimeout(handle);
};

export interface OutputCoalescerOptions {
  /** Receives each batch. Called from a timer too, so it must not throw. */
  emit: (event: OutputEvent) => void;
  /** Longest time a delta waits before it is emitted. */
  flushIntervalMs?: number;
  /** Emit as soon as this much text is pending; also the largest `text` of one event. */
  maxChars?: number;
  schedule?: Schedule;
}

export class OutputCoalescer {
  readonly #emit: (event: OutputEvent) => void;
  readonly #intervalMs: number;
  readonly #maxChars: number;
  readonly #schedule: Schedule;
  #pending = '';
  #cancelTimer: (() => void) | undefined;
  #closed = false;

  constructor(options: OutputCoalescerOptions) {
    const { emit, flushIntervalMs = 50, maxChars = 2_048, schedule = realSchedule } = options;
    if (!(flushIntervalMs > 0) || !Number.isFinite(flushIntervalMs)) {
      throw new AppError('BAD_INPUT', 'flushIntervalMs must be a positive number');
    }
    // At least 2, so a chunk never has to end inside a surrogate pair with no room to back off.
    if (!Number.isInteger(maxChars) || maxChars < 2 || maxChars > eventLimits.outputText) {
      throw new AppError('BAD_INPUT', `maxChars must be an integer from 2 to ${eventLimits.outputText}`);
    }
    this.#emit = emit;
    this.#intervalMs = flushIntervalMs;
    this.#maxChars = maxChars;
    this.#schedule = schedule;
  }

  /** Characters received but not yet emitted. */
  get pendingChars(): number {
    return this.#pending.length;
  }

  push(delta: string): void {
    // A stream being aborted can still deliver a late token after close; dropping it is the intended outcome.
    if (this.#closed || delta === '') return;
    this.#pending += delta;
    while (this.#pending.length >= this.#maxChars) {
      const cut = splitPoint(this.#pending, this.#maxChars);
      this.#send(this.#pending.slice(0, cut));
      this.#pending = this.#pending.slice(cut);
    }
    if (this.#pending === '') this.#stopTimer();
    else
      this.#cancelTimer ??= this.#schedule(() => {
        this.#cancelTimer = undefined;
        this.flush();
      }, this.#intervalMs);
  }

  /** Emits whatever is pending now (e.g. before a `status` event, so the log stays in order). */
  flush(): void {
    this.#stopTimer();
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#send(text);
  }

  /** Flushes and stops; later pushes are ignored. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  #send(text: string): void {
    this.#emit({ type: 'output', text });
  }

  #stopTimer(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }
}

/** The longest prefix of at most `max` code units that does not split a surrogate pair. */
function splitPoint(text: string, max: number): number {
  const last = text.charCodeAt(max - 1);
  return last >= 0xd800 && last <= 0xdbff ? max - 1 : max;
}
