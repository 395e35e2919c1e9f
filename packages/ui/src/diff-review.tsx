// Reviewing one file of a task's changeset: the current text beside the proposed text, and every hunk with
// its status and the decisions still open for it. Decisions go out through callbacks; the server decides.
import type { FileChange, Hunk, HunkConflict } from '@tandem/core';
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { languageExtension, type EditorLanguage } from './editor-language.ts';
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
}

const pre = {
  fontFamily: 'ui-monospace, monospace',
  fontSize: '0.85em',
  whiteSpace: 'pre-wrap',
  margin: 0,
  padding: '0.25rem 0.5rem',
  background: '#f3f4f6',
} as const;

function side(doc: string, language: EditorLanguage | null, label: string) {
  return {
    doc,
    extensions: [
      lineNumbers(),
      languageExtension(language),
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      EditorView.contentAttributes.of({ 'aria-label': label }),
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
    <div role="group" aria-label={`Resolve conflict in ${hunkHeader(hunk)}`}>
      {conflict ? <p>Why: {conflict.reason.replaceAll('-', ' ')}</p> : null}
      <p>Current text (ours)</p>
      {conflict ? <pre style={pre}>{conflict.ours}</pre> : <p>Not loaded yet.</p>}
      <p>Task&apos;s text (theirs)</p>
      <pre style={pre}>{conflict?.theirs ?? hunk.newText}</pre>
      <button type="button" disabled={!enabled} onClick={() => onResolve(hunk.id, 'ours')}>
        Keep current text
      </button>{' '}
      <button type="button" disabled={!enabled} onClick={() => onResolve(hunk.id, 'theirs')}>
        Take task&apos;s text
      </button>
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
}: DiffReviewProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const parent = host.current;
    if (!parent) return;
    const merge = new MergeView({
      parent,
      a: side(current, language, `Current ${file.path}`),
      b: side(proposed, language, `Proposed ${file.path}`),
      collapseUnchanged: { margin: 3, minSize: 4 },
      gutter: true,
    });
    return () => merge.destroy();
  }, [current, proposed, language, file.path]);

  const permissions = { readOnly };
  const all = fileActions(file.hunks, permissions);

  return (
    <section aria-label={`Review ${file.path}`}>
      <header style={{ display: 'flex', gap: '0.5rem', alignItems: 'center', flexWrap: 'wrap' }}>
        <h3 style={{ margin: 0, fontSize: '1rem' }}>
          <code>{file.path}</code> ({file.kind})
        </h3>
        <button type="button" disabled={all.acceptIds.length === 0} onClick={() => onAccept(all.acceptIds)}>
          Accept all ({all.acceptIds.length})
        </button>
        <button type="button" disabled={all.rejectIds.length === 0} onClick={() => onReject(all.rejectIds)}>
          Reject all ({all.rejectIds.length})
        </button>
      </header>
      <div ref={host} />
      <ol aria-label={`Hunks in ${file.path}`}>
        {file.hunks.map((hunk) => {
          const actions = hunkActions(hunk.status, permissions);
          const badge = hunkStatusBadge(hunk.status);
          const header = hunkHeader(hunk);
          return (
            <li key={hunk.id} data-hunk={hunk.id} data-status={hunk.status}>
              <code>{header}</code> <StatusBadge tone={badge.tone} label={badge.label} />{' '}
              {hunk.status === 'conflict' ? null : (
                <>
                  <button
                    type="button"
                    aria-label={`Accept ${header}`}
                    disabled={!actions.accept}
                    onClick={() => onAccept([hunk.id])}
                  >
                    Accept
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`Reject ${header}`}
                    disabled={!actions.reject}
                    onClick={() => onReject([hunk.id])}
                  >
                    Reject
                  </button>
                </>
              )}
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
