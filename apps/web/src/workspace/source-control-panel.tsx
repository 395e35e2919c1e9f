// The workspace's git as a side pane: the remote and branch, the live files changed against the last commit (each
// with its diff), commit, push (to the branch or a new one), pull (its conflicts wait in a review), history with each
// commit's diff, and the owners' auto-commit option; a workspace with no remote offers owners the connect form
// (HTTPS with a token, or SSH with the workspace's deploy key, ssh-keys.tsx).
// Everything refreshes on `git.onChange` (anyone's connect, commit, push, pull, on any instance) and, for the
// changes, on document updates a moment after typing stops. Reviewers see it all without the buttons.
import { isSshRemoteUrl } from '@tandem/core';
import { UnifiedDiff } from '@tandem/ui/unified-diff';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import type * as Y from 'yjs';
import { Badge, Button, cx, Field, PageState, type BadgeTone } from '../components/ui.tsx';
import { errorCode, errorMessage } from '../errors.ts';
import { trpcClient, useTRPC } from '../trpc.ts';
import { ErrorNote } from './error-note.tsx';
import { chooseDeployKey, DeployKey, HostKeyChanged, HostKeyList, type HostKey } from './ssh-keys.tsx';

/** How long after the last keystroke the changed files are read again. */
const STATUS_DEBOUNCE_MS = 600;

type ChangeKind = 'added' | 'modified' | 'deleted' | 'renamed';
const kindLetter: Record<ChangeKind, string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R' };
const kindTone: Record<ChangeKind, BadgeTone> = {
  added: 'green',
  modified: 'amber',
  deleted: 'red',
  renamed: 'indigo',
};

const short = (commit: string) => commit.slice(0, 7);

/** Refetches everything git when anyone's git action lands, and the changes shortly after the files change. */
function useGitLive(workspaceId: string, doc: Y.Doc | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    const sub = trpcClient.git.onChange.subscribe(
      { workspaceId },
      {
        onData: (notice) => {
          void queryClient.invalidateQueries({ queryKey: trpc.git.pathKey() });
          if (notice.action === 'auto-commit')
            void queryClient.invalidateQueries({ queryKey: trpc.workspace.get.queryKey({ workspaceId }) });
        },
      },
    );
    return () => sub.unsubscribe();
  }, [workspaceId, queryClient, trpc]);
  useEffect(() => {
    if (!doc) return;
    let timer = 0;
    const onUpdate = () => {
      if (timer) clearTimeout(timer);
      timer = window.setTimeout(() => {
        timer = 0;
        void queryClient.invalidateQueries({ queryKey: trpc.git.status.queryKey({ workspaceId }) });
      }, STATUS_DEBOUNCE_MS);
    };
    doc.on('update', onUpdate);
    return () => {
      doc.off('update', onUpdate);
      if (timer) clearTimeout(timer);
    };
  }, [doc, workspaceId, queryClient, trpc]);
}

export function SourceControlPanel({
  workspaceId,
  doc,
  canEdit,
  isOwner,
  onOpenTask,
}: {
  workspaceId: string;
  doc: Y.Doc | null;
  canEdit: boolean;
  isOwner: boolean;
  /** Opens a task's review (a pull's conflicts wait there). */
  onOpenTask: (taskId: string) => void;
}) {
  const trpc = useTRPC();
  const remote = useQuery(trpc.git.remote.queryOptions({ workspaceId }));
  useGitLive(workspaceId, doc);
  let body;
  if (remote.isPending) body = <PageState title="Loading source control…" busy />;
  else if (remote.isError)
    body = (
      <PageState title="Could not load source control" tone="error">
        {errorMessage(remote.error)}
      </PageState>
    );
  else if (remote.data === null)
    body = isOwner ? (
      <ConnectForm workspaceId={workspaceId} />
    ) : (
      <p className="m-0 p-3 text-sm text-zinc-700">
        This workspace is not connected to a git repository. An owner can connect one.
      </p>
    );
  else
    body = (
      <Connected
        workspaceId={workspaceId}
        remote={remote.data}
        canEdit={canEdit}
        isOwner={isOwner}
        onOpenTask={onOpenTask}
      />
    );
  return (
    <section aria-label="Source control" className="flex h-full min-h-0 flex-col overflow-auto">
      <h2 className="px-3 pt-3 text-xs font-semibold tracking-wide text-zinc-600 uppercase">
        Source control
      </h2>
      {body}
    </section>
  );
}

