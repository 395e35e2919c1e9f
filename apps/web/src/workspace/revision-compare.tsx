// A continued task's current revision against an earlier one: both as they would land on the live text now, so
// only what the follow-up changed shows, as line changes per file.
import { compareRevisions, computeChangeset, type Changeset } from '@tandem/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';

function useComparison(doc: Y.Doc, previous: Changeset | null | undefined, current: Changeset) {
  const [files, setFiles] = useState<ReturnType<typeof compareRevisions> | null>(null);
  useEffect(() => {
    if (previous === undefined) return;
    const compute = () =>
      setFiles(compareRevisions(doc, previous ?? { taskId: current.taskId, files: [] }, current));
    compute();
    // Live typing moves both revisions alike; recompute now and then rather than per keystroke.
    let timer = 0;
    const onUpdate = () => {
      timer ||= window.setTimeout(() => {
        timer = 0;
        compute();
      }, 500);
    };
    doc.on('update', onUpdate);
    return () => {
      doc.off('update', onUpdate);
      if (timer) clearTimeout(timer);
    };
  }, [doc, previous, current]);
  return files;
}

export function RevisionCompare({
  taskId,
  doc,
  current,
  revision,
  against,
}: {
  taskId: string;
  doc: Y.Doc;
  current: Changeset;
  /** The current revision's number. */
  revision: number;
  against: number;
}) {
  const trpc = useTRPC();
  const earlier = useQuery(trpc.task.revision.queryOptions({ taskId, revision: against }));
  const files = useComparison(doc, earlier.data?.changeset, current);
  if (earlier.isError)
    return (
      <PageState title={`Could not load revision ${String(against)}`} tone="error">
        {errorMessage(earlier.error)}
      </PageState>
    );
  if (!files) return <PageState title={`Comparing with revision ${String(against)}…`} busy />;
  if (files.length === 0)
    return (
      <PageState title={`Revision ${String(revision)} changes nothing beyond revision ${String(against)}.`} />
    );
  return (
    <section
      aria-label={`Revision ${String(revision)} against revision ${String(against)}`}
      className="grid gap-4"
    >
      {files.map((file) => {
        const { files: changes } = computeChangeset(
          new Map([[file.path, file.previous]]),
          new Map([[file.path, file.current]]),
          [],
          { taskId },
        );
        const hunks = changes[0]?.hunks ?? [];
        return (
          <article
            key={file.path}
            aria-label={`Changes to ${file.path} since revision ${String(against)}`}
            className="rounded-lg border border-zinc-200 bg-white"
          >
            <h3 className="border-b border-zinc-200 px-3 py-1.5 font-mono text-sm">{file.path}</h3>
            {hunks.map((hunk) => (
              <pre
                key={hunk.id}
                className="m-0 overflow-auto border-b border-zinc-100 px-3 py-1 font-mono text-xs whitespace-pre-wrap [overflow-wrap:anywhere]"
              >
                <span className="text-zinc-600">
                  Line {hunk.newStart}: revision {against} → revision {revision}
                  {'\n'}
                </span>
                {lines(hunk.oldText).map((line, i) => (
                  <span key={`o${String(i)}`} className="block bg-red-50 text-red-900">
                    <span aria-label="removed">- </span>
                    {line}
                  </span>
                ))}
                {lines(hunk.newText).map((line, i) => (
                  <span key={`n${String(i)}`} className="block bg-emerald-50 text-emerald-900">
                    <span aria-label="added">+ </span>
                    {line}
                  </span>
                ))}
              </pre>
            ))}
          </article>
        );
      })}
    </section>
  );
}

function lines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}
