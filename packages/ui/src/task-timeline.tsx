// The story of one task as an ordered list: each entry says in words what happened, when, and the details a
// reviewer needs (files, diagnostics, costs). Model output is collapsed so it never buries the outcome.
import type { TaskEventOf } from '@tandem/core';
import type { ReactNode } from 'react';
import { LocationLink } from './open-location.tsx';
import {
  answerSummary,
  eventLabel,
  formatClock,
  formatCount,
  formatDuration,
  groupTimeline,
  plural,
  summarizeEvent,
  toDate,
  type TimelineEvent,
  type TimelineItem,
  type UserNameResolver,
} from './timeline-format.ts';

export interface TaskTimelineProps {
  events: readonly TimelineEvent[];
  /** Shows member names instead of user ids in applied/rejected/rolled-back entries. */
  userName?: UserNameResolver;
  /** Defaults to local HH:MM:SS. */
  formatTime?: (at: Date | string) => string;
  ariaLabel?: string;
}

const pre =
  'm-0 mt-1 max-h-64 overflow-auto rounded bg-zinc-50 p-2 font-mono text-xs whitespace-pre-wrap [overflow-wrap:anywhere] text-zinc-800';
const sub = 'mt-0.5 grid gap-0.5 text-xs text-zinc-600';
const dl = 'mt-0.5 grid grid-cols-[auto_minmax(0,1fr)] gap-x-2 text-xs text-zinc-600';
const summary = 'cursor-pointer text-xs text-zinc-700';

function Time({ at, format }: { at: Date | string; format: (at: Date | string) => string }) {
  const d = toDate(at);
  const iso = Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  return <time dateTime={iso}>{format(at)}</time>;
}

function ContextDetails({ event }: { event: TaskEventOf<'context'> }) {
  if (event.files.length === 0) return null;
  return (
    <ul className={sub}>
      {event.files.map((f) => (
        <li key={f.path}>
          <LocationLink path={f.path} /> — {f.reason}, {plural(f.tokens, 'token')}
        </li>
      ))}
    </ul>
  );
}

function EditDetails({ event }: { event: TaskEventOf<'edit'> }) {
  // The summary line already names the file, the result and the match; add only the format and any message.
  if (!event.format && !event.message) return null;
  return (
    <dl className={dl}>
      {event.format ? (
        <>
          <dt>Format</dt>
          <dd>{event.format}</dd>
        </>
      ) : null}
      {event.message ? (
        <>
          <dt>Message</dt>
          <dd>{event.message}</dd>
        </>
      ) : null}
    </dl>
  );
}

function ValidationDetails({ event }: { event: TaskEventOf<'validation'> }) {
  if (event.diagnostics.length === 0) return null;
  return (
    <ul className={sub}>
      {event.diagnostics.map((d, i) => (
        <li key={i}>
          <LocationLink path={event.path} line={d.line} col={d.col} /> {d.severity}: {d.message}
          {d.rule ? ` (${d.rule})` : ''}
        </li>
      ))}
    </ul>
  );
}

function TestDetails({ event }: { event: TaskEventOf<'test'> }) {
  if (event.output === '') return null;
  return (
    <details>
      <summary className={summary}>Test output</summary>
      <pre className={pre}>{event.output}</pre>
    </details>
  );
}

function CheckDetails({ event }: { event: TaskEventOf<'check'> }) {
  if (event.output === undefined || event.output === '') return null;
  return (
    <details>
      <summary className={summary}>Output</summary>
      <pre className={pre}>{event.output}</pre>
    </details>
  );
}

function ProposalDetails({ event }: { event: TaskEventOf<'proposal'> }) {
  return (
    <ul className={sub}>
      {event.summary.files.map((f) => (
        <li key={f.path}>
          <LocationLink path={f.path} /> — {f.kind}, {plural(f.hunks, 'hunk')} (+
          {formatCount(f.added)} −{formatCount(f.removed)})
        </li>
      ))}
    </ul>
  );
}

function ConflictDetails({ event }: { event: TaskEventOf<'conflict'> }) {
  return (
    <details>
      <summary className={summary}>Both sides</summary>
      <p className="mt-1 text-xs font-medium">Current text (ours)</p>
      <pre className={pre}>{event.ours}</pre>
      <p className="mt-1 text-xs font-medium">Task&apos;s text (theirs)</p>
      <pre className={pre}>{event.theirs}</pre>
    </details>
  );
}

function DoneDetails({ event }: { event: TaskEventOf<'done'> }) {
  // Outcome, tokens, cost and total time are in the summary line; the phases say where the time went.
  const phases = Object.entries(event.phaseMs);
  if (phases.length === 0) return null;
  return (
    <dl className={dl}>
      <dt>Phases</dt>
      <dd>{phases.map(([phase, ms]) => `${phase} ${formatDuration(ms)}`).join(', ')}</dd>
    </dl>
  );
}

