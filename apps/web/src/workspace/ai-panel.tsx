// The right pane: ask the AI (prompt with @path mentions, model picker, run), the workspace's task history,
// and the selected task's live timeline with cancel and a way into its review.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useFollowLatest } from '@tandem/ui/follow-latest';
import { TaskAnswer, TaskTimeline } from '@tandem/ui/task-timeline';
import { formatCost, latestRevision, type TimelineEvent } from '@tandem/ui/timeline-format';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, cx, Spinner, type BadgeTone } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { timeAgo } from '../time.ts';
import { useTRPC } from '../trpc.ts';
import { completeMention, mentionAt, mentionedPaths, suggestPaths, type MentionQuery } from './mentions.ts';
import { useTaskEvents } from './use-task-events.ts';

export type TaskState =
  | 'queued'
  | 'running'
  | 'proposed'
  | 'applied'
  | 'rejected'
  | 'rolled-back'
  | 'no-changes'
  | 'cancelled'
  | 'failed';

export const stateTone: Record<TaskState, BadgeTone> = {
  queued: 'neutral',
  running: 'indigo',
  proposed: 'amber',
  applied: 'green',
  rejected: 'neutral',
  'rolled-back': 'neutral',
  'no-changes': 'neutral',
  cancelled: 'neutral',
  failed: 'red',
};