function ConnectForm({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [branch, setBranch] = useState('');
  const [token, setToken] = useState('');
  const ssh = isSshRemoteUrl(url);
  const connect = useMutation({
    mutationFn: async () => {
      let credentialId: string | undefined;
      if (ssh) {
        // The deploy key shown above, or a new one (the host refuses it until it is added there: GIT_AUTH says so).
        const shown = chooseDeployKey(await trpcClient.git.credential.list.query({ workspaceId }), undefined);
        credentialId =
          shown?.id ?? (await trpcClient.git.deployKey.create.mutate({ workspaceId })).credentialId;
      } else if (token) {
        credentialId = (await trpcClient.git.credential.create.mutate({ workspaceId, token })).credentialId;
      }
      return trpcClient.git.connect.mutate({
        workspaceId,
        url: url.trim(),
        ...(branch.trim() ? { branch: branch.trim() } : {}),
        ...(credentialId ? { credentialId } : {}),
      });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.git.pathKey() }),
  });
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    connect.mutate();
  };
  return (
    <form aria-label="Connect a repository" onSubmit={submit} className="grid gap-3 p-3">
      <p className="m-0 text-sm text-zinc-700">
        Connect a repository: its files are cloned into this workspace (which must be empty), and its branch
        is tracked for commits, pushes and pulls.
      </p>
      <Field
        label="Repository URL"
        value={url}
        required
        placeholder="https://git.example.com/team/app.git"
        hint="HTTPS, or SSH (git@git.example.com:team/app.git) with a deploy key."
        onChange={(e) => setUrl(e.target.value)}
      />
      <Field
        label="Branch"
        value={branch}
        hint="Empty: the repository's default branch."
        onChange={(e) => setBranch(e.target.value)}
      />
      {ssh ? (
        <DeployKey workspaceId={workspaceId} />
      ) : (
        <Field
          label="Access token"
          type="password"
          autoComplete="off"
          value={token}
          hint="Stored encrypted; never shown again. Empty for a public repository."
          onChange={(e) => setToken(e.target.value)}
        />
      )}
      {connect.isError ? <ErrorNote error={connect.error} /> : null}
      {connect.data && connect.data.skipped.length > 0 ? (
        <p role="status" className="m-0 text-xs text-zinc-700">
          Skipped: {connect.data.skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}
        </p>
      ) : null}
      <Button type="submit" variant="primary" busy={connect.isPending} disabled={url.trim() === ''}>
        Connect
      </Button>
    </form>
  );
}

interface Remote {
  url: string;
  branch: string;
  baseCommit: string;
  credentialId: string | null;
  hostKeys: HostKey[];
}

function Connected({
  workspaceId,
  remote,
  canEdit,
  isOwner,
  onOpenTask,
}: {
  workspaceId: string;
  remote: Remote;
  canEdit: boolean;
  isOwner: boolean;
  onOpenTask: (taskId: string) => void;
}) {
  const ssh = isSshRemoteUrl(remote.url);
  return (
    <div className="grid gap-4 p-3">
      <dl className="m-0 grid grid-cols-[auto_1fr] gap-x-2 gap-y-1 text-sm">
        <dt className="text-zinc-600">Remote</dt>
        <dd className="m-0 truncate font-mono text-xs leading-5" title={remote.url}>
          {remote.url}
        </dd>
        <dt className="text-zinc-600">Branch</dt>
        <dd className="m-0" data-testid="git-branch">
          {remote.branch}{' '}
          <span className="font-mono text-xs text-zinc-600">at {short(remote.baseCommit)}</span>
        </dd>
        {ssh ? (
          <>
            <dt className="text-zinc-600">Host key</dt>
            <dd className="m-0">
              <HostKeyList keys={remote.hostKeys} label="Recorded host keys" />
            </dd>
          </>
        ) : null}
      </dl>
      {isOwner && ssh ? <DeployKey workspaceId={workspaceId} credentialId={remote.credentialId} /> : null}
      {isOwner ? <AutoCommitToggle workspaceId={workspaceId} /> : null}
      <Changes workspaceId={workspaceId} canEdit={canEdit} />
      {canEdit ? (
        <Sync workspaceId={workspaceId} branch={remote.branch} isOwner={isOwner} onOpenTask={onOpenTask} />
      ) : null}
      <History workspaceId={workspaceId} />
    </div>
  );
}

