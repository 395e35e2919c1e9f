// Reviewing one file of a task's changeset: the current text beside the proposed text, and every hunk with
// its status and the decisions still open for it. Decisions go out through callbacks; the server decides.
import type { FileChange, Hunk, HunkConflict } from '@tandem/core';
import { MergeView } from '@codemirror/merge';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { useLanguageExtension, type EditorLanguage } from './editor-language.ts';
import { accessibleHighlighting } from './highlight.ts';
import { fileActions, hunkActions, hunkHeader, hunkStatusBadge } from './review-actions.ts';
import { StatusBadge } from './status-badge.tsx';

/** `ours` keeps the human's current text; `theirs` takes the task's. */
export type ConflictSide = 'ours' | 'theirs';

export interface DiffReviewProps {
  file: FileChange;
  /** The file's live text ('' for a file the task creates). */
  current: string;
  /** The text with every hunk of this file applied ('' for a file the task deletes). */
  proposed: string;
  /** Conflicts reported for this file's hunks, showing what the human has there now. */
  conflicts?: readonly HunkConflict[];
  language?: EditorLanguage | null;
  /** Reviewers and members without edit rights see the decisions but cannot make them. */
  readOnly?: boolean;
  onAccept: (hunkIds: string[]) => void;
  onReject: (hunkIds: string[]) => void;
  onResolve: (hunkId: string, side: ConflictSide) => void;
  /** Names the member who decided each hunk; defaults to the user id. */
  userName?: (userId: string) => string;
}

const button =
  'inline-flex h-7 items-center rounded-md px-2 text-xs font-medium ring-1 ring-inset ring-zinc-300 bg-white text-zinc-800 hover:bg-zinc-50 disabled:cursor-not-allowed disabled:text-zinc-400';
const primary =
  'inline-flex h-7 items-center rounded-md px-2 text-xs font-medium bg-indigo-600 text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:bg-indigo-300';
const pre =
  'm-0 max-h-48 overflow-auto whitespace-pre-wrap rounded bg-zinc-100 px-2 py-1 font-mono text-xs text-zinc-900';

function side(doc: string, language: Extension, label: string) {
  return {
    doc,
    extensions: [
      lineNumbers(),
      language,
      accessibleHighlighting(),
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      // Read-only content is not focusable by itself; without a tab stop a keyboard cannot scroll a long line.
      EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
    ],
  };
}

function ConflictChoice({
  hunk,
  conflict,
  enabled,
  onResolve,
}: {
  hunk: Hunk;
  conflict: HunkConflict | undefined;
  enabled: boolean;
  onResolve: (hunkId: string, side: ConflictSide) => void;
}) {
  return (
    <div
      role="group"
      aria-label={`Resolve conflict in ${hunkHeader(hunk)}`}
      className="mt-2 grid gap-2 rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-950"
    >
      {conflict ? (
        <p>Someone changed these lines meanwhile ({conflict.reason.replaceAll('-', ' ')}).</p>
      ) : null}
      <div className="grid gap-2 md:grid-cols-2">
        <div className="grid gap-1">
          <p className="font-semibold">Current text (ours)</p>
          {conflict ? <pre className={pre}>{conflict.ours}</pre> : <p>Not loaded yet.</p>}
        </div>
        <div className="grid gap-1">
          <p className="font-semibold">Task&apos;s text (theirs)</p>
          <pre className={pre}>{conflict?.theirs ?? hunk.newText}</pre>
        </div>
      </div>
      <div className="flex gap-2">
        <button
          type="button"
          className={button}
          disabled={!enabled}
          onClick={() => onResolve(hunk.id, 'ours')}
        >
          Keep current text
        </button>
        <button
          type="button"
          className={primary}
          disabled={!enabled}
          onClick={() => onResolve(hunk.id, 'theirs')}
        >
          Take task&apos;s text
        </button>
      </div>
    </div>
  );
}

