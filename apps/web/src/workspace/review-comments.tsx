// Review comments and verdicts in the review view: threads on each change (comment, reply, resolve, re-open), the
// members' current verdicts with approve / request changes, all live through `review.onChange`.
import type { Hunk } from '@tandem/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useToast } from '../components/toast.tsx';
import { Badge, Button } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { timeAgo } from '../time.ts';
import { trpcClient, useTRPC } from '../trpc.ts';

/**
 * Refetches the review's comments and verdicts whenever anyone changes them, on any server instance, and hands on
 * the notices that a conflict's resolution replaced text members had typed. Mounted once per workspace page.
 */
export function useReviewLive(workspaceId: string, onOverwritten: (notice: OverwriteNotice) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const handler = useRef(onOverwritten);
  handler.current = onOverwritten;
  useEffect(() => {
    const sub = trpcClient.review.onChange.subscribe(
      { workspaceId },
      {
        onData: (change) => {
          if (change.kind === 'overwritten') handler.current(change);
          else if (change.kind === 'comment') {
            void queryClient.invalidateQueries({ queryKey: trpc.review.comment.list.pathKey() });
          } else {
            void queryClient.invalidateQueries({ queryKey: trpc.review.verdict.list.pathKey() });
          }
        },
      },
    );
    return () => sub.unsubscribe();
  }, [workspaceId, queryClient, trpc]);
}

export interface OverwriteNotice {
  taskId: string;
  path: string;
  by: string;
  userIds: string[];
}

export function useTaskThreads(workspaceId: string | undefined, taskId: string) {
  const trpc = useTRPC();
  return useQuery(
    trpc.review.comment.list.queryOptions(
      { workspaceId: workspaceId ?? '', taskId },
      { enabled: workspaceId !== undefined },
    ),
  );
}

export type Thread = NonNullable<ReturnType<typeof useTaskThreads>['data']>[number];

function useInvalidateComments() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.review.comment.list.pathKey() });
}

/** A small form: a labelled text box and a submit button; clears itself once sent. */
function CommentForm({
  label,
  submit,
  busy,
  onSend,
  onCancel,
}: {
  label: string;
  submit: string;
  busy: boolean;
  onSend: (body: string) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const id = useId();
  const [body, setBody] = useState('');
  const send = (event: { preventDefault(): void }) => {
    event.preventDefault();
    if (body.trim() === '') return;
    void onSend(body).then(() => setBody(''));
  };
  return (
    <form onSubmit={send} className="grid gap-1">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <textarea
        id={id}
        value={body}
        rows={2}
        placeholder={label}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e);
          if (e.key === 'Escape' && onCancel) onCancel();
          // The change's own keys (J/K/A/R) must not fire while typing here.
          e.stopPropagation();
        }}
        className="min-h-14 rounded-md border border-zinc-300 bg-white p-2 text-xs text-zinc-900 placeholder:text-zinc-600"
      />
      <div className="flex gap-1">
        <Button type="submit" size="sm" variant="primary" busy={busy} disabled={body.trim() === ''}>
          {submit}
        </Button>
        {onCancel ? (
          <Button type="button" size="sm" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
    </form>
  );
}

