// The checks of a run as a shared terminal: one row per check with its state in words, and its output one click
// away (open while it runs or when it failed), followed live as the run prints; findings listed under their check.
import type { CheckStatus, Finding } from '@tandem/core';
import { LocationLink } from './open-location.tsx';
import { StatusBadge } from './status-badge.tsx';
import { checkLabel, checkStatusLabel, checkStatusTone, type CheckEntry } from './check-results.ts';

export interface CheckResultsViewProps {
  checks: readonly CheckEntry[];
  ariaLabel?: string;
}

const pre =
  'm-0 mt-1 max-h-64 overflow-auto rounded bg-zinc-900 p-2 font-mono text-xs whitespace-pre-wrap [overflow-wrap:anywhere] text-zinc-100';

const openByDefault = (status: CheckStatus) =>
  status === 'running' || status === 'failed' || status === 'error' || status === 'timeout';

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : ` in ${(ms / 1000).toFixed(1)} s`;
}

export function FindingLine({ finding }: { finding: Finding }) {
  return (
    <li className="text-xs text-zinc-800">
      <span className="font-semibold uppercase">{finding.severity}</span>{' '}
      <LocationLink path={finding.path} line={finding.line} className="font-mono" /> {finding.message}{' '}
      <span className="text-zinc-600">({finding.rule})</span>
    </li>
  );
}

export function CheckResultsView({ checks, ariaLabel = 'Checks' }: CheckResultsViewProps) {
  if (checks.length === 0) return <p className="text-sm text-zinc-600">No check has reported yet.</p>;
  return (
    <ul aria-label={ariaLabel} className="grid gap-2">
      {checks.map((entry) => (
        <li key={entry.check} data-check={entry.check} data-status={entry.status}>
          <div className="flex items-center gap-2 text-sm">
            <span className="font-medium text-zinc-900">{checkLabel(entry.check)}</span>
            <StatusBadge
              tone={checkStatusTone(entry.status)}
              label={checkStatusLabel(entry.status)}
              description={`${checkLabel(entry.check)}: ${checkStatusLabel(entry.status)}${seconds(entry.durationMs)}`}
            />
          </div>
          {entry.summary ? <p className="mt-0.5 text-xs text-zinc-700">{entry.summary}</p> : null}
          {entry.findings.length > 0 ? (
            <ul aria-label={`Findings of ${checkLabel(entry.check)}`} className="mt-1 grid gap-0.5">
              {entry.findings.map((f, i) => (
                <FindingLine key={`${f.path}:${f.line}:${f.rule}:${i}`} finding={f} />
              ))}
            </ul>
          ) : null}
          {entry.output !== '' ? (
            <details open={openByDefault(entry.status)}>
              <summary className="cursor-pointer text-xs text-zinc-700">Output</summary>
              {/* Scrollable, so reachable by keyboard (axe: scrollable-region-focusable). */}
              <pre
                className={pre}
                tabIndex={0}
                aria-label={`Output of ${checkLabel(entry.check)}`}
                aria-live={entry.status === 'running' ? 'polite' : 'off'}
              >
                {entry.output}
              </pre>
            </details>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
