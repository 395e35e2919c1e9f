// Comments on lines of the open live file: each thread is anchored to its line with Yjs relative positions (core
// `resolveLineAnchor`), resolved here against this browser's replica so it moves with the line as people type.
import { resolveLineAnchor, type ResolvedLineAnchor } from '@tandem/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { useToast } from '../components/toast.tsx';
import { Button } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';
import { ThreadView } from './review-comments.tsx';

/** Re-renders whenever the text changes, so anchors are resolved against what is on screen. */
function useTextVersion(text: Y.Text | null) {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!text) return;
    const bump = () => setVersion((v) => v + 1);
    text.observe(bump);
    return () => text.unobserve(bump);
  }, [text]);
  return version;
}

/** The 1-based line of this user's caret in `text` (y-codemirror shares it through awareness), or 1. */
function caretLine(doc: Y.Doc, text: Y.Text, awareness: Awareness | null): number {
  const state = awareness?.getLocalState() as { cursor?: { head?: unknown } } | null | undefined;
  const head = state?.cursor?.head;
  if (!head) return 1;
  try {
    const at = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(head), doc);
    if (!at || at.type !== text) return 1;
    return text.toString().slice(0, at.index).split('\n').length;
  } catch {
    return 1;
  }
}

function where(position: ResolvedLineAnchor): string {
  if (position.status === 'deleted') {
    return position.line === null
      ? 'a line that is gone'
      : `a deleted line (was near line ${String(position.line)})`;
  }
  return `line ${String(position.line)}${position.status === 'changed' ? ' (changed since)' : ''}`;
}

export function FileComments({
  workspaceId,
  path,
  doc,
  text,
  awareness,
  userName,
  onJump,
}: {
  workspaceId: string;
  path: string;
  doc: Y.Doc;
  text: Y.Text;
  awareness: Awareness | null;
  userName: (id: string) => string;
  onJump: (line: number) => void;
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  useTextVersion(text);
  const threads = useQuery(trpc.review.comment.list.queryOptions({ workspaceId, path }));
  const [open, setOpen] = useState(false);
  const [line, setLine] = useState(1);
  const [body, setBody] = useState('');
  const lineId = useId();
  const bodyId = useId();
  const create = useMutation(
    trpc.review.comment.create.mutationOptions({
      onSuccess: () => {
        setBody('');
        void queryClient.invalidateQueries({ queryKey: trpc.review.comment.list.pathKey() });
      },
      onError: (error) =>
        toast({ title: 'Could not comment', description: errorMessage(error), tone: 'error' }),
    }),
  );
  const list = (threads.data ?? []).map((thread) => ({
    thread,
    position: thread.anchor
      ? resolveLineAnchor(doc, path, thread.anchor)
      : ({ status: 'deleted', line: null } as const),
  }));
  list.sort((a, b) => (a.position.line ?? Infinity) - (b.position.line ?? Infinity));
  const unresolved = list.filter((t) => t.thread.resolvedAt === null).length;

  return (
    <section
      aria-label={`Comments on ${path}`}
      className="max-h-[40%] shrink-0 overflow-auto border-t border-zinc-200 bg-zinc-50 text-xs"
    >
      <div className="flex items-center gap-2 px-3 py-1">
        <Button
          size="sm"
          variant="ghost"
          aria-expanded={open}
          onClick={() => {
            if (!open) setLine(caretLine(doc, text, awareness));
            setOpen((v) => !v);
          }}
        >
          {open ? 'Hide comments' : 'Comments'} ({unresolved} open of {list.length})
        </Button>
      </div>
      {open ? (
        <div className="grid gap-2 px-3 pb-2">
          <form
            className="flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (body.trim() !== '')
                create.mutate({ workspaceId, target: { kind: 'file', path, line }, body });
            }}
          >
            <div className="grid gap-0.5">
              <label htmlFor={lineId}>Line</label>
              <input
                id={lineId}
                type="number"
                min={1}
                value={line}
                onChange={(e) => setLine(Math.max(1, Number(e.target.value) || 1))}
                className="h-7 w-20 rounded border border-zinc-300 bg-white px-1"
              />
            </div>
            <div className="grid min-w-48 flex-1 gap-0.5">
              <label htmlFor={bodyId}>Comment on this line</label>
              <input
                id={bodyId}
                value={body}
                onChange={(e) => setBody(e.target.value)}
                className="h-7 rounded border border-zinc-300 bg-white px-2"
              />
            </div>
            <Button
              type="submit"
              size="sm"
              variant="primary"
              busy={create.isPending}
              disabled={body.trim() === ''}
            >
              Comment
            </Button>
          </form>
          {list.map(({ thread, position }) => (
            <div
              key={thread.id}
              data-line={position.line ?? undefined}
              data-anchor={position.status}
              className="grid gap-1"
            >
              <div className="flex items-center gap-2">
                <span className="font-medium text-zinc-800">On {where(position)}</span>
                {position.status === 'deleted' ? null : (
                  <Button size="sm" variant="ghost" onClick={() => onJump(position.line)}>
                    Go to line {position.line}
                  </Button>
                )}
              </div>
              <ThreadView
                workspaceId={workspaceId}
                thread={{ ...thread, line: position.line }}
                userName={userName}
              />
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}
