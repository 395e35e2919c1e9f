// Folds the events of a check run (a human-started run, or the checks of a task) into one entry per check: its
// latest status, what it printed so far, and what it found. Pure, so both the live panel and the review use it.
import {
  isBlockingFinding,
  type CheckName,
  type CheckStatus,
  type Finding,
  type FindingSeverity,
} from '@tandem/core';

export type CheckResultEvent =
  | {
      type: 'check';
      check: CheckName;
      status: CheckStatus;
      durationMs?: number | undefined;
      summary?: string | undefined;
      output?: string | undefined;
    }
  | ({ type: 'finding' } & Finding)
  | { type: 'output'; check: CheckName; stream: 'stdout' | 'stderr'; text: string }
  | { type: string };

export interface CheckEntry {
  check: CheckName;
  status: CheckStatus;
  durationMs: number | undefined;
  summary: string | undefined;
  /** What the check printed, live as it arrived; or the tail its final event carried when nothing streamed. */
  output: string;
  findings: Finding[];
}

const checkLabels: Record<CheckName, string> = {
  install: 'Install dependencies',
  typecheck: 'Type check',
  lint: 'Lint',
  test: 'Tests',
  security: 'Security scan',
};

export function checkLabel(check: CheckName): string {
  return checkLabels[check];
}

const statusWords: Record<CheckStatus, string> = {
  running: 'Running',
  passed: 'Passed',
  failed: 'Failed',
  error: 'Could not run',
  timeout: 'Timed out',
  skipped: 'Skipped',
};

export function checkStatusLabel(status: CheckStatus): string {
  return statusWords[status];
}

export function checkStatusTone(status: CheckStatus): 'ok' | 'warn' | 'error' | 'neutral' {
  if (status === 'passed') return 'ok';
  if (status === 'running') return 'warn';
  if (status === 'skipped') return 'neutral';
  return 'error';
}

/** Blocks auto-apply and asks a human to confirm: a critical or high finding, or any secret (core's rule). */
export function isSeriousFinding(finding: Pick<Finding, 'tool' | 'severity'>): boolean {
  return isBlockingFinding(finding);
}

export const severityOrder: readonly FindingSeverity[] = ['critical', 'high', 'medium', 'low'];

/**
 * One entry per check, in the order they first appeared. A check seen again (a task's next reflection round)
 * starts over: its output and findings are the latest run's.
 */
export function foldCheckEvents(events: readonly CheckResultEvent[]): CheckEntry[] {
  const entries = new Map<CheckName, CheckEntry & { streamed: boolean }>();
  let current: CheckName | undefined;
  for (const event of events) {
    if (isCheck(event)) {
      const previous = entries.get(event.check);
      // A check that was running keeps what it printed when it finishes; anything else starts over.
      const base =
        event.status !== 'running' && previous?.status === 'running'
          ? { output: previous.output, findings: previous.findings, streamed: previous.streamed }
          : { output: '', findings: [], streamed: false };
      // A map keeps its first insertion order; a re-run keeps the check's place.
      const entry = {
        check: event.check,
        status: event.status,
        durationMs: event.durationMs,
        summary: event.summary,
        ...base,
      };
      if (!entry.streamed && event.output !== undefined && event.status !== 'running')
        entry.output = event.output;
      entries.set(event.check, entry);
      current = event.check;
    } else if (isOutput(event)) {
      const entry = entries.get(event.check);
      if (entry === undefined) continue;
      if (!entry.streamed) entry.output = '';
      entry.streamed = true;
      entry.output += event.text;
    } else if (isFinding(event) && current !== undefined) {
      entries.get(current)?.findings.push(findingOf(event));
    }
  }
  return [...entries.values()].map(({ streamed: _streamed, ...entry }) => entry);
}

function findingOf(event: { type: 'finding' } & Finding): Finding {
  const { type: _type, ...finding } = event;
  return finding;
}

function isCheck(event: CheckResultEvent): event is Extract<CheckResultEvent, { type: 'check' }> {
  return event.type === 'check' && 'check' in event && 'status' in event;
}

function isOutput(event: CheckResultEvent): event is Extract<CheckResultEvent, { type: 'output' }> {
  return event.type === 'output' && 'check' in event && 'text' in event;
}

function isFinding(event: CheckResultEvent): event is { type: 'finding' } & Finding {
  return event.type === 'finding' && 'severity' in event;
}