export function ThreadView({
  workspaceId,
  thread,
  userName,
}: {
  workspaceId: string;
  thread: Thread;
  userName: (id: string) => string;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateComments();
  const fail = (title: string) => (error: unknown) =>
    toast({ title, description: errorMessage(error), tone: 'error' });
  const reply = useMutation(
    trpc.review.comment.reply.mutationOptions({ onSuccess: invalidate, onError: fail('Could not reply') }),
  );
  const resolve = useMutation(
    trpc.review.comment.resolve.mutationOptions({
      onSuccess: invalidate,
      onError: fail('Could not resolve'),
    }),
  );
  const reopen = useMutation(
    trpc.review.comment.reopen.mutationOptions({ onSuccess: invalidate, onError: fail('Could not re-open') }),
  );
  const resolved = thread.resolvedAt !== null;
  const who = (c: { authorId: string | null; authorName: string | null }) =>
    c.authorId ? userName(c.authorId) : (c.authorName ?? 'a former member');
  const where = thread.line === null ? 'the change' : `line ${String(thread.line)}`;
  return (
    <article
      aria-label={`Comment by ${who(thread)} on ${where}${resolved ? ', resolved' : ''}`}
      data-thread={thread.id}
      data-resolved={resolved || undefined}
      className={`grid gap-1 rounded-md border p-2 ${resolved ? 'border-zinc-200 bg-zinc-50' : 'border-amber-300 bg-amber-50'}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <strong className="font-semibold text-zinc-900">{who(thread)}</strong>
        <span className="text-zinc-700">
          on {where} · {timeAgo(thread.createdAt)}
        </span>
        {resolved ? (
          <Badge tone="neutral">
            resolved{thread.resolvedBy ? ` by ${userName(thread.resolvedBy)}` : ''}
          </Badge>
        ) : null}
        <span className="flex-1" />
        {resolved ? (
          <Button
            size="sm"
            variant="ghost"
            busy={reopen.isPending}
            onClick={() => reopen.mutate({ workspaceId, commentId: thread.id })}
          >
            Re-open
          </Button>
        ) : (
          <Button
            size="sm"
            busy={resolve.isPending}
            onClick={() => resolve.mutate({ workspaceId, commentId: thread.id })}
          >
            Resolve
          </Button>
        )}
      </div>
      <p className="m-0 whitespace-pre-wrap text-zinc-900">{thread.body}</p>
      {thread.replies.length > 0 ? (
        <ul aria-label="Replies" className="m-0 grid list-none gap-1 border-l-2 border-zinc-300 pl-2">
          {thread.replies.map((r) => (
            <li key={r.id}>
              <strong className="font-semibold text-zinc-900">{who(r)}</strong>{' '}
              <span className="text-zinc-700">· {timeAgo(r.createdAt)}</span>
              <p className="m-0 whitespace-pre-wrap text-zinc-900">{r.body}</p>
            </li>
          ))}
        </ul>
      ) : null}
      {resolved ? null : (
        <CommentForm
          label={`Reply to ${who(thread)}`}
          submit="Reply"
          busy={reply.isPending}
          onSend={(body) => reply.mutateAsync({ workspaceId, commentId: thread.id, body })}
        />
      )}
    </article>
  );
}

/** The threads on one change of the task, and a button to start one (on the whole change or one of its lines). */
export function HunkComments({
  workspaceId,
  taskId,
  path,
  hunk,
  label,
  threads,
  userName,
}: {
  workspaceId: string;
  taskId: string;
  path: string;
  hunk: Hunk;
  label: string;
  threads: readonly Thread[];
  userName: (id: string) => string;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const invalidate = useInvalidateComments();
  const [writing, setWriting] = useState(false);
  const [line, setLine] = useState<number | ''>('');
  const lineId = useId();
  const create = useMutation(
    trpc.review.comment.create.mutationOptions({
      onSuccess: () => {
        setWriting(false);
        void invalidate();
      },
      onError: (error) =>
        toast({ title: 'Could not comment', description: errorMessage(error), tone: 'error' }),
    }),
  );
  const lines = Math.max(1, hunk.newText.split('\n').length - (hunk.newText.endsWith('\n') ? 1 : 0));
  const mine = threads.filter((t) => t.hunkId === hunk.id);
  const open = mine.filter((t) => t.resolvedAt === null).length;
  return (
    <section aria-label={`Comments on ${label}`} className="grid gap-1">
      {mine.map((t) => (
        <ThreadView key={t.id} workspaceId={workspaceId} thread={t} userName={userName} />
      ))}
      {writing ? (
        <div className="grid gap-1 rounded-md border border-zinc-200 bg-white p-2">
          <div className="flex items-center gap-1 text-zinc-800">
            <label htmlFor={lineId}>Where</label>
            <select
              id={lineId}
              value={line}
              onChange={(e) => setLine(e.target.value === '' ? '' : Number(e.target.value))}
              className="h-7 rounded border border-zinc-300 bg-white px-1 text-xs"
            >
              <option value="">the whole change</option>
              {Array.from({ length: lines }, (_, i) => (
                <option key={i} value={i + 1}>
                  line {i + 1}: {(hunk.newText.split('\n')[i] ?? '').slice(0, 40)}
                </option>
              ))}
            </select>
          </div>
          <CommentForm
            label={`Comment on ${label}`}
            submit="Comment"
            busy={create.isPending}
            onCancel={() => setWriting(false)}
            onSend={(body) =>
              create.mutateAsync({
                workspaceId,
                target: {
                  kind: 'hunk',
                  taskId,
                  path,
                  hunkId: hunk.id,
                  ...(line === '' ? {} : { line }),
                },
                body,
              })
            }
          />
        </div>
      ) : (
        <div className="flex items-center gap-2">
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Comment on ${label}`}
            onClick={() => setWriting(true)}
          >
            Comment
          </Button>
          {mine.length > 0 ? (
            <span className="text-zinc-700">
              {open} open of {mine.length} thread{mine.length === 1 ? '' : 's'}
            </span>
          ) : null}
        </div>
      )}
    </section>
  );
}

