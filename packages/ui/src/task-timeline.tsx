// The story of one task as an ordered list: each entry says in words what happened, when, and the details a
// reviewer needs (files, diagnostics, costs). Model output is collapsed so it never buries the outcome.
import type { TaskEventOf } from '@tandem/core';
import type { ReactNode } from 'react';
import {
  eventLabel,
  formatClock,
  formatCost,
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

const mono = { fontFamily: 'ui-monospace, monospace', fontSize: '0.85em' } as const;
const pre = { ...mono, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', margin: 0 } as const;

function Time({ at, format }: { at: Date | string; format: (at: Date | string) => string }) {
  const d = toDate(at);
  const iso = Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  return <time dateTime={iso}>{format(at)}</time>;
}

function ContextDetails({ event }: { event: TaskEventOf<'context'> }) {
  if (event.files.length === 0) return null;
  return (
    <ul>
      {event.files.map((f) => (
        <li key={f.path}>
          <code style={mono}>{f.path}</code> — {f.reason}, {plural(f.tokens, 'token')}
        </li>
      ))}
    </ul>
  );
}

function EditDetails({ event }: { event: TaskEventOf<'edit'> }) {
  return (
    <dl>
      <dt>File</dt>
      <dd>
        <code style={mono}>{event.path}</code> ({event.kind})
      </dd>
      <dt>Result</dt>
      <dd>{event.status}</dd>
      {event.format ? (
        <>
          <dt>Format</dt>
          <dd>{event.format}</dd>
        </>
      ) : null}
      {event.rung ? (
        <>
          <dt>Matched</dt>
          <dd>{event.rung}</dd>
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
    <ul>
      {event.diagnostics.map((d, i) => (
        <li key={i}>
          <code style={mono}>
            {event.path}:{d.line}:{d.col}
          </code>{' '}
          {d.severity}: {d.message}
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
      <summary>Test output</summary>
      <pre style={pre}>{event.output}</pre>
    </details>
  );
}

function ProposalDetails({ event }: { event: TaskEventOf<'proposal'> }) {
  return (
    <ul>
      {event.summary.files.map((f) => (
        <li key={f.path}>
          <code style={mono}>{f.path}</code> — {f.kind}, {plural(f.hunks, 'hunk')} (+{formatCount(f.added)} −
          {formatCount(f.removed)})
        </li>
      ))}
    </ul>
  );
}

function ConflictDetails({ event }: { event: TaskEventOf<'conflict'> }) {
  return (
    <details>
      <summary>Both sides</summary>
      <p>Current text (ours)</p>
      <pre style={pre}>{event.ours}</pre>
      <p>Task&apos;s text (theirs)</p>
      <pre style={pre}>{event.theirs}</pre>
    </details>
  );
}

function DoneDetails({ event }: { event: TaskEventOf<'done'> }) {
  const phases = Object.entries(event.phaseMs);
  return (
    <dl>
      <dt>Outcome</dt>
      <dd>{event.outcome}</dd>
      <dt>Tokens</dt>
      <dd>
        {formatCount(event.tokensIn)} in / {formatCount(event.tokensOut)} out
      </dd>
      <dt>Cost</dt>
      <dd>{formatCost(event.costUsd)}</dd>
      <dt>Total time</dt>
      <dd>{formatDuration(event.totalMs)}</dd>
      {phases.length > 0 ? (
        <>
          <dt>Phases</dt>
          <dd>{phases.map(([phase, ms]) => `${phase} ${formatDuration(ms)}`).join(', ')}</dd>
        </>
      ) : null}
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
    case 'proposal':
      return <ProposalDetails event={event} />;
    case 'conflict':
      return <ConflictDetails event={event} />;
    case 'done':
      return <DoneDetails event={event} />;
    case 'status':
    case 'output':
    case 'applied':
    case 'rejected':
    case 'rolled-back':
    case 'error':
      return null;
  }
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
      <li data-type="output">
        <strong>{eventLabel('output')}</strong> <Time at={item.at} format={formatTime} />
        <details>
          <summary>
            {plural(item.text.length, 'character')} streamed ({plural(item.count, 'chunk')})
          </summary>
          <pre style={pre}>{item.text}</pre>
        </details>
      </li>
    );
  }
  const { event } = item;
  const failed =
    event.type === 'error' ||
    (event.type === 'edit' && event.status === 'failed') ||
    ((event.type === 'validation' || event.type === 'test') && !event.ok);
  return (
    <li data-type={event.type} data-failed={failed || undefined}>
      <strong>{eventLabel(event.type)}</strong> <Time at={event.at} format={formatTime} />{' '}
      <span>{summarizeEvent(event, userName)}</span>
      {details(event)}
    </li>
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
    <ol aria-label={ariaLabel} style={{ listStyle: 'decimal', paddingLeft: '1.5rem' }}>
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
