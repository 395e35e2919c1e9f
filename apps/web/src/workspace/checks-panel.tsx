// The workspace's checks as a shared terminal: editors press "Run checks"; every member and reviewer sees each
// check's output stream in live, and the latest runs listed. Runs come and go through `check.onChange`; a run's
// story through `check.events`, which replays from the start and resumes after a reconnect.
import type { CheckRunEvent } from '@tandem/core';
import { foldCheckEvents } from '@tandem/ui/check-results';
import { CheckResultsView } from '@tandem/ui/check-results-view';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, cx, type BadgeTone } from '../components/ui.tsx';
import { errorCode, errorMessage } from '../errors.ts';
import { timeAgo } from '../time.ts';
import { trpcClient, useTRPC } from '../trpc.ts';

type RunState = 'running' | 'passed' | 'failed' | 'error' | 'cancelled';

const stateTone: Record<RunState, BadgeTone> = {
  running: 'amber',
  passed: 'green',
  failed: 'red',
  error: 'red',
  cancelled: 'neutral',
};
const stateWords: Record<RunState, string> = {
  running: 'Running',
  passed: 'Passed',
  failed: 'Failed',
  error: 'Could not run',
  cancelled: 'Cancelled',
};

function useCheckRunEvents(runId: string | null): CheckRunEvent[] {
  const [events, setEvents] = useState<CheckRunEvent[]>([]);
  useEffect(() => {
    setEvents([]);
    if (!runId) return;
    let lastSeq = 0;
    let buffer: CheckRunEvent[] = [];
    let timer = 0;
    // Test output can arrive in bursts: render at most every 16 ms.
    const flush = () => {
      timer = 0;
      const batch = buffer;
      buffer = [];
      setEvents((list) => [...list, ...batch]);
    };
    const sub = trpcClient.check.events.subscribe(
      { runId, lastEventId: null },
      {
        onData: (tracked) => {
          const event = tracked.data as unknown as CheckRunEvent & { seq: number };
          if (event.seq <= lastSeq) return;
          lastSeq = event.seq;
          buffer.push(event);
          timer ||= window.setTimeout(flush, 16);
        },
      },
    );
    return () => {
      if (timer) clearTimeout(timer);
      sub.unsubscribe();
    };
  }, [runId]);
  return events;
}

export function ChecksPanel({
  workspaceId,
  canEdit,
  userName,
}: {
  workspaceId: string;
  canEdit: boolean;
  userName: (id: string) => string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const runs = useQuery(trpc.check.list.queryOptions({ workspaceId, limit: 10 }));
  const [chosen, setChosen] = useState<string | null>(null);

  useEffect(() => {
    const sub = trpcClient.check.onChange.subscribe(
      { workspaceId },
      {
        onData: (change) => {
          void queryClient.invalidateQueries({ queryKey: trpc.check.list.pathKey() });
          // A run someone just started is what everyone wants to watch.
          if (change.state === 'running') setChosen(change.runId);
        },
      },
    );
    return () => sub.unsubscribe();
  }, [workspaceId, queryClient, trpc]);

  const start = useMutation(
    trpc.check.run.mutationOptions({
      onSuccess: ({ runId }) => {
        setChosen(runId);
        void queryClient.invalidateQueries({ queryKey: trpc.check.list.pathKey() });
      },
      onError: (error) => {
        const running = (error as { data?: { details?: { runId?: unknown } } }).data?.details?.runId;
        if (errorCode(error) === 'CONFLICT' && typeof running === 'string') {
          setChosen(running);
          toast({ title: 'The checks are already running', description: 'Showing the run in progress.' });
          return;
        }
        toast({ title: 'The checks did not start', description: errorMessage(error), tone: 'error' });
      },
    }),
  );

  const list = runs.data ?? [];
  const selectedId = chosen ?? list[0]?.id ?? null;
  const selected = list.find((r) => r.id === selectedId);
  const events = useCheckRunEvents(selectedId);
  const checks = useMemo(() => foldCheckEvents(events), [events]);
  const done = events.find((e) => e.type === 'done');
  const running = list.some((r) => r.state === 'running');

  return (
    <section aria-label="Checks" className="flex min-h-0 flex-col border-t border-zinc-200">
      <div className="flex items-center gap-2 px-3 pt-3">
        <h2 className="text-xs font-semibold tracking-wide text-zinc-600 uppercase">Checks</h2>
        <span className="flex-1" />
        {canEdit ? (
          <Button
            size="sm"
            variant="primary"
            disabled={start.isPending || running}
            onClick={() => start.mutate({ workspaceId })}
            title="Type check, lint, tests and a security scan of the workspace, in the sandbox"
          >
            {running ? 'Checks running…' : 'Run checks'}
          </Button>
        ) : null}
      </div>
      <div className="min-h-0 flex-1 overflow-auto p-3">
        {selectedId === null ? (
          <p className="text-sm text-zinc-600">
            {canEdit
              ? 'No checks have run here yet. Run them to type-check, lint, test and scan the workspace.'
              : 'No checks have run here yet. Editors can start them; you will see them live.'}
          </p>
        ) : (
          <div aria-label="Check run" data-run={selectedId} data-state={selected?.state}>
            <p className="mb-2 flex flex-wrap items-center gap-2 text-xs text-zinc-700">
              {selected ? <Badge tone={stateTone[selected.state]}>{stateWords[selected.state]}</Badge> : null}
              {selected?.createdBy ? <span>by {userName(selected.createdBy)}</span> : null}
              {selected ? <span>{timeAgo(selected.createdAt)}</span> : null}
            </p>
            {done?.message ? <p className="mb-2 text-sm text-zinc-800">{done.message}</p> : null}
            <CheckResultsView checks={checks} ariaLabel="Checks of this run" />
          </div>
        )}
        {list.length > 1 ? (
          <>
            <h3 className="mt-3 text-xs font-semibold text-zinc-600">Latest runs</h3>
            <ul className="mt-1 grid gap-1">
              {list.map((run) => (
                <li key={run.id}>
                  <button
                    type="button"
                    aria-current={run.id === selectedId ? 'true' : undefined}
                    onClick={() => setChosen(run.id)}
                    className={cx(
                      'flex w-full items-center gap-2 rounded px-2 py-1 text-left text-xs hover:bg-zinc-100',
                      run.id === selectedId && 'bg-zinc-100',
                    )}
                  >
                    <Badge tone={stateTone[run.state]}>{stateWords[run.state]}</Badge>
                    <span className="truncate text-zinc-700">
                      {run.createdBy ? userName(run.createdBy) : 'a former member'} · {timeAgo(run.createdAt)}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </section>
  );
}
