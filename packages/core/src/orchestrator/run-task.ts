// Drives one AI task from snapshot to proposal: select context, prompt, stream and apply edits live, validate,
// reflect on failures in bounded rounds, and propose a changeset. Every step is an event; the run ends with
// exactly one `done`. Failures (provider errors, budget, cancel) become events and an outcome, never a throw;
// only programming errors and a broken `emit` are rethrown, after the terminal events were attempted.
//
// Decisions:
// - Budget exceeded mid-answer: the request is aborted and the run fails with BUDGET_EXCEEDED and no
//   proposal. The edits that closed before the cut are kept in `files` for diagnosis but not proposed: an
//   answer stopped mid-way is often half a change (a renamed function without its callers).
// - A reflection round whose prompt alone would break the budget is not sent; the run proposes what applied.
// - Truncated answer (finish reason `length`) with an edit block open: the open block is dropped, never applied
//   half-written, and the next reflection round tells the model to resend it.
// - Reflections exhausted: what applied is proposed; the edits that still failed are reported as failed `edit`
//   events, in the final `status` message and in the result. Nothing applied at all is a failure.
// - Checks (type check, lint, tests, security scan) run in the sandbox once a round leaves no edit or syntax
//   problem to reflect on (or no round is left): broken edits are cheaper to fix first. Their failures are a
//   reflection round like any other, within the same bound; the last run travels with the proposal.
// - No sandbox, or one that refuses: the task says so once in `check` events (SANDBOX_UNAVAILABLE) and keeps
//   the syntax validation alone. Nothing runs outside the sandbox.
import {
  changesetLimits,
  computeChangeset,
  summarizeChangeset,
  unappliedLimit,
  type Changeset,
  type ComputeChangesetOptions,
  type UnappliedEdit,
} from '../changeset/index.ts';
import { planChecks, runChecks, type CheckResult, type Finding } from '../checks/index.ts';
import { countTokens, selectContext, toContextEvent } from '../context/index.ts';
import type { EditFailed, EditResult } from '../edits/index.ts';
import { AppError, isAppError, type ErrorCode } from '../errors.ts';
import { eventLimits, type TaskStatus } from '../events/index.ts';
import type { LlmMessage } from '../llm/index.ts';
import type { Sandbox } from '../sandbox/index.ts';
import { runValidators, type ValidationResult } from '../validate/index.ts';
import { EventSink } from './event-sink.ts';
import { resolveTaskLimits, type TaskLimits } from './limits.ts';
import { PhaseClock } from './phase-clock.ts';
import { buildFollowUpMessages, buildSystemPrompt, buildUserPrompt } from './prompt.ts';
import { buildReflectionMessage, failingChecks, needsReflection } from './reflection.ts';
import { streamRound, type RoundContext, type RoundResult } from './stream-round.ts';
import { bounded, errorEvent, validationEvent } from './to-events.ts';
import type { RunTaskDeps, RunTaskInput, RunTaskResult } from './types.ts';
import { UsageMeter } from './usage-meter.ts';
import { WorkingCopy } from './working-copy.ts';

type Ending =
  | { outcome: 'proposed'; changeset: Changeset; note: string | undefined }
  | { outcome: 'no-changes' }
  | { outcome: 'cancelled' }
  | { outcome: 'failed'; error: AppError };

/**
 * Runs one task to its end: select context, prompt, stream the model's answer, parse and apply its edits to a virtual
 * copy of `input.files`, validate, reflect on failures (bounded by `deps.limits`), run the checks in `deps.sandbox`,
 * and propose a changeset. Every step is reported through `deps.emit` as a typed `TaskEvent`, ending with one `done`.
 *
 * @param input - the task: its id, the prompt, the files at the snapshot (text by path), and for a follow-up the
 *   revision, the conversation so far and the review comments
 * @param deps - the model (`LlmClient`), validators, the event sink, the abort signal, and optionally a sandbox,
 *   limits, prices and a clock
 * @returns the outcome (`proposed`, `no-changes`, `failed` with its AppError, `cancelled`), the changeset when there
 *   is one, the files as the task left them, token usage and cost, the number of model calls and what still failed
 * @throws only for invalid limits, an `emit` that throws, or a bug: model, edit and validation failures become events
 *   and a `failed` outcome
 * @example
 * ```ts
 * const result = await runTask(
 *   { taskId: 't1', prompt: 'Rename foo to bar', files: new Map([['src/a.ts', 'export const foo = 1;\n']]) },
 *   { llm, model: llm.model, emit: (event) => log.push(event), validators: [syntaxValidator], signal },
 * );
 * if (result.outcome === 'proposed') review(result.changeset);
 * ```
 * See `examples/core/orchestrator.ts` for a complete run with a scripted model.
 */
