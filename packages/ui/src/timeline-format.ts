// Pure text for the task timeline: one-line summaries and number formats, kept apart from React so they can be
// table-tested and reused (notifications, page titles, screen-reader announcements).
import { answerProse, type TaskEvent, type TaskEventType, type TaskStatus } from '@tandem/core';

/** A task event as the timeline receives it from the log: with its sequence number and time. */
export type TimelineEvent = TaskEvent & { seq: number; at: Date | string };

/** Resolves a user id to a display name; ids are shown as they are without one. */
export type UserNameResolver = (userId: string) => string;

const labels: Record<TaskEventType, string> = {
  status: 'Status',
  context: 'Context',
  output: 'Model output',
  edit: 'Edit',
  validation: 'Validation',
  test: 'Tests',
  check: 'Check',
  finding: 'Finding',
  proposal: 'Proposal',
  'follow-up': 'Follow-up',
  overlap: 'Same files',
  applied: 'Applied',
  conflict: 'Conflict',
  rejected: 'Rejected',
  'rolled-back': 'Rolled back',
  comment: 'Comment',
  verdict: 'Review',
  commit: 'Commit',
  error: 'Error',
  done: 'Done',
};

export function eventLabel(type: TaskEventType): string {
  return labels[type];
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function formatCount(n: number): string {
  return integer.format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * A task usually costs cents or fractions of a cent, so amounts under a dollar keep four decimals: rounding to
 * cents would show "$0.00" (reads as free) or lose most of the figure. `null` is an unpriced model.
 */
export function formatCost(usd: number | null): string {
  if (usd === null) return 'cost unknown';
  if (usd === 0) return '$0.00';
  if (usd < 0.0001) return '< $0.0001';
  if (usd < 1) return `$${usd.toFixed(4)}`;
  return dollars.format(usd);
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${String(Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600) {
    const minutes = Math.floor(totalSeconds / 60);
    const seconds = totalSeconds % 60;
    return seconds === 0 ? `${String(minutes)} min` : `${String(minutes)} min ${String(seconds)} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return minutes === 0 ? `${String(hours)} h` : `${String(hours)} h ${String(minutes)} min`;
}

export function toDate(at: Date | string): Date {
  return at instanceof Date ? at : new Date(at);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock time, HH:MM:SS: a task runs for seconds to minutes, so the date would be noise. */
export function formatClock(at: Date | string): string {
  const d = toDate(at);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function diagnosticCounts(diagnostics: readonly { severity: string }[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const infos = diagnostics.length - errors - warnings;
  const parts = [
    errors > 0 ? plural(errors, 'error') : '',
    warnings > 0 ? plural(warnings, 'warning') : '',
    infos > 0 ? plural(infos, 'note') : '',
  ].filter((p) => p !== '');
  return parts.join(', ');
}

/** A run's phases in words a reviewer reads without knowing the pipeline. */
export const statusWords: Record<TaskStatus, string> = {
  queued: 'Waiting to start',
  'selecting-context': 'Choosing the files to show the model',
  prompting: 'Asking the model',
  streaming: 'The model is answering',
  applying: 'Applying the edits to a copy',
  validating: 'Checking the result',
  reflecting: 'Fixing what the checks found',
  proposed: 'Changes proposed',
  applied: 'Changes applied',
  cancelled: 'Cancelled',
  failed: 'Failed',
  done: 'Done',
};

/** One line of plain text per event: what happened, in words a reviewer understands without the details. */
export function summarizeEvent(event: TaskEvent, userName: UserNameResolver = (id) => id): string {
  switch (event.type) {
    case 'status':
      return event.message ? `${statusWords[event.status]}: ${event.message}` : statusWords[event.status];
    case 'context':
      return `${plural(event.files.length, 'file')}, ${formatCount(event.totalTokens)} of ${formatCount(event.budgetTokens)} tokens`;
    case 'output':
      return plural(event.text.length, 'character');
    case 'edit': {
      const how = event.rung ? `, ${event.rung} match` : '';
      return event.status === 'applied'
        ? `${event.kind} ${event.path} applied${how}`
        : `${event.kind} ${event.path} failed${event.message ? `: ${event.message}` : ''}`;
    }
    case 'validation': {
      if (event.ok && event.diagnostics.length === 0) return `${event.validator} passed on ${event.path}`;
      const counts = diagnosticCounts(event.diagnostics);
      return `${event.validator} ${event.ok ? 'passed' : 'failed'} on ${event.path}${counts ? ` (${counts})` : ''}`;
    }
    case 'test': {
      const exit = event.exitCode === null ? 'killed' : `exit ${String(event.exitCode)}`;
      return `${event.command} ${event.ok ? 'passed' : 'failed'} (${exit}, ${formatDuration(event.durationMs)})`;
    }
    case 'check': {
      const took = event.durationMs === undefined ? '' : ` (${formatDuration(event.durationMs)})`;
      return `${event.check} ${event.status}${took}${event.summary ? `: ${event.summary}` : ''}`;
    }
    case 'finding':
      return `${event.severity} ${event.path}:${String(event.line)}: ${event.message} (${event.rule})`;
    case 'proposal': {
      const { summary } = event;
      const revision = event.revision === undefined ? '' : `Revision ${String(event.revision)}: `;
      return `${revision}${plural(summary.hunks, 'hunk')} in ${plural(summary.files.length, 'file')} (+${formatCount(summary.added)} −${formatCount(summary.removed)})`;
    }
    case 'follow-up':
      return `${userName(event.by)} asked for revision ${String(event.revision)}: ${event.prompt}${
        event.commentIds && event.commentIds.length > 0
          ? ` (addressing ${plural(event.commentIds.length, 'comment')})`
          : ''
      }`;
    case 'overlap':
      return `Another task (${event.state}) also touches ${event.paths.join(', ')}: “${event.prompt}”. Whichever is accepted first moves the other's lines; each review shows its changes against the live text.`;
    case 'applied':
      return `${plural(event.hunkIds.length, 'hunk')} by ${userName(event.by)}`;
    case 'rejected':
      return `${plural(event.hunkIds.length, 'hunk')} by ${userName(event.by)}`;
    case 'rolled-back':
      return `by ${userName(event.by)}: ${formatCount(event.restored)} restored, ${plural(event.conflicts, 'conflict')}`;
    case 'conflict':
      return `${event.path} (hunk ${event.hunkId}): ${event.reason.replaceAll('-', ' ')}`;
    case 'comment': {
      const what = {
        created: 'commented',
        replied: 'replied',
        resolved: 'resolved a thread',
        reopened: 're-opened a thread',
      }[event.action];
      return `${userName(event.by)} ${what} on ${event.path}${event.excerpt ? `: “${event.excerpt}”` : ''}`;
    }
    case 'verdict':
      return `${userName(event.by)} ${event.verdict === 'approve' ? 'approved' : 'requested changes'}${event.note ? `: “${event.note}”` : ''}`;
    case 'commit':
      return event.commit
        ? `Committed ${event.commit.slice(0, 7)}${event.branch ? ` on ${event.branch}` : ''}`
        : `Not committed: ${event.error ? `${event.error.code}: ${event.error.message}` : 'unknown reason'}`;
    case 'error':
      return `${event.code}: ${event.message}${event.retryable ? ' (retryable)' : ''}`;
    case 'done':
      return `${event.outcome}, ${formatCount(event.tokensIn)} tokens in / ${formatCount(event.tokensOut)} out, ${formatCost(event.costUsd)}, ${formatDuration(event.totalMs)}`;
  }
}

/** A timeline row: one event, or a run of consecutive `output` deltas shown as one collapsed block. */
export type TimelineItem =
  | { kind: 'event'; event: TimelineEvent }
  | { kind: 'output'; seq: number; at: Date | string; text: string; count: number };

/** Output arrives as many small deltas; a row each would bury the events that matter. */
export function groupTimeline(events: readonly TimelineEvent[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const event of events) {
    const last = items.at(-1);
    if (event.type === 'output') {
      if (last?.kind === 'output') {
        last.text += event.text;
        last.count += 1;
      } else {
        items.push({ kind: 'output', seq: event.seq, at: event.at, text: event.text, count: 1 });
      }
    } else {
      items.push({ kind: 'event', event });
    }
  }
  return items;
}

/**
 * The model's explanation so far: its streamed output without the edit blocks (core `answerProse`), for the
 * latest revision only (the output since the last follow-up).
 */
export function answerSummary(events: readonly TimelineEvent[]): string {
  const start = events.findLastIndex((e) => e.type === 'follow-up') + 1;
  return answerProse(
    events
      .slice(start)
      .flatMap((e) => (e.type === 'output' ? [e.text] : []))
      .join(''),
  );
}

/** The revision of the task's changeset the events have got to: 1, plus one per follow-up. */
export function latestRevision(events: readonly TimelineEvent[]): number {
  return events.reduce((n, e) => (e.type === 'follow-up' ? Math.max(n, e.revision) : n), 1);
}
