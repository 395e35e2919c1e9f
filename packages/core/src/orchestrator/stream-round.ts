// One model call of a run: streams the answer to the timeline as coalesced `output` events, parses edits while
// they stream and applies each to the working copy the moment its block closes, so reviewers watch edits land
// live. Provider failures end the round with their AppError; they are not thrown.
import { AppError, isAppError } from '../errors.ts';
import { createEditParser, type EditResult, type ParsedEdit, type ParseProblem } from '../edits/index.ts';
import { OutputCoalescer, type Schedule } from '../events/index.ts';
import type { LlmClient, LlmFinishReason, LlmMessage } from '../llm/index.ts';
import type { EventSink } from './event-sink.ts';
import type { PhaseClock } from './phase-clock.ts';
import { editEvent } from './to-events.ts';
import type { UsageMeter } from './usage-meter.ts';
import type { WorkingCopy } from './working-copy.ts';

export interface RoundContext {
  llm: LlmClient;
  sink: EventSink;
  copy: WorkingCopy;
  clock: PhaseClock;
  meter: UsageMeter;
  countTokens: (text: string) => number;
  signal: AbortSignal;
  maxOutputTokens: number;
  schedule?: Schedule | undefined;
  outputFlushMs?: number | undefined;
}

export type RoundEnd =
  | { kind: 'finished'; finishReason: LlmFinishReason }
  /** The task budget ran out mid-answer; the request was aborted. */
  | { kind: 'over-budget'; message: string }
  /** The provider call failed, or was cancelled (code CANCELLED). */
  | { kind: 'failed'; error: AppError };

export interface RoundResult {
  end: RoundEnd;
  /** The answer as streamed (complete only when the round finished). */
  text: string;
  results: EditResult[];
  problems: ParseProblem[];
  /** Paths the round's applied edits wrote or deleted. */
  touched: Set<string>;
  /** Set when the answer was cut off with an edit still open; that edit was dropped, not applied. */
  truncated: { path: string | undefined } | undefined;
}

// Reasons for which the answer stopped before the model meant to stop: whatever block is open is incomplete.
const cutOffReasons: ReadonlySet<LlmFinishReason> = new Set(['length', 'content-filter']);

export async function streamRound(
  context: RoundContext,
  request: {
    system: string;
    messages: readonly LlmMessage[];
    /** Estimated tokens of system plus messages, counted once by the caller for its budget check. */
    inputTokens: number;
  },
): Promise<RoundResult> {
  const { llm, sink, copy, clock, meter } = context;
  const parser = createEditParser();
  const coalescer = new OutputCoalescer({
    emit: (event) => sink.push(event),
    ...(context.schedule === undefined ? {} : { schedule: context.schedule }),
    ...(context.outputFlushMs === undefined ? {} : { flushIntervalMs: context.outputFlushMs }),
  });
  const round: Omit<RoundResult, 'end'> = {
    text: '',
    results: [],
    problems: [],
    touched: new Set(),
    truncated: undefined,
  };

  const apply = async (edits: readonly ParsedEdit[]): Promise<void> => {
    for (const edit of edits) {
      // Output first: the timeline must show the block's text before the edit it produced.
      coalescer.flush();
      const { results, touched } = clock.measure('applying', () => copy.apply(edit));
      for (const path of touched) round.touched.add(path);
      round.results.push(...results);
      for (const result of results) await sink.emit(editEvent(result, copy.files.has(result.path)));
    }
  };

  meter.beginCall(request.inputTokens);
  let finishReason: LlmFinishReason | undefined;
  let stopped: RoundEnd | undefined;
  try {
    for await (const chunk of llm.stream({
      system: request.system,
      messages: request.messages,
      maxOutputTokens: context.maxOutputTokens,
      signal: context.signal,
    })) {
      if (chunk.type === 'finish') {
        finishReason = chunk.finishReason;
        meter.finishCall(chunk.usage);
        continue;
      }
      round.text += chunk.text;
      coalescer.push(chunk.text);
      meter.addOutput(context.countTokens(chunk.text));
      await apply(parser.push(chunk.text));
      const over = meter.overBudget();
      if (over !== undefined) {
        // Leaving the loop stops the iterator, which aborts the HTTP request.
        stopped = { kind: 'over-budget', message: over };
        break;
      }
    }
  } catch (error) {
    if (!isAppError(error)) throw error;
    stopped = { kind: 'failed', error };
  } finally {
    if (finishReason === undefined) meter.abandonCall();
    coalescer.close();
  }

  if (stopped !== undefined || finishReason === undefined) {
    // Blocks still open stay unparsed: the answer did not end, so they are not complete.
    return {
      ...round,
      end: stopped ?? {
        kind: 'failed',
        error: new AppError('LLM_ERROR', 'The model stream ended before the model finished.'),
      },
      problems: [...parser.problems],
    };
  }
  const before = parser.problems.length;
  const rest = parser.end();
  if (cutOffReasons.has(finishReason)) {
    const unfinished = parser.problems.slice(before);
    if (rest.length > 0 || unfinished.length > 0) {
      round.truncated = { path: rest[0]?.path ?? unfinished[0]?.path };
    }
    return { ...round, end: { kind: 'finished', finishReason }, problems: parser.problems.slice(0, before) };
  }
  await apply(rest);
  return { ...round, end: { kind: 'finished', finishReason }, problems: [...parser.problems] };
}