function AutoCommitToggle({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const workspace = useQuery(trpc.workspace.get.queryOptions({ workspaceId }));
  const [chosen, setChosen] = useState<boolean | null>(null);
  const set = useMutation(
    trpc.git.setAutoCommit.mutationOptions({
      onSettled: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.workspace.get.queryKey({ workspaceId }) });
        setChosen(null);
      },
    }),
  );
  return (
    <div className="grid gap-1">
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-1"
          aria-describedby={`${id}-help`}
          checked={chosen ?? workspace.data?.autoCommit ?? false}
          disabled={!workspace.data || set.isPending}
          onChange={(e) => {
            setChosen(e.target.checked);
            set.mutate({ workspaceId, autoCommit: e.target.checked });
          }}
        />
        Commit each accepted task automatically
      </label>
      <p id={`${id}-help`} className="m-0 text-xs text-zinc-600">
        The task&apos;s prompt becomes the message; only the files its accepted changes touched are committed.
        Nothing is pushed.
      </p>
      {set.isError ? <ErrorNote error={set.error} /> : null}
    </div>
  );
}

function Changes({ workspaceId, canEdit }: { workspaceId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.git.status.queryOptions({ workspaceId }));
  const [open, setOpen] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState('');
  const messageId = useId();
  const changes = status.data?.changes ?? [];
  // A selection only means paths that are still changed.
  const chosen = changes.filter((c) => selected.has(c.path)).map((c) => c.path);
  const commit = useMutation(
    trpc.git.commit.mutationOptions({
      onSuccess: () => {
        setMessage('');
        setSelected(new Set());
        return queryClient.invalidateQueries({ queryKey: trpc.git.pathKey() });
      },
    }),
  );
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    commit.mutate({
      workspaceId,
      message,
      ...(chosen.length > 0 ? { paths: chosen } : {}),
    });
  };
  return (
    <section aria-labelledby={`${messageId}-changes`} className="grid gap-2">
      <h3 id={`${messageId}-changes`} className="m-0 text-sm font-semibold">
        Changes {status.data ? <span className="font-normal text-zinc-600">({changes.length})</span> : null}
      </h3>
      {status.isPending ? (
        <p className="m-0 text-sm text-zinc-600">Reading the changes…</p>
      ) : status.isError ? (
        <ErrorNote error={status.error} />
      ) : changes.length === 0 ? (
        <p className="m-0 text-sm text-zinc-600">No changes since {short(status.data.baseCommit)}.</p>
      ) : (
        <ul aria-label="Changed files" className="m-0 grid list-none gap-1 p-0">
          {changes.map((change) => (
            <li key={change.path} data-change={change.kind} className="grid gap-1">
              <div className="flex items-center gap-2">
                {canEdit ? (
                  <input
                    type="checkbox"
                    aria-label={`Select ${change.path} for the commit`}
                    checked={selected.has(change.path)}
                    onChange={(e) =>
                      setSelected((s) => {
                        const next = new Set(s);
                        if (e.target.checked) next.add(change.path);
                        else next.delete(change.path);
                        return next;
                      })
                    }
                  />
                ) : null}
                <Badge tone={kindTone[change.kind]} title={change.kind}>
                  <span aria-hidden="true">{kindLetter[change.kind]}</span>
                  <span className="sr-only">{change.kind}</span>
                </Badge>
                <button
                  type="button"
                  aria-expanded={open === change.path}
                  className="min-w-0 truncate text-left font-mono text-xs text-zinc-900 hover:underline"
                  onClick={() => setOpen((p) => (p === change.path ? null : change.path))}
                >
                  {change.from ? `${change.from} → ${change.path}` : change.path}
                </button>
              </div>
              {open === change.path ? (
                change.binary ? (
                  <p className="m-0 text-xs text-zinc-700">Binary file: no line diff.</p>
                ) : (
                  <UnifiedDiff diff={change.diff} label={`Changes in ${change.path}`} />
                )
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canEdit ? (
        <form aria-label="Commit" onSubmit={submit} className="grid gap-2">
          <label htmlFor={messageId} className="text-sm font-medium text-zinc-800">
            Commit message
          </label>
          <textarea
            id={messageId}
            value={message}
            rows={3}
            className="rounded-md border border-zinc-300 p-2 text-sm"
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          {commit.isError ? <ErrorNote error={commit.error} /> : null}
          {commit.data ? (
            <p role="status" className="m-0 text-xs text-zinc-700">
              Committed {short(commit.data.commit)} on {commit.data.branch}
              {commit.data.coAuthors.length > 0
                ? ` with ${commit.data.coAuthors.map((a) => a.name).join(', ')}`
                : ''}
              .
            </p>
          ) : null}
          <Button
            type="submit"
            variant="primary"
            busy={commit.isPending}
            disabled={message.trim() === '' || changes.length === 0}
          >
            {chosen.length > 0 ? `Commit ${chosen.length} selected` : 'Commit all'}
          </Button>
        </form>
      ) : null}
    </section>
  );
}

function Sync({
  workspaceId,
  branch,
  isOwner,
  onOpenTask,
}: {
  workspaceId: string;
  branch: string;
  isOwner: boolean;
  onOpenTask: (taskId: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [target, setTarget] = useState('');
  const [accepted, setAccepted] = useState<string | null>(null);
  const acceptedNote = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    // The error and its button are gone: the note that replaced them takes the focus.
    if (accepted) acceptedNote.current?.focus();
  }, [accepted]);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.git.pathKey() });
  const push = useMutation(
    trpc.git.push.mutationOptions({ onMutate: () => setAccepted(null), onSuccess: refresh }),
  );
  const pull = useMutation(
    trpc.git.pull.mutationOptions({
      onMutate: () => setAccepted(null),
      onSuccess: async () => {
        push.reset();
        await refresh();
      },
    }),
  );
  const hostKeyChanged = (error: unknown) =>
    errorCode(error) === 'GIT_HOST_KEY_CHANGED' ? (
      <HostKeyChanged
        workspaceId={workspaceId}
        error={error}
        isOwner={isOwner}
        onAccepted={(fingerprint) => {
          push.reset();
          pull.reset();
          setAccepted(fingerprint);
        }}
      />
    ) : null;
  const pushTo = target.trim();
  return (
    <section aria-label="Push and pull" className="grid gap-2">
      <div className="flex flex-wrap items-end gap-2">
        <Field
          className="min-w-0 flex-1"
          label="Push to branch"
          placeholder={branch}
          value={target}
          hint="Empty: the tracked branch. A new name makes a new branch on the remote."
          onChange={(e) => setTarget(e.target.value)}
        />
      </div>
      <div className="flex gap-2">
        <Button
          busy={push.isPending}
          disabled={pull.isPending}
          onClick={() => push.mutate({ workspaceId, ...(pushTo ? { branch: pushTo } : {}) })}
        >
          Push
        </Button>
        <Button busy={pull.isPending} disabled={push.isPending} onClick={() => pull.mutate({ workspaceId })}>
          Pull
        </Button>
      </div>
      {push.isError ? (
        <ErrorNote error={push.error}>
          {errorCode(push.error) === 'GIT_NON_FAST_FORWARD' ? (
            <div>
              <Button size="sm" onClick={() => pull.mutate({ workspaceId })} busy={pull.isPending}>
                Pull the remote&apos;s commits first
              </Button>
            </div>
          ) : null}
          {hostKeyChanged(push.error)}
        </ErrorNote>
      ) : null}
      {accepted ? (
        <p ref={acceptedNote} tabIndex={-1} role="status" className="m-0 text-xs text-zinc-700">
          Accepted the new host key <span className="font-mono">{accepted}</span>. Pull or push again.
        </p>
      ) : null}
      {push.data ? (
        <p role="status" className="m-0 text-xs text-zinc-700">
          Pushed {short(push.data.commit)} to {push.data.remoteBranch}.
        </p>
      ) : null}
      {pull.isError ? <ErrorNote error={pull.error}>{hostKeyChanged(pull.error)}</ErrorNote> : null}
      {pull.data ? <PullResult outcome={pull.data} onOpenTask={onOpenTask} /> : null}
    </section>
  );
}

function PullResult({
  outcome,
  onOpenTask,
}: {
  outcome: {
    relation: string;
    commits: number;
    unpushed: number;
    taskId: string | null;
    applied: number;
    conflicts: { hunkId: string; path: string }[];
    skipped: { path: string; reason: string }[];
  };
  onOpenTask: (taskId: string) => void;
}) {
  const words =
    outcome.relation === 'up-to-date'
      ? 'Already up to date.'
      : outcome.relation === 'ahead'
        ? 'The remote has nothing new; push your commits.'
        : `Pulled ${outcome.commits} commit${outcome.commits === 1 ? '' : 's'}: ${outcome.applied} change${outcome.applied === 1 ? '' : 's'} landed${outcome.conflicts.length > 0 ? `, ${outcome.conflicts.length} conflict${outcome.conflicts.length === 1 ? '' : 's'} wait for review` : ''}.`;
  const { taskId } = outcome;
  return (
    <div role="status" className="grid gap-1 text-xs text-zinc-700">
      <p className="m-0">{words}</p>
      {outcome.skipped.length > 0 ? (
        <p className="m-0">Kept here: {outcome.skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}</p>
      ) : null}
      {taskId ? (
        <div>
          <Button size="sm" onClick={() => onOpenTask(taskId)}>
            {outcome.conflicts.length > 0 ? 'Review the conflicts' : 'Show the pull'}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function History({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.git.log.queryOptions({ workspaceId, limit: 30 }));
  const [open, setOpen] = useState<string | null>(null);
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="grid gap-2">
      <h3 id={headingId} className="m-0 text-sm font-semibold">
        History
      </h3>
      {log.isPending ? (
        <p className="m-0 text-sm text-zinc-600">Reading the history…</p>
      ) : log.isError ? (
        <ErrorNote error={log.error} />
      ) : (
        <ol aria-label="Commits" className="m-0 grid list-none gap-1 p-0">
          {log.data.commits.map((c) => (
            <li key={c.commit} className="grid gap-1">
              <button
                type="button"
                aria-expanded={open === c.commit}
                className={cx(
                  'grid gap-0.5 rounded px-1 py-0.5 text-left text-xs hover:bg-zinc-100',
                  open === c.commit && 'bg-zinc-100',
                )}
                onClick={() => setOpen((p) => (p === c.commit ? null : c.commit))}
              >
                <span className="truncate text-zinc-900">{c.message.split('\n')[0]}</span>
                <span className="text-zinc-600">
                  <span className="font-mono">{short(c.commit)}</span> · {c.author.name}
                </span>
              </button>
              {open === c.commit ? <CommitDetail workspaceId={workspaceId} commit={c.commit} /> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function CommitDetail({ workspaceId, commit }: { workspaceId: string; commit: string }) {
  const trpc = useTRPC();
  const shown = useQuery(trpc.git.show.queryOptions({ workspaceId, commit }));
  if (shown.isPending) return <p className="m-0 text-xs text-zinc-600">Loading the commit…</p>;
  if (shown.isError) return <ErrorNote error={shown.error} />;
  return (
    <div className="grid gap-2 pl-2">
      <pre className="m-0 text-xs whitespace-pre-wrap text-zinc-800">{shown.data.message.trimEnd()}</pre>
      {shown.data.changes.map((change) => (
        <div key={change.path} className="grid gap-1">
          <p className="m-0 font-mono text-xs">
            <span className="sr-only">{change.kind}: </span>
            <span aria-hidden="true">{kindLetter[change.kind]} </span>
            {change.from ? `${change.from} → ${change.path}` : change.path}
          </p>
          {change.binary ? (
            <p className="m-0 text-xs text-zinc-700">Binary file: no line diff.</p>
          ) : (
            <UnifiedDiff diff={change.diff} label={`${change.path} in ${short(commit)}`} />
          )}
        </div>
      ))}
    </div>
  );
}