export async function runTask(input: RunTaskInput, deps: RunTaskDeps): Promise<RunTaskResult> {
  return new TaskRun(input, deps, resolveTaskLimits(deps.limits)).run();
}

class TaskRun {
  readonly #input: RunTaskInput;
  readonly #deps: RunTaskDeps;
  readonly #limits: TaskLimits;
  readonly #clock: PhaseClock;
  readonly #sink: EventSink;
  readonly #meter: UsageMeter;
  readonly #copy: WorkingCopy;
  readonly #signal: AbortSignal;
  /** Latest result per validator and path; a file's entries are replaced whenever it is validated again. */
  readonly #validations = new Map<string, ValidationResult>();
  #calls = 0;
  /** Whether the first round left nothing to reflect on: its edits applied, validated and passed the checks. */
  #firstRoundPassed = false;
  /** The text of each round's answer, for the conversation a follow-up continues. */
  readonly #answers: string[] = [];
  #lastRound: RoundResult | undefined;
  #checks: { results: CheckResult[]; findings: Finding[] } = { results: [], findings: [] };
  /** Set once the task has said it has no usable sandbox; the checks are not attempted again. */
  #noSandbox = false;

  constructor(input: RunTaskInput, deps: RunTaskDeps, limits: TaskLimits) {
    this.#input = input;
    this.#deps = deps;
    this.#limits = limits;
    this.#clock = new PhaseClock(deps.now ?? (() => performance.now()));
    // A broken event log cannot record the run, so the model call is stopped too.
    const broken = new AbortController();
    this.#signal = AbortSignal.any([deps.signal, broken.signal]);
    this.#sink = new EventSink(deps.emit, (error) => broken.abort(error));
    this.#meter = new UsageMeter(deps.model, deps.priceTable, limits);
    this.#copy = new WorkingCopy(input.files, {
      ...(deps.isWritable === undefined ? {} : { isWritable: deps.isWritable }),
      ...(deps.maxFileBytes === undefined ? {} : { maxFileBytes: deps.maxFileBytes }),
    });
  }

  async run(): Promise<RunTaskResult> {
    let ending: Ending;
    let bug: { error: unknown } | undefined;
    try {
      ending = await this.#pipeline();
    } catch (error) {
      if (isAppError(error)) ending = this.#failedOrCancelled(error);
      else {
        bug = { error };
        ending = { outcome: 'failed', error: new AppError('INTERNAL', 'The task failed unexpectedly.') };
      }
    }
    this.#clock.stop();
    await this.#finish(ending);
    await this.#sink.drain();
    const failure = this.#sink.failure ?? bug;
    if (failure !== undefined) throw failure.error;
    return this.#result(ending);
  }

  async #pipeline(): Promise<Ending> {
    const input = this.#input;
    const limits = this.#limits;
    this.#clock.enter('selecting-context');
    await this.#status('selecting-context');
    const selection = selectContext({
      files: input.files,
      prompt: input.prompt,
      budgetTokens: limits.budgetTokens,
      ...(input.openPaths === undefined ? {} : { openPaths: input.openPaths }),
      ...(input.pinnedPaths === undefined ? {} : { pinnedPaths: input.pinnedPaths }),
    });
    await this.#sink.emit(toContextEvent(selection));
    if (this.#cancelled())
      return this.#failedOrCancelled(new AppError('CANCELLED', 'The task was cancelled.'));

    this.#clock.enter('prompting');
    await this.#status('prompting');
    const system = buildSystemPrompt();
    const messages: LlmMessage[] =
      input.conversation === undefined || input.conversation.length === 0
        ? [{ role: 'user', content: buildUserPrompt(selection, input.prompt) }]
        : buildFollowUpMessages({
            conversation: input.conversation,
            selection,
            request: input.prompt,
            comments: input.comments ?? [],
          });
    const roundContext: RoundContext = {
      llm: this.#deps.llm,
      sink: this.#sink,
      copy: this.#copy,
      clock: this.#clock,
      meter: this.#meter,
      countTokens,
      signal: this.#signal,
      maxOutputTokens: limits.maxOutputTokens,
      schedule: this.#deps.schedule,
      outputFlushMs: this.#deps.outputFlushMs,
    };
    let stoppedBy: string | undefined;
    for (let reflection = 0; ; reflection++) {
      const inputTokens = messages.reduce((sum, m) => sum + countTokens(m.content), countTokens(system));
      const over = this.#meter.overBudget(inputTokens);
      if (over !== undefined) {
        if (this.#calls === 0) return { outcome: 'failed', error: new AppError('BUDGET_EXCEEDED', over) };
        stoppedBy = `Stopped before reflection round ${reflection}: ${over}`;
        break;
      }
      this.#clock.enter('streaming');
      await this.#status('streaming', reflection === 0 ? undefined : `Reflection round ${reflection}`);
      const round = await streamRound(roundContext, { system, messages, inputTokens });
      this.#calls++;
      this.#lastRound = round;
      this.#answers.push(round.text);
      if (round.end.kind === 'failed') return this.#failedOrCancelled(round.end.error);
      if (round.end.kind === 'over-budget') {
        return { outcome: 'failed', error: new AppError('BUDGET_EXCEEDED', round.end.message) };
      }

      const failing = await this.#validate(round.touched);
      if (this.#cancelled())
        return this.#failedOrCancelled(new AppError('CANCELLED', 'The task was cancelled.'));
      const editIssues = {
        results: round.results,
        problems: round.problems,
        truncated: round.truncated,
        failing,
      };
      const lastRound = reflection >= limits.maxReflections;
      let checks: readonly CheckResult[] = [];
      if (!needsReflection(editIssues) || lastRound) {
        checks = await this.#runChecks();
        if (this.#cancelled())
          return this.#failedOrCancelled(new AppError('CANCELLED', 'The task was cancelled.'));
      }
      const issues = { ...editIssues, checks };
      if (reflection === 0) this.#firstRoundPassed = !needsReflection(issues);
      if (!needsReflection(issues) || lastRound) break;

      this.#clock.enter('reflecting');
      await this.#status(
        'reflecting',
        reflectionSummary(reflection + 1, limits.maxReflections, round, failing, checks),
      );
      messages.push(
        // An empty assistant turn is rejected by some providers.
        { role: 'assistant', content: round.text === '' ? '(no answer)' : round.text },
        { role: 'user', content: buildReflectionMessage({ ...issues, files: this.#copy.files }) },
      );
    }
    return this.#propose(stoppedBy);
  }

  async #validate(touched: ReadonlySet<string>): Promise<ValidationResult[]> {
    for (const [key, result] of this.#validations) {
      if (touched.has(result.path) || !this.#copy.files.has(result.path)) this.#validations.delete(key);
    }
    const changed = [...touched].filter((path) => this.#copy.files.has(path)).sort();
    if (changed.length > 0 && this.#deps.validators.length > 0) {
      this.#clock.enter('validating');
      await this.#status('validating');
      const results = await runValidators(this.#deps.validators, {
        files: this.#copy.files,
        changed,
        signal: this.#signal,
      });
      for (const result of results) {
        this.#validations.set(`${result.validator}\u0000${result.path}`, result);
        await this.#sink.emit(validationEvent(result));
      }
    }
    return this.#failingValidations();
  }

  /** Runs the checks on the working copy as it is now; returns their results (empty when they cannot run). */
  async #runChecks(): Promise<CheckResult[]> {
    if (this.#noSandbox) return [];
    const { proposed, deleted } = this.#copy.changes(this.#base);
    if (proposed.size === 0 && deleted.length === 0) return [];
    const options = this.#deps.checks ?? {};
    const files = this.#copy.files;
    const plan = planChecks({
      files,
      changed: [...proposed.keys(), ...deleted],
      ...(options.settings === undefined ? {} : { settings: options.settings }),
    });
    this.#clock.enter('validating');
    // Without a sandbox nothing runs: the `check` events say so, with no status change to announce it.
    if (this.#deps.sandbox !== undefined) await this.#status('validating', 'Running checks');
    const changeset = computeChangeset(this.#base, proposed, deleted, this.#changesetOptions());
    const outcome = await runChecks({
      sandbox: this.#deps.sandbox ?? noSandbox,
      files,
      plan,
      signal: this.#signal,
      onEvent: (event) => this.#sink.emit(event),
      changeset,
      ...(options.toolchain === undefined ? {} : { toolchain: options.toolchain }),
      ...(options.installDependencies === undefined
        ? {}
        : { installDependencies: options.installDependencies }),
      ...(options.registrySandbox === undefined ? {} : { registrySandbox: options.registrySandbox }),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
    this.#checks = { results: outcome.results, findings: outcome.findings };
    if (outcome.unavailable !== undefined) {
      this.#noSandbox = true;
      return [];
    }
    return outcome.results;
  }

  #failingValidations(): ValidationResult[] {
    return [...this.#validations.values()].filter((result) => !result.ok);
  }

  #propose(stoppedBy: string | undefined): Ending {
    const { proposed, deleted } = this.#clock.measure('applying', () => this.#copy.changes(this.#base));
    const unresolved = this.#unresolvedEdits();
    const truncated = this.#lastRound?.truncated !== undefined;
    if (proposed.size === 0 && deleted.length === 0) {
      if (unresolved.length === 0 && !truncated && (this.#lastRound?.problems.length ?? 0) === 0) {
        return { outcome: 'no-changes' };
      }
      const code: ErrorCode = unresolved[0]?.code ?? 'PARSE_ERROR';
      return {
        outcome: 'failed',
        error: new AppError(code, `None of the model's edits could be applied${afterRounds(this.#calls)}.`),
      };
    }
    const computed = this.#clock.measure('applying', () =>
      computeChangeset(this.#base, proposed, deleted, this.#changesetOptions()),
    );
    // What did not apply travels with the proposal, so its review can say plainly that it is partial and why.
    const unapplied = unappliedEdits([
      ...unresolved.map((e) => ({ path: e.path, code: e.code, message: e.message })),
      ...(this.#lastRound?.problems ?? []).map((p) => ({
        path: p.path ?? '',
        code: p.code,
        message: p.message,
      })),
      ...(truncated
        ? [{ path: '', code: 'PARSE_ERROR', message: 'The answer was cut off at the output limit.' }]
        : []),
    ]);
    const changeset = unapplied.length > 0 ? { ...computed, unapplied } : computed;
    const problems = [
      unresolved.length > 0 ? `${count(unresolved.length, 'edit')} could not be applied` : undefined,
      truncated ? 'the answer was cut off at the output limit' : undefined,
      (this.#lastRound?.problems.length ?? 0) > 0
        ? `${count(this.#lastRound?.problems.length ?? 0, 'edit block')} malformed`
        : undefined,
      this.#failingValidations().length > 0
        ? `${count(new Set(this.#failingValidations().map((r) => r.path)).size, 'file')} failed validation`
        : undefined,
      failingChecks(this.#checks.results).length > 0
        ? `checks failed: ${failingChecks(this.#checks.results)
            .map((r) => `${r.check} (${r.summary})`)
            .join(', ')}`
        : undefined,
    ].filter((text) => text !== undefined);
    const note =
      problems.length === 0
        ? stoppedBy
        : `Proposed with unresolved problems${afterRounds(this.#calls)}: ${problems.join('; ')}.` +
          (stoppedBy === undefined ? '' : ` ${stoppedBy}`);
    return { outcome: 'proposed', changeset, note };
  }

  #unresolvedEdits(): EditFailed[] {
    return (this.#lastRound?.results ?? []).filter((r: EditResult): r is EditFailed => r.status === 'failed');
  }

  /** What the changeset is computed against: the live text (see `RunTaskInput.baseFiles`). */
  get #base(): ReadonlyMap<string, string> {
    return this.#input.baseFiles ?? this.#input.files;
  }

  #failedOrCancelled(error: AppError): Ending {
    // The provider reports a cancel as CANCELLED, but so would anything else that saw our signal abort.
    if (!this.#cancelled()) return { outcome: 'failed', error };
    const reason: unknown = this.#deps.signal.reason;
    // `AbortSignal.timeout()` (a deadline for the whole task) is a failure to finish in time, not a user's cancel.
    if (reason instanceof DOMException && reason.name === 'TimeoutError') {
      return {
        outcome: 'failed',
        error: new AppError('LLM_TIMEOUT', 'The task did not finish within its time limit.', {
          cause: reason,
        }),
      };
    }
    return { outcome: 'cancelled' };
  }

  // A method rather than a property read, so the compiler does not treat it as fixed across awaits.
  #cancelled(): boolean {
    return this.#deps.signal.aborted;
  }

  async #finish(ending: Ending): Promise<void> {
    switch (ending.outcome) {
      case 'proposed':
        await this.#sink.emit({
          type: 'proposal',
          summary: summarizeChangeset(ending.changeset),
          ...(this.#input.revision === undefined ? {} : { revision: this.#input.revision }),
        });
        await this.#status('proposed', ending.note);
        break;
      case 'no-changes':
        await this.#status('done', 'The model proposed no changes.');
        break;
      case 'cancelled':
        await this.#status('cancelled');
        break;
      case 'failed':
        await this.#sink.emit(errorEvent(ending.error.code, ending.error.message));
        await this.#status('failed');
        break;
    }
    const usage = this.#meter.usage;
    await this.#sink.emit({
      type: 'done',
      outcome: ending.outcome,
      tokensIn: usage.inputTokens,
      tokensOut: usage.outputTokens,
      costUsd: this.#meter.costUsd,
      totalMs: this.#clock.totalMs,
      phaseMs: this.#clock.phaseMs,
    });
  }

  #result(ending: Ending): RunTaskResult {
    return {
      outcome: ending.outcome,
      changeset: ending.outcome === 'proposed' ? ending.changeset : null,
      files: new Map(this.#copy.files),
      usage: this.#meter.usage,
      costUsd: this.#meter.costUsd,
      calls: this.#calls,
      firstRoundPassed: this.#firstRoundPassed && ending.outcome === 'proposed',
      failedEdits: this.#unresolvedEdits(),
      failedValidations: this.#failingValidations(),
      checks: ending.outcome === 'proposed' ? this.#checks.results : [],
      findings: ending.outcome === 'proposed' ? this.#checks.findings : [],
      answer: this.#answers.join('\n\n'),
      error: ending.outcome === 'failed' ? ending.error : undefined,
      totalMs: this.#clock.totalMs,
      phaseMs: this.#clock.phaseMs,
    };
  }

  #changesetOptions(): ComputeChangesetOptions {
    const { taskId, revision } = this.#input;
    return revision === undefined ? { taskId } : { taskId, revision };
  }

  #status(status: TaskStatus, message?: string): Promise<void> {
    return this.#sink.emit({
      type: 'status',
      status,
      ...(message === undefined ? {} : { message: bounded(message, eventLimits.message) }),
    });
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function afterRounds(calls: number): string {
  const reflections = calls - 1;
  return reflections <= 0 ? '' : ` after ${count(reflections, 'reflection round')}`;
}

