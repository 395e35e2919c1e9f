// Token and cost accounting for one run, across its model calls, and the task budget check. Completed calls
// count what the provider reported; the call in flight (or one cut off by cancel, error or budget after it
// streamed, which never reports usage) counts a local estimate: the prompt's tokens plus those streamed so far.
import { costAt, priceOf, type LlmUsage, type ModelPrice, type PriceTable } from '../llm/index.ts';

export interface TaskUsage {
  inputTokens: number;
  outputTokens: number;
  /** True when any part of the counts is a local estimate rather than the provider's report. */
  estimated: boolean;
}

export interface BudgetLimits {
  taskBudgetUsd?: number | undefined;
  taskBudgetTokens?: number | undefined;
}

export class UsageMeter {
  readonly #limits: BudgetLimits;
  /** Looked up once: the budget check runs on every streamed chunk, and an unknown model scans the table. */
  readonly #price: ModelPrice | undefined;
  #done: TaskUsage = { inputTokens: 0, outputTokens: 0, estimated: false };
  #call: { inputTokens: number; outputTokens: number } | undefined;

  constructor(model: string, priceTable: PriceTable | undefined, limits: BudgetLimits) {
    this.#limits = limits;
    this.#price = priceOf(model, priceTable);
  }

  /** Starts a model call whose prompt is estimated at `inputTokens`. */
  beginCall(inputTokens: number): void {
    this.#settleCall();
    this.#call = { inputTokens, outputTokens: 0 };
  }

  /** Adds the estimated tokens of streamed text to the call in flight. */
  addOutput(tokens: number): void {
    if (this.#call !== undefined) this.#call.outputTokens += tokens;
  }

  /** Replaces the call's estimate with what the provider reported. */
  finishCall(usage: LlmUsage): void {
    this.#call = undefined;
    this.#add(usage.inputTokens, usage.outputTokens, usage.estimated);
  }

  /**
   * Ends a call that reported no usage (cancelled, failed, stopped). Its estimate is kept once the model had
   * streamed something, since the provider then processed (and bills) the prompt; a call refused before any
   * text (bad key, rate limit) is counted as free.
   */
  abandonCall(): void {
    if (this.#call !== undefined && this.#call.outputTokens === 0) this.#call = undefined;
    this.#settleCall();
  }

  get usage(): TaskUsage {
    const call = this.#call;
    if (call === undefined) return { ...this.#done };
    return {
      inputTokens: this.#done.inputTokens + call.inputTokens,
      outputTokens: this.#done.outputTokens + call.outputTokens,
      estimated: true,
    };
  }

  /** USD so far, or null when the model has no price in the table (local models). */
  get costUsd(): number | null {
    return this.#costOf(this.usage);
  }

  /**
   * Why the run is over its budget, or undefined while it is within it. `extraInputTokens` asks about a call
   * not yet made, so a prompt that alone would break the budget is never sent.
   */
  overBudget(extraInputTokens = 0): string | undefined {
    const { taskBudgetTokens, taskBudgetUsd } = this.#limits;
    const current = this.usage;
    const usage = { ...current, inputTokens: current.inputTokens + extraInputTokens };
    const tokens = usage.inputTokens + usage.outputTokens;
    if (taskBudgetTokens !== undefined && tokens > taskBudgetTokens) {
      return `The task used about ${tokens} tokens, over its budget of ${taskBudgetTokens}.`;
    }
    const cost = this.#costOf(usage);
    if (taskBudgetUsd !== undefined && cost !== null && cost > taskBudgetUsd) {
      return `The task cost about $${cost.toFixed(4)}, over its budget of $${taskBudgetUsd.toFixed(4)}.`;
    }
    return undefined;
  }

  #costOf(usage: TaskUsage): number | null {
    return this.#price === undefined ? null : costAt(this.#price, usage);
  }

  #settleCall(): void {
    const call = this.#call;
    if (call === undefined) return;
    this.#call = undefined;
    this.#add(call.inputTokens, call.outputTokens, true);
  }

  #add(inputTokens: number, outputTokens: number, estimated: boolean): void {
    this.#done = {
      inputTokens: this.#done.inputTokens + inputTokens,
      outputTokens: this.#done.outputTokens + outputTokens,
      estimated: this.#done.estimated || estimated,
    };
  }
}