/**
 * Threads on changes of earlier revisions (a follow-up's revision has hunks of its own): still open to reply,
 * resolve and re-open, below the current revision's changes.
 */
export function EarlierComments({
  workspaceId,
  threads,
  hunkIds,
  userName,
}: {
  workspaceId: string;
  threads: readonly Thread[];
  /** The current revision's hunk ids. */
  hunkIds: ReadonlySet<string>;
  userName: (id: string) => string;
}) {
  const earlier = threads.filter((t) => t.hunkId !== null && !hunkIds.has(t.hunkId));
  if (earlier.length === 0) return null;
  return (
    <section
      aria-label="Comments on earlier revisions"
      className="grid gap-2 rounded-lg border border-zinc-200 bg-white p-3"
    >
      <h3 className="m-0 text-sm font-semibold">Comments on earlier revisions</h3>
      {earlier.map((t) => (
        <div key={t.id} className="grid gap-1">
          <p className="m-0 text-xs text-zinc-700">{t.path}</p>
          <ThreadView workspaceId={workspaceId} thread={t} userName={userName} />
        </div>
      ))}
    </section>
  );
}

/**
 * The members' current verdicts on the task's current revision and the caller's approve / request changes, with what
 * the approval policy says. A new revision (a follow-up) starts without verdicts: they are fetched anew.
 */
export function VerdictBar({
  taskId,
  revision,
  userName,
}: {
  taskId: string;
  revision: number;
  userName: (id: string) => string;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const verdicts = useQuery(trpc.review.verdict.list.queryOptions({ taskId }));
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.review.verdict.list.queryKey({ taskId }) });
  }, [revision, taskId, queryClient, trpc]);
  const earlier = (verdicts.data?.history ?? []).some((v) => v.revision !== revision);
  const set = useMutation(
    trpc.review.verdict.set.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.review.verdict.list.pathKey() }),
      onError: (error) =>
        toast({ title: 'Could not record', description: errorMessage(error), tone: 'error' }),
    }),
  );
  const current = verdicts.data?.current ?? [];
  const approval = verdicts.data?.approval;
  const [note, setNote] = useState('');
  const noteId = useId();
  const give = (verdict: 'approve' | 'request-changes') =>
    set.mutate(
      { taskId, verdict, ...(note.trim() === '' ? {} : { note: note.trim() }) },
      { onSuccess: () => setNote('') },
    );
  return (
    <section
      aria-label="Verdicts"
      className="flex flex-wrap items-center gap-2 border-b border-zinc-200 bg-white px-4 py-1.5 text-xs"
    >
      <Button
        size="sm"
        variant="primary"
        busy={set.isPending && set.variables.verdict === 'approve'}
        onClick={() => give('approve')}
      >
        Approve
      </Button>
      <Button
        size="sm"
        busy={set.isPending && set.variables.verdict === 'request-changes'}
        onClick={() => give('request-changes')}
      >
        Request changes
      </Button>
      <label htmlFor={noteId} className="sr-only">
        Note with your verdict (optional)
      </label>
      <input
        id={noteId}
        value={note}
        maxLength={2000}
        placeholder="Note (optional)"
        onChange={(e) => setNote(e.target.value)}
        className="h-7 w-40 rounded border border-zinc-300 bg-white px-2 text-xs placeholder:text-zinc-600"
      />
      <ul aria-label="Current verdicts" className="m-0 flex list-none flex-wrap gap-1 p-0">
        {current.length === 0 ? (
          <li className="text-zinc-700">
            {earlier ? `No verdicts on revision ${String(revision)} yet` : 'No verdicts yet'}
          </li>
        ) : null}
        {current.map((v) => (
          <li key={v.userId}>
            <Badge tone={v.verdict === 'approve' ? 'green' : 'red'}>
              {userName(v.userId)} {v.verdict === 'approve' ? 'approved' : 'requested changes'}
            </Badge>
            {v.note ? <span className="ml-1 text-zinc-800">“{v.note}”</span> : null}
          </li>
        ))}
      </ul>
      <span className="flex-1" />
      {approval?.required ? (
        <span role="status" className={approval.approved ? 'text-emerald-800' : 'font-medium text-amber-900'}>
          {approval.approved ? 'Approved: the changes may be accepted' : approval.reason}
        </span>
      ) : null}
    </section>
  );
}

/** Why accepting is refused right now (the approval policy), or undefined when it is not. */
export function useAcceptBlocked(taskId: string): string | undefined {
  const trpc = useTRPC();
  const verdicts = useQuery(trpc.review.verdict.list.queryOptions({ taskId }));
  const approval = verdicts.data?.approval;
  if (!approval?.required || approval.approved) return undefined;
  return approval.reason ?? 'This workspace requires an approval first.';
}
