// A run of a workspace's checks that a person started ("Run checks"): its inputs, its ordered event log (the
// checks' `check` and `finding` events, what their commands print, and how the run ended) and the rules that
// decide what it checks and how it ended. Decisions:
// - It checks the live workspace as it is: every file counts as changed, so the security scan reads them all.
// - Output is a live terminal, not an archive: each check keeps at most `checkRunLimits.outputPerCheck` characters
//   in its log and says how much it cut; the `check` event still carries the tail where failures are.
// - A run ends `failed` when a check failed, timed out or could not run; `error` only when nothing could run
//   (the sandbox refused: SANDBOX_UNAVAILABLE with its reason).
import { z } from 'zod';
import { errorCodes } from '../errors.ts';
import { checkEventSchema, eventLimits, findingEventSchema } from '../events/task-event.ts';
import { idSchema, workspaceRef } from '../workspace/schemas.ts';
import { checkNames } from './findings.ts';
import { planChecks, type CheckPlan } from './plan.ts';
import type { ChecksOutcome } from './run-checks.ts';
import type { CheckSettings } from './settings.ts';

export const checkRunLimits = {
  /** One `output` event. */
  outputChunk: eventLimits.outputText,
  /** Output characters kept in a run's log per check; the rest is counted in an `output` note. */
  outputPerCheck: 64 * 1024,
} as const;

export const checkRunStates = ['running', 'passed', 'failed', 'error', 'cancelled'] as const;
export type CheckRunState = (typeof checkRunStates)[number];

/** What one check's commands printed, in the order they printed it. */
export const checkOutputEventSchema = z.object({
  type: z.literal('output'),
  check: z.enum(checkNames),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string().min(1).max(checkRunLimits.outputChunk),
});

/** The last event of a run. */
export const checkRunDoneEventSchema = z.object({
  type: z.literal('done'),
  status: z.enum(checkRunStates).exclude(['running']),
  code: z.enum(errorCodes).optional(),
  message: z.string().max(eventLimits.message).optional(),
  durationMs: z.number().nonnegative(),
});

export const checkRunEventSchema = z.discriminatedUnion('type', [
  checkEventSchema,
  findingEventSchema,
  checkOutputEventSchema,
  checkRunDoneEventSchema,
]);
export type CheckRunEvent = z.infer<typeof checkRunEventSchema>;
export type CheckRunDoneEvent = z.infer<typeof checkRunDoneEventSchema>;

export const checkRunRef = z.object({ runId: idSchema });

export const checkRunEventsInput = checkRunRef.extend({
  /** The last event id the client saw (tRPC `tracked` ids are the event sequence numbers). */
  lastEventId: z
    .string()
    .regex(/^\d{1,9}$/)
    .nullish(),
});

export const listCheckRunsInput = workspaceRef.extend({
  limit: z.number().int().min(1).max(100).default(20),
});

/** The checks of the workspace as it is: every file is "changed", so the security scan covers them all. */
export function planWorkspaceChecks(files: ReadonlyMap<string, string>, settings?: CheckSettings): CheckPlan {
  return planChecks({ files, changed: [...files.keys()], ...(settings === undefined ? {} : { settings }) });
}

/** How a finished run ended, from its checks' results. */
export function checkRunEnding(
  outcome: Pick<ChecksOutcome, 'results' | 'unavailable'>,
  durationMs: number,
): CheckRunDoneEvent {
  const ran = outcome.results.filter((r) => r.status !== 'skipped');
  if (outcome.unavailable !== undefined && ran.every((r) => r.status === 'error')) {
    return {
      type: 'done',
      status: 'error',
      code: 'SANDBOX_UNAVAILABLE',
      message: clipMessage(`The checks could not run: ${outcome.unavailable}`),
      durationMs,
    };
  }
  const bad = outcome.results.filter(
    (r) => r.status === 'failed' || r.status === 'timeout' || r.status === 'error',
  );
  if (bad.length > 0) {
    return {
      type: 'done',
      status: 'failed',
      message: clipMessage(bad.map((r) => `${r.check} ${r.status}: ${r.summary}`).join('; ')),
      durationMs,
    };
  }
  const passed = ran.length;
  return {
    type: 'done',
    status: 'passed',
    message: passed === 0 ? 'No check applies to this workspace.' : `${passed} passed`,
    durationMs,
  };
}

function clipMessage(text: string): string {
  const max = eventLimits.message;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Cuts a check's live output into `output` events: chunks up to the event size, at most `outputPerCheck`
 * characters per check, then one note of how much was left out.
 */
export class CheckOutputBudget {
  readonly #kept = new Map<string, number>();
  readonly #dropped = new Map<string, number>();

  take(
    check: z.infer<typeof checkOutputEventSchema>['check'],
    text: string,
    stream: 'stdout' | 'stderr',
  ): z.infer<typeof checkOutputEventSchema>[] {
    const kept = this.#kept.get(check) ?? 0;
    const room = Math.max(0, checkRunLimits.outputPerCheck - kept);
    const keep = text.slice(0, room);
    if (text.length > keep.length)
      this.#dropped.set(check, (this.#dropped.get(check) ?? 0) + text.length - keep.length);
    this.#kept.set(check, kept + keep.length);
    const events: z.infer<typeof checkOutputEventSchema>[] = [];
    for (let at = 0; at < keep.length; at += checkRunLimits.outputChunk) {
      events.push({ type: 'output', check, stream, text: keep.slice(at, at + checkRunLimits.outputChunk) });
    }
    return events;
  }

  /** The note for a check whose output was cut, once, when it finishes. */
  finish(check: z.infer<typeof checkOutputEventSchema>['check']): z.infer<typeof checkOutputEventSchema>[] {
    const dropped = this.#dropped.get(check) ?? 0;
    this.#dropped.delete(check);
    if (dropped === 0) return [];
    return [
      {
        type: 'output',
        check,
        stream: 'stderr',
        text: `\n[${dropped.toLocaleString('en')} more characters of output not kept]\n`,
      },
    ];
  }
}