function details(event: TimelineEvent): ReactNode {
  switch (event.type) {
    case 'context':
      return <ContextDetails event={event} />;
    case 'edit':
      return <EditDetails event={event} />;
    case 'validation':
      return <ValidationDetails event={event} />;
    case 'test':
      return <TestDetails event={event} />;
    case 'check':
      return <CheckDetails event={event} />;
    case 'proposal':
      return <ProposalDetails event={event} />;
    case 'conflict':
      return <ConflictDetails event={event} />;
    case 'done':
      return <DoneDetails event={event} />;
    case 'status':
    case 'output':
    case 'follow-up':
    case 'overlap':
    case 'applied':
    case 'rejected':
    case 'rolled-back':
    case 'comment':
    case 'verdict':
    case 'commit':
    case 'error':
    case 'finding':
      return null;
  }
}

const dot: Record<string, string> = {
  ok: 'bg-emerald-600',
  failed: 'bg-red-600',
  neutral: 'bg-zinc-400',
  key: 'bg-indigo-600',
};
const keyEvents = new Set(['proposal', 'follow-up', 'applied', 'done', 'rolled-back']);

function Row({
  type,
  tone,
  label,
  at,
  formatTime,
  children,
}: {
  type: string;
  tone: keyof typeof dot;
  label: string;
  at: Date | string;
  formatTime: (at: Date | string) => string;
  children: ReactNode;
}) {
  return (
    <li data-type={type} data-failed={tone === 'failed' || undefined} className="relative pl-4 text-sm">
      <span
        className={`absolute top-1.5 -left-[5px] size-2 rounded-full ring-2 ring-white ${dot[tone]}`}
        aria-hidden="true"
      />
      <div className="flex items-baseline gap-2">
        <strong className={`font-medium ${tone === 'failed' ? 'text-red-800' : 'text-zinc-900'}`}>
          {label}
        </strong>
        <span className="ml-auto shrink-0 text-xs text-zinc-600 tabular-nums">
          <Time at={at} format={formatTime} />
        </span>
      </div>
      {children}
    </li>
  );
}

function Item({
  item,
  userName,
  formatTime,
}: {
  item: TimelineItem;
  userName: UserNameResolver | undefined;
  formatTime: (at: Date | string) => string;
}) {
  if (item.kind === 'output') {
    return (
      <Row type="output" tone="neutral" label={eventLabel('output')} at={item.at} formatTime={formatTime}>
        <details>
          <summary className={summary}>
            {plural(item.text.length, 'character')} streamed ({plural(item.count, 'chunk')})
          </summary>
          <pre className={pre}>{item.text}</pre>
        </details>
      </Row>
    );
  }
  const { event } = item;
  const failed =
    event.type === 'error' ||
    (event.type === 'commit' && !event.commit) ||
    (event.type === 'edit' && event.status === 'failed') ||
    ((event.type === 'validation' || event.type === 'test') && !event.ok) ||
    (event.type === 'check' && ['failed', 'error', 'timeout'].includes(event.status)) ||
    (event.type === 'finding' && (event.severity === 'critical' || event.severity === 'high')) ||
    event.type === 'conflict';
  const tone = failed
    ? 'failed'
    : keyEvents.has(event.type)
      ? 'key'
      : event.type === 'status'
        ? 'neutral'
        : 'ok';
  return (
    <Row type={event.type} tone={tone} label={eventLabel(event.type)} at={event.at} formatTime={formatTime}>
      <p className="text-zinc-700 [overflow-wrap:anywhere]">{summarizeEvent(event, userName)}</p>
      {details(event)}
    </Row>
  );
}

export function TaskTimeline({
  events,
  userName,
  formatTime = formatClock,
  ariaLabel = 'Task timeline',
}: TaskTimelineProps) {
  const items = groupTimeline(events);
  return (
    <ol aria-label={ariaLabel} className="ml-1 grid gap-2 border-l border-zinc-200 py-1">
      {items.map((item) => (
        <Item
          key={item.kind === 'output' ? item.seq : item.event.seq}
          item={item}
          userName={userName}
          formatTime={formatTime}
        />
      ))}
    </ol>
  );
}

/** The model's explanation as the task's summary, above its timeline (nothing while there is none). */
export function TaskAnswer({ events }: { events: readonly TimelineEvent[] }) {
  const prose = answerSummary(events);
  if (prose === '') return null;
  return (
    <section aria-label="Summary" className="grid gap-1 rounded-md border border-zinc-200 bg-white p-2">
      <h4 className="m-0 text-xs font-semibold text-zinc-700">Summary</h4>
      <p className="m-0 text-sm whitespace-pre-wrap [overflow-wrap:anywhere] text-zinc-900">{prose}</p>
    </section>
  );
}
