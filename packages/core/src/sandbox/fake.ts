// An in-memory Sandbox for core tests: it runs nothing. A handler decides what each command "printed" from the
// spec it got (argv, files, mounts), so tests can play a type checker that answers to the files it is shown.
// It keeps the contract's visible parts: refusal with SANDBOX_UNAVAILABLE, cancellation, bounded output.
import { AppError } from '../errors.ts';
import type { Sandbox, SandboxResult, SandboxRunSpec, SandboxStatus } from './types.ts';

export type FakeSandboxHandler = (
  spec: SandboxRunSpec,
) => Partial<SandboxResult> | Promise<Partial<SandboxResult>>;

export class FakeSandbox implements Sandbox {
  /** Every spec run, in order. */
  readonly runs: SandboxRunSpec[] = [];
  readonly #handler: FakeSandboxHandler;
  #unavailable: string | undefined;

  constructor(handler: FakeSandboxHandler, options: { unavailable?: string } = {}) {
    this.#handler = handler;
    this.#unavailable = options.unavailable;
  }

  /** A start-up self-check still under way, when a test sets one. */
  ready: Promise<unknown> | undefined;

  /** Makes later runs refuse, like a runner whose self-check started failing. */
  refuse(reason: string): void {
    this.#unavailable = reason;
  }

  /** Makes later runs go through again, like a runner whose self-check has passed. */
  accept(): void {
    this.#unavailable = undefined;
  }

  status(): SandboxStatus {
    return {
      available: this.#unavailable === undefined,
      ...(this.#unavailable === undefined ? {} : { reason: this.#unavailable }),
      checks: [],
      limitsBy: 'fake',
    };
  }

  async run(spec: SandboxRunSpec): Promise<SandboxResult> {
    if (this.#unavailable !== undefined) {
      throw new AppError('SANDBOX_UNAVAILABLE', `The sandbox is unavailable: ${this.#unavailable}`);
    }
    this.runs.push(spec);
    if (spec.signal?.aborted === true) return result({ end: 'cancelled', exitCode: null, signal: 'SIGKILL' });
    const answer = await this.#handler(spec);
    const stdout = answer.stdout ?? '';
    const stderr = answer.stderr ?? '';
    if (stdout !== '') spec.onOutput?.(stdout, 'stdout');
    if (stderr !== '') spec.onOutput?.(stderr, 'stderr');
    return result({ ...answer, stdout, stderr });
  }
}

function result(partial: Partial<SandboxResult>): SandboxResult {
  return {
    end: 'exit',
    exitCode: 0,
    signal: null,
    durationMs: 5,
    stdout: '',
    stderr: '',
    droppedOutputBytes: 0,
    collected: new Map(),
    ...partial,
  };
}
