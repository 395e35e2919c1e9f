// Reviewing a task's proposal against the live files: per change what accepting would do now (or the conflict it
// would meet, with both texts), decisions per change, per file or all, and rollback; the destructive ones ask first.
// Loaded on demand: @codemirror/merge stays out of the first page.
import {
  blockingFindingsOn,
  filesMap,
  previewChangeset,
  type Changeset,
  type ChangesetPreview,
  type Finding,
} from '@tandem/core';
import { checkLabel } from '@tandem/ui/check-results';
import { CheckResultsView } from '@tandem/ui/check-results-view';
import { DiffReview, PartialProposalNotice, type ReviewLayout } from '@tandem/ui/diff-review';
import { languageForPath } from '@tandem/ui/editor-language';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type * as Y from 'yjs';
import { ConfirmDialog } from '../components/dialog.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { OverlapNotice, stateTone } from './ai-panel.tsx';
import {
  EarlierComments,
  HunkComments,
  useAcceptBlocked,
  useTaskThreads,
  VerdictBar,
} from './review-comments.tsx';
import { RevisionCompare } from './revision-compare.tsx';
import { useTaskEvents } from './use-task-events.ts';

/**
 * Who changed the lines of each conflict, by hunk id, asked of the server (which holds the authorship) whenever
 * the conflicts the preview shows change: a name for a person, the prompt for another task.
 */
function useConflictAuthors(taskId: string, preview: ChangesetPreview | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const conflicts = preview?.conflicts ?? [];
  const signature = JSON.stringify(conflicts.map((c) => [c.hunkId, c.ours]));
  const authors = useQuery(
    trpc.task.conflictAuthors.queryOptions({ taskId }, { enabled: conflicts.length > 0 }),
  );
  useEffect(() => {
    if (signature === '[]') return;
    void queryClient.invalidateQueries({ queryKey: trpc.task.conflictAuthors.queryKey({ taskId }) });
  }, [signature, taskId, queryClient, trpc]);
  return useMemo(
    () =>
      new Map(
        (authors.data ?? []).map((entry) => [
          entry.hunkId,
          entry.writers.map((w) => (w.kind === 'user' ? w.name : `the task “${shorten(w.prompt)}”`)),
        ]),
      ),
    [authors.data],
  );
}

const shorten = (prompt: string) => (prompt.length > 40 ? `${prompt.slice(0, 39)}…` : prompt);

const PREVIEW_GAP_MS = 100;

function usePreview(doc: Y.Doc, changeset: Changeset | null) {
  const [preview, setPreview] = useState<ChangesetPreview | null>(null);
  useEffect(() => {
    if (!changeset) {
      setPreview(null);
      return;
    }
    let timer = 0;
    let last = 0;
    const compute = () => {
      timer = 0;
      last = performance.now();
      setPreview(previewChangeset(doc, changeset));
    };
    compute();
    // Follow live typing in the files this task touches: a keystroke after a pause shows at once, steady typing at
    // most every PREVIEW_GAP_MS (the preview copies the document; 200 hunks take about 10 ms); edits elsewhere in the
    // workspace cost nothing here.
    const paths = new Set(changeset.files.map((f) => f.path));
    const files = filesMap(doc);
    const onChange = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      const touched = events.some((event) =>
        event.target === files
          ? [...event.changes.keys.keys()].some((key) => paths.has(key))
          : paths.has(String(event.path[0])),
      );
      if (touched && !timer) {
        timer = window.setTimeout(compute, Math.max(0, last + PREVIEW_GAP_MS - performance.now()));
      }
    };
    files.observeDeep(onChange);
    return () => {
      files.unobserveDeep(onChange);
      if (timer) clearTimeout(timer);
    };
  }, [doc, changeset]);
  return preview;
}

const plural = (n: number, word: string) => `${String(n)} ${word}${n === 1 ? '' : 's'}`;