function reflectionSummary(
  reflection: number,
  max: number,
  round: RoundResult,
  failing: readonly ValidationResult[],
  checks: readonly CheckResult[],
): string {
  const failed = round.results.filter((r) => r.status === 'failed').length + round.problems.length;
  const failedChecks = failingChecks(checks).map((r) => r.check);
  const parts = [
    failed > 0 ? `${count(failed, 'edit')} failed` : undefined,
    round.truncated === undefined ? undefined : 'answer cut off',
    failing.length > 0 ? `${count(new Set(failing.map((r) => r.path)).size, 'file')} with errors` : undefined,
    failedChecks.length > 0 ? `${failedChecks.join(', ')} failed` : undefined,
  ].filter((part) => part !== undefined);
  return `Reflection ${reflection} of ${max}: ${parts.join(', ')}`;
}

/** Stands in for a missing sandbox: it refuses, so the checks report SANDBOX_UNAVAILABLE and nothing runs. */
const noSandbox: Sandbox = {
  status: () => ({
    available: false,
    reason: 'no sandbox is configured on this server',
    checks: [],
    limitsBy: 'none',
  }),
  run: () => Promise.reject(new AppError('SANDBOX_UNAVAILABLE', 'No sandbox is configured on this server.')),
};

/** Bounded for storage: long paths and messages cut, and past the limit one entry counting the rest. */
function unappliedEdits(edits: readonly UnappliedEdit[]): UnappliedEdit[] {
  const one = (e: UnappliedEdit): UnappliedEdit => ({
    path: bounded(e.path, changesetLimits.path),
    code: bounded(e.code, 64),
    message: bounded(e.message, 4_000),
  });
  if (edits.length <= unappliedLimit) return edits.map(one);
  const rest = edits.length - (unappliedLimit - 1);
  return [
    ...edits.slice(0, unappliedLimit - 1).map(one),
    { path: '', code: 'PARSE_ERROR', message: `${String(rest)} more edits could not be applied.` },
  ];
}
