// Splits a run's wall time into its phases for the `done` event. Exactly one phase runs at a time; entering
// one ends the previous, so nested work (applying an edit while streaming) is counted once, where it happened.
import type { TaskPhase } from '../events/index.ts';

export class PhaseClock {
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #spent = new Map<TaskPhase, number>();
  #current: { phase: TaskPhase; since: number } | undefined;
  #stoppedAt: number | undefined;

  constructor(now: () => number) {
    this.#now = now;
    this.#startedAt = now();
  }

  /** Starts timing `phase` (again), ending the phase that was running. */
  enter(phase: TaskPhase): void {
    const at = this.#now();
    this.#close(at);
    this.#current = { phase, since: at };
  }

  /** Runs `work` as `phase`, then resumes the phase that was running before. */
  measure<T>(phase: TaskPhase, work: () => T): T {
    const previous = this.#current?.phase;
    this.enter(phase);
    try {
      return work();
    } finally {
      if (previous === undefined) this.#close(this.#now());
      else this.enter(previous);
    }
  }

  /** Ends timing; later calls change nothing. */
  stop(): void {
    if (this.#stoppedAt !== undefined) return;
    this.#stoppedAt = this.#now();
    this.#close(this.#stoppedAt);
  }

  get totalMs(): number {
    return Math.max(0, (this.#stoppedAt ?? this.#now()) - this.#startedAt);
  }

  /** Milliseconds per phase that ran; phases that never ran are absent. */
  get phaseMs(): Partial<Record<TaskPhase, number>> {
    return Object.fromEntries(this.#spent);
  }

  #close(at: number): void {
    if (this.#current === undefined) return;
    const { phase, since } = this.#current;
    this.#spent.set(phase, (this.#spent.get(phase) ?? 0) + Math.max(0, at - since));
    this.#current = undefined;
  }
}