export default function ReviewView({
  taskId,
  doc,
  canEdit,
  userName,
  onClose,
}: {
  taskId: string;
  doc: Y.Doc;
  canEdit: boolean;
  userName: (id: string) => string;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const task = useQuery(trpc.task.get.queryOptions({ taskId }));
  const preview = usePreview(doc, task.data?.changeset ?? null);
  const workspaceId = task.data?.workspaceId;
  const conflictAuthors = useConflictAuthors(taskId, preview);
  const threads = useTaskThreads(workspaceId, taskId);
  const acceptBlocked = useAcceptBlocked(taskId);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.task.get.queryKey({ taskId }) });
  const fail = (title: string) => (error: unknown) =>
    toast({ title, description: errorMessage(error), tone: 'error' });
  const accept = useMutation(
    trpc.task.accept.mutationOptions({
      onSuccess: (result) => {
        void refresh();
        const conflicts = (result as { conflicts?: unknown[] }).conflicts?.length ?? 0;
        if (conflicts > 0) {
          toast({
            title: `${conflicts} hunk${conflicts === 1 ? '' : 's'} conflicted`,
            description: 'Resolve them below.',
          });
        }
      },
      onError: fail('Could not accept'),
    }),
  );
  const reject = useMutation(
    trpc.task.reject.mutationOptions({ onSuccess: refresh, onError: fail('Could not reject') }),
  );
  const resolve = useMutation(
    trpc.task.resolveConflict.mutationOptions({ onSuccess: refresh, onError: fail('Could not resolve') }),
  );
  const rollback = useMutation(
    trpc.task.rollback.mutationOptions({
      onSuccess: () => {
        void refresh();
        toast({ title: 'Task rolled back', tone: 'success' });
      },
      onError: fail('Could not roll back'),
    }),
  );

  // Another task on these files is named in this task's events; the review says so above the diff.
  const { events } = useTaskEvents(taskId);
  // A continued task: its current revision against the live text (null) or against an earlier revision.
  const [compareWith, setCompareWith] = useState<number | null>(null);
  const [layout, setLayout] = useState<ReviewLayout>('unified');
  const [wrap, setWrap] = useState(true);
  const [confirm, setConfirm] = useState<'reject-all' | 'rollback' | null>(null);
  // Accepting changes a check flagged (a secret, a critical or high finding) asks first; the server audits it.
  const [flaggedAccept, setFlaggedAccept] = useState<{
    hunkIds: string[] | undefined;
    findings: Finding[];
  } | null>(null);
  // Opening the review takes focus to its heading, so the keyboard continues here rather than in the side panel.
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = task.isSuccess;
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded, taskId]);

  if (task.isPending) return <PageState title="Loading the proposal…" busy />;
  if (task.isError)
    return (
      <PageState title="Could not load the task" tone="error">
        {errorMessage(task.error)}
      </PageState>
    );
  const changeset = task.data.changeset;
  if (!changeset) return <PageState title="This task has no proposal (yet)." />;
  const hunks = changeset.files.flatMap((f) => f.hunks);
  const open = hunks.filter((h) => h.status === 'pending' || h.status === 'accepted');
  const applied = hunks.filter((h) => h.status === 'applied');
  const filesOf = (ids: ReadonlySet<string>) =>
    changeset.files.filter((f) => f.hunks.some((h) => ids.has(h.id))).map((f) => f.path);
  const openFiles = filesOf(new Set(open.map((h) => h.id)));
  const appliedFiles = filesOf(new Set(applied.map((h) => h.id)));
  const wouldConflict = preview?.conflicts.length ?? 0;
  const busy = accept.isPending || reject.isPending || resolve.isPending || rollback.isPending;
  const findings = task.data.findings;
  /** Accepts the given changes (all open ones without ids), asking first when a check flagged any of them. */
  const acceptChanges = (hunkIds?: string[]) => {
    const flagged = blockingFindingsOn(findings, hunkIds ?? open.map((h) => h.id));
    if (flagged.length > 0) setFlaggedAccept({ hunkIds, findings: flagged });
    else accept.mutate({ taskId, hunkIds });
  };
  const checks = task.data.checkResults.map((c) => ({
    check: c.check,
    status: c.status,
    durationMs: c.durationMs,
    summary: c.summary,
    output: c.output ?? '',
    findings: [],
  }));
  const flaggedWhere = (list: readonly Finding[]) =>
    list
      .slice(0, 5)
      .map(
        (f) =>
          `${f.tool === 'secretlint' ? 'a secret' : `${f.severity}: ${f.message}`} (${f.path}:${String(f.line)})`,
      )
      .join('; ') + (list.length > 5 ? `; and ${String(list.length - 5)} more` : '');

  return (
    <section aria-label="Review changes" className="flex h-full min-h-0 flex-col">
      <header className="flex flex-wrap items-center gap-2 border-b border-zinc-200 bg-white px-4 py-2">
        <h2
          ref={heading}
          tabIndex={-1}
          className="min-w-0 grow basis-48 truncate text-sm font-semibold focus:outline-none"
          title={task.data.prompt}
        >
          Review: {task.data.prompt}
        </h2>
        {task.data.revision > 1 ? <Badge tone="indigo">revision {task.data.revision}</Badge> : null}
        <Badge tone={stateTone[task.data.state]}>{task.data.state}</Badge>
        {canEdit ? (
          // One group, so on a narrow pane the decisions wrap together rather than one by one.
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              variant="primary"
              disabled={open.length === 0 || busy || acceptBlocked !== undefined}
              title={acceptBlocked}
              onClick={() => acceptChanges()}
            >
              Accept all
            </Button>
            <Button size="sm" disabled={open.length === 0 || busy} onClick={() => setConfirm('reject-all')}>
              Reject all
            </Button>
            <Button
              size="sm"
              variant="danger"
              disabled={applied.length === 0 || busy}
              onClick={() => setConfirm('rollback')}
            >
              Roll back task
            </Button>
          </div>
        ) : (
          <Badge tone="amber">read-only review</Badge>
        )}
        <Button size="sm" variant="ghost" onClick={onClose}>
          Back to editor
        </Button>
      </header>
      <VerdictBar taskId={taskId} revision={task.data.revision} userName={userName} />
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 bg-white px-4 py-1.5 text-xs text-zinc-700">
        <div role="group" aria-label="Diff layout" className="flex gap-1">
          <Button size="sm" aria-pressed={layout === 'unified'} onClick={() => setLayout('unified')}>
            Unified
          </Button>
          <Button size="sm" aria-pressed={layout === 'split'} onClick={() => setLayout('split')}>
            Side by side
          </Button>
        </div>
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} />
          Wrap long lines
        </label>
        {task.data.revision > 1 ? (
          <label className="flex items-center gap-1">
            Compare revision {task.data.revision} with
            <select
              value={compareWith ?? ''}
              onChange={(e) => setCompareWith(e.target.value === '' ? null : Number(e.target.value))}
              className="h-7 rounded-md border border-zinc-300 bg-white px-1 text-xs"
            >
              <option value="">the live text</option>
              {Array.from({ length: task.data.revision - 1 }, (_, i) => task.data.revision - 1 - i).map(
                (n) => (
                  <option key={n} value={n}>
                    revision {n}
                  </option>
                ),
              )}
            </select>
          </label>
        ) : null}
        <span className="flex-1" />
        {wouldConflict > 0 ? (
          <span role="status" className="font-medium text-red-800">
            {wouldConflict} change{wouldConflict === 1 ? '' : 's'} would conflict with what people typed
          </span>
        ) : null}
        <span>
          Keys on a change: <kbd>J</kbd>/<kbd>K</kbd> next/previous, <kbd>A</kbd> accept, <kbd>R</kbd> reject
        </span>
      </div>
      <ConfirmDialog
        open={confirm === 'reject-all'}
        onClose={() => setConfirm(null)}
        title="Reject all open changes?"
        description={`Rejects ${plural(open.length, 'open change')} in ${plural(openFiles.length, 'file')} (${openFiles.join(', ')}) for everyone in this workspace. The live files stay as they are; a rejected change can still be accepted later from this review.`}
        action={`Reject ${plural(open.length, 'change')}`}
        onConfirm={() => reject.mutate({ taskId })}
      />
      <ConfirmDialog
        open={confirm === 'rollback'}
        onClose={() => setConfirm(null)}
        title="Roll back this task?"
        description={`Takes ${plural(applied.length, 'applied change')} back out of ${plural(appliedFiles.length, 'file')} (${appliedFiles.join(', ')}) and restores the text they replaced, for everyone. Edits people made elsewhere stay; lines edited since the merge are reported as conflicts, never overwritten.`}
        action={`Roll back ${plural(applied.length, 'change')}`}
        onConfirm={() => rollback.mutate({ taskId })}
      />
      <ConfirmDialog
        open={flaggedAccept !== null}
        onClose={() => setFlaggedAccept(null)}
        title="Accept changes the checks flagged?"
        description={`The checks found ${plural(flaggedAccept?.findings.length ?? 0, 'serious problem')} in ${flaggedAccept?.hunkIds === undefined ? 'the open changes' : plural(flaggedAccept.hunkIds.length, 'change')}: ${flaggedWhere(flaggedAccept?.findings ?? [])}. Accepting applies them to the live files for everyone, and the audit log records that you accepted flagged changes.`}
        action="Accept anyway"
        onConfirm={() => {
          if (flaggedAccept) accept.mutate({ taskId, hunkIds: flaggedAccept.hunkIds, acceptFindings: true });
        }}
      />
      <div className="min-h-0 flex-1 overflow-auto bg-zinc-50 p-4">
        {checks.length > 0 ? (
          <section
            aria-label="Checks of this proposal"
            className="mb-4 rounded-lg border border-zinc-200 bg-white p-3"
          >
            <h3 className="mb-2 text-sm font-semibold">
              Checks:{' '}
              {checks
                .filter((c) => c.status !== 'skipped')
                .map((c) => `${checkLabel(c.check)} ${c.status}`)
                .join(', ') || 'none applied'}
            </h3>
            <CheckResultsView checks={checks} ariaLabel="Check results of this proposal" />
          </section>
        ) : null}
        <div className="mb-4 empty:hidden">
          <OverlapNotice events={events} />
        </div>
        {compareWith !== null ? (
          <RevisionCompare
            taskId={taskId}
            doc={doc}
            current={changeset}
            revision={task.data.revision}
            against={compareWith}
          />
        ) : !preview ? (
          <PageState title="Preparing the diff…" busy />
        ) : (
          // One column no wider than the pane: a long path or line wraps or scrolls inside its own box instead of
          // widening every file's box and pushing its buttons out of view.
          <div className="grid grid-cols-1 gap-4">
            <PartialProposalNotice unapplied={changeset.unapplied ?? []} />
            {changeset.files.map((file) => {
              const view = preview.files.find((f) => f.path === file.path);
              return (
                <DiffReview
                  key={file.path}
                  file={file}
                  current={view?.current ?? ''}
                  proposed={view?.proposed ?? ''}
                  conflicts={preview.conflicts.filter((c) => c.path === file.path)}
                  previews={preview.hunks.filter((h) => h.path === file.path)}
                  layout={layout}
                  wrap={wrap}
                  language={languageForPath(file.path)}
                  readOnly={!canEdit || busy}
                  userName={userName}
                  findings={findings.filter((f) => f.path === file.path)}
                  acceptBlocked={acceptBlocked}
                  conflictAuthors={conflictAuthors}
                  renderHunkExtra={(hunk, label) => (
                    <HunkComments
                      workspaceId={task.data.workspaceId}
                      taskId={taskId}
                      path={file.path}
                      hunk={hunk}
                      label={label}
                      threads={threads.data ?? []}
                      userName={userName}
                    />
                  )}
                  onAccept={(hunkIds) => acceptChanges(hunkIds)}
                  onReject={(hunkIds) => reject.mutate({ taskId, hunkIds })}
                  onResolve={(hunkId, choice, expectedOurs) =>
                    resolve.mutate({ taskId, hunkId, choice, expectedOurs })
                  }
                />
              );
            })}
            <EarlierComments
              workspaceId={task.data.workspaceId}
              threads={threads.data ?? []}
              hunkIds={new Set(changeset.files.flatMap((f) => f.hunks.map((h) => h.id)))}
              userName={userName}
            />
          </div>
        )}
      </div>
    </section>
  );
}

/** Asks before a destructive action that acts for everyone; Cancel or Escape does nothing. */
