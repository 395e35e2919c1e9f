// Reviewing a task's proposal against the live files: per file a merge view of the current text beside what
// accepting would give, decisions per hunk, per file or all, conflicts with both sides, and rollback.
// Loaded on demand: @codemirror/merge stays out of the first page.
import { filesMap, previewChangeset, type Changeset, type ChangesetPreview } from '@tandem/core';
import { DiffReview } from '@tandem/ui/diff-review';
import { languageForPath } from '@tandem/ui/editor-language';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { stateTone } from './ai-panel.tsx';

function usePreview(doc: Y.Doc, changeset: Changeset | null) {
  const [preview, setPreview] = useState<ChangesetPreview | null>(null);
  useEffect(() => {
    if (!changeset) {
      setPreview(null);
      return;
    }
    let timer = 0;
    const compute = () => {
      timer = 0;
      setPreview(previewChangeset(doc, changeset));
    };
    compute();
    // Follow live typing in the files this task touches, at most a few times a second (the preview copies the
    // document and the merge view rebuilds); edits elsewhere in the workspace cost nothing here.
    const paths = new Set(changeset.files.map((f) => f.path));
    const files = filesMap(doc);
    const onChange = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      const touched = events.some((event) =>
        event.target === files
          ? [...event.changes.keys.keys()].some((key) => paths.has(key))
          : paths.has(String(event.path[0])),
      );
      if (touched) timer ||= window.setTimeout(compute, 250);
    };
    files.observeDeep(onChange);
    return () => {
      files.unobserveDeep(onChange);
      if (timer) clearTimeout(timer);
    };
  }, [doc, changeset]);
  return preview;
}

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
  const applied = hunks.some((h) => h.status === 'applied');
  const busy = accept.isPending || reject.isPending || resolve.isPending || rollback.isPending;

  return (
    <section aria-label="Review changes" className="flex h-full min-h-0 flex-col">
      <header className="flex flex-wrap items-center gap-2 border-b border-zinc-200 bg-white px-4 py-2">
        <h2
          ref={heading}
          tabIndex={-1}
          className="min-w-0 flex-1 truncate text-sm font-semibold focus:outline-none"
          title={task.data.prompt}
        >
          Review: {task.data.prompt}
        </h2>
        <Badge tone={stateTone[task.data.state]}>{task.data.state}</Badge>
        {canEdit ? (
          <>
            <Button
              size="sm"
              variant="primary"
              disabled={open.length === 0 || busy}
              onClick={() => accept.mutate({ taskId })}
            >
              Accept all
            </Button>
            <Button size="sm" disabled={open.length === 0 || busy} onClick={() => reject.mutate({ taskId })}>
              Reject all
            </Button>
            <Button
              size="sm"
              variant="danger"
              disabled={!applied || busy}
              onClick={() => rollback.mutate({ taskId })}
            >
              Roll back task
            </Button>
          </>
        ) : (
          <Badge tone="amber">read-only review</Badge>
        )}
        <Button size="sm" variant="ghost" onClick={onClose}>
          Back to editor
        </Button>
      </header>
      <div className="min-h-0 flex-1 overflow-auto bg-zinc-50 p-4">
        {!preview ? (
          <PageState title="Preparing the diff…" busy />
        ) : (
          <div className="grid gap-4">
            {changeset.files.map((file) => {
              const view = preview.files.find((f) => f.path === file.path);
              return (
                <DiffReview
                  key={file.path}
                  file={file}
                  current={view?.current ?? ''}
                  proposed={view?.proposed ?? ''}
                  conflicts={preview.conflicts.filter((c) => c.path === file.path)}
                  language={languageForPath(file.path)}
                  readOnly={!canEdit || busy}
                  userName={userName}
                  onAccept={(hunkIds) => accept.mutate({ taskId, hunkIds })}
                  onReject={(hunkIds) => reject.mutate({ taskId, hunkIds })}
                  onResolve={(hunkId, choice) => resolve.mutate({ taskId, hunkId, choice })}
                />
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}