export function Composer({
  workspaceId,
  paths,
  openPaths,
  onCreated,
  draft,
}: {
  workspaceId: string;
  paths: string[];
  openPaths: string[];
  onCreated: (taskId: string) => void;
  /** A prompt put back into the box ("Edit prompt" on a failed task); a new object each time. */
  draft?: { text: string } | undefined;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const listId = useId();
  const models = useQuery(trpc.task.models.queryOptions(undefined, { staleTime: 60_000 }));
  const [prompt, setPrompt] = useState('');
  const [model, setModel] = useState<string>('');
  const [mention, setMention] = useState<(MentionQuery & { caret: number }) | null>(null);
  const [active, setActive] = useState(0);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!draft) return;
    setPrompt(draft.text);
    box.current?.focus();
  }, [draft]);
  // A mention that already names a file exactly needs no list over the Run button.
  const suggestions = useMemo(
    () => (mention && !paths.includes(mention.query) ? suggestPaths(paths, mention.query) : []),
    [mention, paths],
  );
  const create = useMutation(
    trpc.task.create.mutationOptions({
      onSuccess: ({ taskId }) => {
        setPrompt('');
        onCreated(taskId);
      },
      onError: (error) =>
        toast({ title: 'The task did not start', description: errorMessage(error), tone: 'error' }),
    }),
  );

  const configured = models.data?.configured === true;
  const run = () => {
    if (!prompt.trim() || !configured) return;
    const chosen = model || models.data?.defaultModel || undefined;
    create.mutate({
      workspaceId,
      prompt: prompt.trim(),
      model: chosen ?? undefined,
      paths: mentionedPaths(prompt, paths),
      openPaths: openPaths.slice(0, 50),
    });
  };

  const updateMention = (text: string, caret: number) => {
    const found = mentionAt(text, caret);
    setMention(found ? { ...found, caret } : null);
    setActive(0);
  };
  const choose = (path: string) => {
    if (!mention) return;
    const next = completeMention(prompt, mention, path, mention.caret);
    setPrompt(next.text);
    setMention(null);
    requestAnimationFrame(() => {
      box.current?.focus();
      box.current?.setSelectionRange(next.caret, next.caret);
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (mention && suggestions.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((i) => (i + step + suggestions.length) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        choose(suggestions[active] ?? suggestions[0] ?? '');
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setMention(null);
        return;
      }
    }
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      run();
    }
  };

  return (
    <form
      className="grid gap-2 border-b border-zinc-200 p-3"
      aria-label="Ask the AI"
      onSubmit={(e) => {
        e.preventDefault();
        run();
      }}
    >
      <label htmlFor={`${listId}-prompt`} className="text-sm font-semibold text-zinc-900">
        Ask the AI to change the code
      </label>
      <div className="relative">
        <textarea
          id={`${listId}-prompt`}
          ref={box}
          rows={3}
          value={prompt}
          placeholder="e.g. Add input validation to @src/api.ts and a test for it"
          // A textarea may not take the combobox role (ARIA in HTML); a textbox with list autocompletion may.
          aria-controls={suggestions.length > 0 ? `${listId}-mentions` : undefined}
          aria-autocomplete="list"
          aria-activedescendant={suggestions.length > 0 ? `${listId}-m-${active}` : undefined}
          onChange={(e) => {
            setPrompt(e.target.value);
            updateMention(e.target.value, e.target.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setMention(null), 150)}
          className="w-full resize-y rounded-md border border-zinc-300 bg-white p-2 text-sm placeholder:text-zinc-500"
        />
        {suggestions.length > 0 ? (
          <ul
            id={`${listId}-mentions`}
            role="listbox"
            aria-label="Files to mention"
            className="absolute top-full right-0 left-0 z-20 mt-1 max-h-56 overflow-auto rounded-md border border-zinc-200 bg-white py-1 shadow-lg"
          >
            {suggestions.map((path, i) => (
              <li
                key={path}
                id={`${listId}-m-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(path);
                }}
                className={cx(
                  'cursor-pointer truncate px-2 py-1 font-mono text-xs',
                  i === active ? 'bg-indigo-50 text-indigo-900' : 'text-zinc-800',
                )}
              >
                {path}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {models.isPending ? (
        <p className="flex items-center gap-2 text-xs text-zinc-600">
          <Spinner className="size-3" /> Checking models…
        </p>
      ) : models.isError ? (
        <p role="alert" className="text-xs text-red-800">
          {errorMessage(models.error)}
        </p>
      ) : !models.data.configured ? (
        <div
          role="status"
          className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-950"
        >
          <p className="font-semibold">No model configured</p>
          <p>{models.data.problem}</p>
          <p className="mt-1">
            An admin can set one in the admin console (Settings), or start the server with{' '}
            <code>TANDEM_LLM_PROVIDER</code>, <code>TANDEM_LLM_BASE_URL</code>, <code>TANDEM_LLM_MODEL</code>{' '}
            and <code>TANDEM_LLM_API_KEY</code>; a local Ollama is found by itself.
          </p>
        </div>
      ) : null}
      <div className="flex items-center gap-2">
        {configured && models.data ? (
          <label className="flex min-w-0 flex-1 items-center gap-2 text-xs text-zinc-700">
            Model
            <select
              value={model || models.data.defaultModel || ''}
              onChange={(e) => setModel(e.target.value)}
              className="h-8 min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 text-xs"
            >
              {[
                ...new Set([models.data.defaultModel, ...models.data.models].filter((m): m is string => !!m)),
              ].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="flex-1" />
        )}
        <Button
          type="submit"
          variant="primary"
          busy={create.isPending}
          disabled={!configured || !prompt.trim()}
          title="Run (Ctrl+Enter)"
        >
          Run task
        </Button>
      </div>
    </form>
  );
}

export interface TaskSummary {
  id: string;
  kind: 'ai' | 'git-pull';
  prompt: string;
  state: TaskState;
  createdAt: Date;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
  createdBy: string | null;
}

export function TaskHistory({
  tasks,
  selected,
  onSelect,
  userName,
}: {
  tasks: TaskSummary[];
  selected: string | null;
  onSelect: (id: string) => void;
  userName: (id: string) => string;
}) {
  if (tasks.length === 0) {
    return <p className="p-3 text-sm text-zinc-600">No tasks yet. Describe a change above and run it.</p>;
  }
  return (
    <ul aria-label="Task history" className="divide-y divide-zinc-100">
      {tasks.map((task) => (
        <li key={task.id}>
          <button
            type="button"
            aria-current={task.id === selected ? 'true' : undefined}
            onClick={() => onSelect(task.id)}
            className={cx(
              'grid w-full gap-1 px-3 py-2 text-left hover:bg-zinc-50',
              task.id === selected && 'bg-indigo-50',
            )}
          >
            <span className="line-clamp-2 text-sm text-zinc-900">{task.prompt}</span>
            <span className="flex flex-wrap items-center gap-2 text-xs text-zinc-600">
              <Badge tone={stateTone[task.state]}>{task.state}</Badge>
              {task.createdBy ? userName(task.createdBy) : 'someone'} · {timeAgo(task.createdAt)}
              {task.tokensIn + task.tokensOut > 0
                ? ` · ${task.tokensIn + task.tokensOut} tokens · ${formatCost(task.costUsd)}`
                : ''}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function TaskDetail({
  taskId,
  task,
  canEdit,
  userName,
  onReview,
  onBack,
  onRetried,
  onEditPrompt,
}: {
  taskId: string;
  task: TaskSummary | undefined;
  canEdit: boolean;
  userName: (id: string) => string;
  onReview: () => void;
  onBack: () => void;
  /** The new task that runs this one's request again. */
  onRetried: (taskId: string) => void;
  onEditPrompt: (prompt: string) => void;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const { events, error } = useTaskEvents(taskId);
  const cancel = useMutation(
    trpc.task.cancel.mutationOptions({
      onError: (err) => toast({ title: 'Could not cancel', description: errorMessage(err), tone: 'error' }),
    }),
  );
  const retry = useMutation(
    trpc.task.retry.mutationOptions({
      onSuccess: ({ taskId: next }) => onRetried(next),
      onError: (err) =>
        toast({ title: 'Could not run it again', description: errorMessage(err), tone: 'error' }),
    }),
  );
  const live = task?.state === 'queued' || task?.state === 'running';
  const ended = task?.state === 'failed' || task?.state === 'cancelled';
  // A git pull is reviewed like a task, but there is no prompt for a model to run again or continue.
  const pull = task?.kind === 'git-pull';
  const hasProposal = events.some((e) => e.type === 'proposal');
  const revision = latestRevision(events);
  const root = useRef<HTMLElement>(null);
  useFollowLatest(root, events.length);
  return (
    <section ref={root} aria-label="Task" className="grid grid-cols-[minmax(0,1fr)] gap-2 p-3">
      {/* The title and the actions stay at the top of the panel while the timeline follows the run below them: a
          button that scrolled away (or moved as it was clicked) would be lost to whoever reaches for it. */}
      <div className="sticky top-0 z-10 -mx-3 -mt-3 grid gap-2 border-b border-zinc-200 bg-white px-3 py-2">
        <div className="flex items-center gap-2">
          <Button size="sm" variant="ghost" onClick={onBack} aria-label="Back to task history">
            ←
          </Button>
          <h2 className="min-w-0 flex-1 truncate text-sm font-semibold" title={task?.prompt}>
            {task?.prompt ?? 'Task'}
          </h2>
          {revision > 1 ? <Badge tone="indigo">revision {revision}</Badge> : null}
          {task ? <Badge tone={stateTone[task.state]}>{task.state}</Badge> : null}
        </div>
        <div className="flex flex-wrap gap-2">
          {/* First, so it does not move when Cancel goes as the run ends. */}
          {hasProposal ? (
            <Button size="sm" variant="primary" onClick={onReview}>
              Review changes
            </Button>
          ) : null}
          {live && canEdit ? (
            <Button
              size="sm"
              variant="danger"
              busy={cancel.isPending}
              onClick={() => cancel.mutate({ taskId })}
            >
              Cancel task
            </Button>
          ) : null}
          {ended && canEdit && !pull ? (
            <>
              <Button
                size="sm"
                variant="primary"
                busy={retry.isPending}
                onClick={() => retry.mutate({ taskId })}
              >
                Retry
              </Button>
              <Button size="sm" onClick={() => onEditPrompt(task.prompt)}>
                Edit prompt
              </Button>
            </>
          ) : null}
        </div>
      </div>
      <OverlapNotice events={events} />
      {error ? (
        <p role="alert" className="text-sm text-red-800">
          {errorMessage(error)}
        </p>
      ) : null}
      {events.length === 0 ? (
        <p className="flex items-center gap-2 text-sm text-zinc-600">
          <Spinner className="size-3" /> Waiting for the first event…
        </p>
      ) : (
        <>
          <TaskAnswer events={events} />
          <div className="timeline text-sm">
            <TaskTimeline events={events} userName={userName} ariaLabel="Task timeline" />
          </div>
        </>
      )}
      {task && !live && !pull ? <RateTask taskId={taskId} /> : null}
      {task && !live && canEdit && !pull ? <FollowUp taskId={taskId} next={revision + 1} /> : null}
    </section>
  );
}

/**
 * Thumbs up or down on a finished task, with an optional note: one rating per member, a new one replaces it. The
 * admin console counts them per model.
 */
function RateTask({ taskId }: { taskId: string }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ratings = useQuery(trpc.task.ratings.queryOptions({ taskId }));
  const [note, setNote] = useState('');
  const noteId = useId();
  const rate = useMutation(
    trpc.task.rate.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.task.ratings.queryKey({ taskId }) }),
      onError: (err) => toast({ title: 'Could not rate', description: errorMessage(err), tone: 'error' }),
    }),
  );
  const mine = ratings.data?.mine?.rating;
  const send = (rating: 'up' | 'down') =>
    rate.mutate({ taskId, rating, ...(note.trim() === '' ? {} : { note: note.trim() }) });
  return (
    <div role="group" aria-label="Rate this task" className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-zinc-700">Was this useful?</span>
      <Button
        size="sm"
        variant={mine === 'up' ? 'primary' : 'secondary'}
        aria-pressed={mine === 'up'}
        disabled={rate.isPending}
        onClick={() => send('up')}
      >
        <span aria-hidden="true">👍</span>
        <span className="sr-only">Thumbs up</span> {ratings.data?.up ?? 0}
      </Button>
      <Button
        size="sm"
        variant={mine === 'down' ? 'primary' : 'secondary'}
        aria-pressed={mine === 'down'}
        disabled={rate.isPending}
        onClick={() => send('down')}
      >
        <span aria-hidden="true">👎</span>
        <span className="sr-only">Thumbs down</span> {ratings.data?.down ?? 0}
      </Button>
      <label htmlFor={noteId} className="sr-only">
        Note with your rating (optional)
      </label>
      <input
        id={noteId}
        value={note}
        maxLength={2000}
        placeholder="Add a note (optional)"
        onChange={(e) => setNote(e.target.value)}
        className="h-8 min-w-0 flex-1 rounded-md border border-zinc-300 px-2 text-sm"
      />
    </div>
  );
}

/** Continue a finished task: the model gets the conversation, the live files and this request, and revises. */
function FollowUp({ taskId, next }: { taskId: string; next: number }) {
  const trpc = useTRPC();
  const toast = useToast();
  const id = useId();
  const [prompt, setPrompt] = useState('');
  const send = useMutation(
    trpc.task.followUp.mutationOptions({
      onSuccess: () => setPrompt(''),
      onError: (err) =>
        toast({ title: 'The follow-up did not start', description: errorMessage(err), tone: 'error' }),
    }),
  );
  const submit = () => {
    if (prompt.trim()) send.mutate({ taskId, prompt: prompt.trim() });
  };
  return (
    <form
      aria-label="Follow up on this task"
      className="grid gap-2 border-t border-zinc-200 pt-2"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor={`${id}-follow-up`} className="text-sm font-semibold text-zinc-900">
        Follow up (makes revision {next})
      </label>
      <textarea
        id={`${id}-follow-up`}
        rows={2}
        value={prompt}
        placeholder="e.g. Also handle the timeout case"
        onChange={(e) => setPrompt(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) {
            e.preventDefault();
            submit();
          }
        }}
        className="w-full resize-y rounded-md border border-zinc-300 bg-white p-2 text-sm placeholder:text-zinc-500"
      />
      <div className="flex justify-end">
        <Button type="submit" size="sm" variant="primary" busy={send.isPending} disabled={!prompt.trim()}>
          Send follow-up
        </Button>
      </div>
    </form>
  );
}

/** Other tasks that touch the same files, as the timeline reported them (one line per task). */
export function OverlapNotice({ events }: { events: readonly TimelineEvent[] }) {
  const byTask = new Map<string, Extract<TimelineEvent, { type: 'overlap' }>>();
  for (const e of events) if (e.type === 'overlap') byTask.set(e.taskId, e);
  if (byTask.size === 0) return null;
  return (
    <div
      role="note"
      aria-label="Other tasks on these files"
      className="rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-950"
    >
      {[...byTask.values()].map((o) => (
        <p key={o.taskId} className="m-0 [overflow-wrap:anywhere]">
          Another task also touches <code>{o.paths.join(', ')}</code>: “{o.prompt}” ({o.state}). Whichever is
          accepted first moves the other&apos;s lines; each review shows its changes against the live text.
        </p>
      ))}
    </div>
  );
}