export function DiffReview({
  file,
  current,
  proposed,
  conflicts = [],
  language = null,
  readOnly = false,
  onAccept,
  onReject,
  onResolve,
  userName = (id) => id,
}: DiffReviewProps) {
  const host = useRef<HTMLDivElement>(null);

  // Plain until the language's parser has loaded, then rebuilt once with highlighting.
  const highlight = useLanguageExtension(language);

  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const merge = new MergeView({
      parent,
      a: side(current, highlight, `Current ${file.path}`),
      b: side(proposed, highlight, `Proposed ${file.path}`),
      collapseUnchanged: { margin: 3, minSize: 4 },
      gutter: true,
    });
    return () => merge.destroy();
  }, [current, proposed, highlight, file.path]);

  const permissions = { readOnly };
  const all = fileActions(file.hunks, permissions);

  // Deciding a hunk disables its buttons, which would drop focus to <body>. Focus goes on to the next hunk
  // (or back to the previous one, or the file's heading when none is left) once the buttons are usable again.
  const section = useRef<HTMLElement>(null);
  const focusNext = useRef<string | null | undefined>(undefined);
  const decide = (hunkId: string, act: (ids: string[]) => void) => {
    const at = file.hunks.findIndex((h) => h.id === hunkId);
    const others = [...file.hunks.slice(at + 1), ...file.hunks.slice(0, Math.max(0, at)).reverse()];
    focusNext.current = (others.find((h) => h.status === 'pending') ?? others[0])?.id ?? null;
    act([hunkId]);
  };
  useEffect(() => {
    const target = focusNext.current;
    const root = section.current;
    if (target === undefined || readOnly || !root) return;
    focusNext.current = undefined;
    const item =
      target === null ? null : root.querySelector<HTMLElement>(`[data-hunk="${CSS.escape(target)}"]`);
    const control = item?.querySelector<HTMLElement>('button:not([disabled])');
    (control ?? item ?? root.querySelector<HTMLElement>('h3'))?.focus();
  }, [file, readOnly]);

  return (
    <section
      ref={section}
      aria-label={`Review ${file.path}`}
      className="grid gap-2 rounded-lg border border-zinc-200 bg-white"
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-zinc-200 px-3 py-2">
        <h3 tabIndex={-1} className="m-0 min-w-0 flex-1 truncate text-sm font-semibold">
          <code className="font-mono">{file.path}</code>{' '}
          <span className="font-normal text-zinc-600">({file.kind})</span>
        </h3>
        <button
          type="button"
          className={primary}
          disabled={all.acceptIds.length === 0}
          onClick={() => onAccept(all.acceptIds)}
          aria-label={`Accept file (${all.acceptIds.length}) in ${file.path}`}
        >
          Accept file ({all.acceptIds.length})
        </button>
        <button
          type="button"
          className={button}
          disabled={all.rejectIds.length === 0}
          onClick={() => onReject(all.rejectIds)}
          aria-label={`Reject file (${all.rejectIds.length}) in ${file.path}`}
        >
          Reject file ({all.rejectIds.length})
        </button>
      </header>
      <div ref={host} className="max-h-[60vh] overflow-auto text-xs" />
      <ol aria-label={`Hunks in ${file.path}`} className="grid gap-1 px-3 pb-3">
        {file.hunks.map((hunk) => {
          const actions = hunkActions(hunk.status, permissions);
          const badge = hunkStatusBadge(hunk.status);
          const header = hunkHeader(hunk);
          return (
            <li key={hunk.id} data-hunk={hunk.id} data-status={hunk.status} tabIndex={-1} className="text-xs">
              <div className="flex flex-wrap items-center gap-2">
                <code className="font-mono text-zinc-700">{header}</code>
                <StatusBadge tone={badge.tone} label={badge.label} />
                {hunk.decidedBy ? (
                  <span className="text-zinc-600">
                    by {userName(hunk.decidedBy)}
                    {hunk.decidedAt ? ` at ${new Date(hunk.decidedAt).toLocaleTimeString()}` : ''}
                  </span>
                ) : null}
                <span className="flex-1" />
                {hunk.status === 'conflict' ? null : (
                  <>
                    <button
                      type="button"
                      className={button}
                      aria-label={`Accept ${header}`}
                      disabled={!actions.accept}
                      onClick={() => decide(hunk.id, onAccept)}
                    >
                      Accept
                    </button>
                    <button
                      type="button"
                      className={button}
                      aria-label={`Reject ${header}`}
                      disabled={!actions.reject}
                      onClick={() => decide(hunk.id, onReject)}
                    >
                      Reject
                    </button>
                  </>
                )}
              </div>
              {hunk.status === 'conflict' ? (
                <ConflictChoice
                  hunk={hunk}
                  conflict={conflicts.find((c) => c.hunkId === hunk.id)}
                  enabled={actions.resolve}
                  onResolve={onResolve}
                />
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
