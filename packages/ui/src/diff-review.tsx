// Reviewing one file of a task's changeset, change by change: each hunk shows what accepting it would do now
// (from the live preview), or the conflict it would run into with both texts, or — once decided — what was
// proposed, what landed and who decided when. Actions sit on the hunk; decisions go out through callbacks and the
// server decides.
import {
  isBlockingFinding,
  type FileChange,
  type Finding,
  type Hunk,
  type HunkConflict,
  type HunkPreview,
  type UnappliedEdit,
} from '@tandem/core';
import { FindingLine } from './check-results-view.tsx';
import { MergeView } from '@codemirror/merge';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useLanguageExtension, type EditorLanguage } from './editor-language.ts';
import { accessibleHighlighting } from './highlight.ts';
import {
  conflictReason,
  fileActions,
  historyLine,
  hunkActions,
  hunkHeader,
  hunkLabel,
  hunkStatusBadge,
  landedText,
  type HunkActions,
} from './review-actions.ts';
import { StatusBadge } from './status-badge.tsx';

/** `ours` keeps the human's current text; `theirs` takes the task's; `{ text }` is a merge written by hand. */
export type ConflictChoice = 'ours' | 'theirs' | { text: string };

/** Unified shows removed and added lines in one column; split puts before and after side by side. */
export type ReviewLayout = 'unified' | 'split';

export interface DiffReviewProps {
  file: FileChange;
  /** The file's live text ('' for a file the task creates). */
  current: string;
  /** The text with every open hunk of this file applied ('' for a file the task deletes). */
  proposed: string;
  /** Conflicts for this file's hunks (stored or predicted), showing what the human has there now. */
  conflicts?: readonly HunkConflict[];
  /** What accepting each of this file's hunks would do against the live text (core `previewChangeset`). */
  previews?: readonly HunkPreview[];
  language?: EditorLanguage | null;
  /** Reviewers and members without edit rights see the decisions but cannot make them. */
  readOnly?: boolean;
  layout?: ReviewLayout;
  /** Wrap long lines instead of scrolling sideways. */
  wrap?: boolean;
  onAccept: (hunkIds: string[]) => void;
  onReject: (hunkIds: string[]) => void;
  /** `expectedOurs` is the human text the reviewer saw; the server refuses if it changed since. */
  onResolve: (hunkId: string, choice: ConflictChoice, expectedOurs?: string) => void;
  /** Who changed the lines of each conflicting hunk since the task read them (names, by hunk id). */
  conflictAuthors?: ReadonlyMap<string, readonly string[]>;
  /** Names the member who decided each hunk; defaults to the user id. */
  userName?: (userId: string) => string;
  /** What the task's checks found in this file: shown on the hunk they fall in, the rest above the hunks. */
  findings?: readonly Finding[];
  /** Why accepting is not possible now (e.g. the workspace requires an approval); accept buttons are disabled. */
  acceptBlocked?: string | undefined;
  /** Extra content at the end of each change (review comments), given the hunk and its readable label. */
  renderHunkExtra?: (hunk: Hunk, label: string) => ReactNode;
}

const button =
  'inline-flex h-7 items-center rounded-md px-2 text-xs font-medium ring-1 ring-inset ring-zinc-300 bg-white text-zinc-800 hover:bg-zinc-50 disabled:cursor-not-allowed disabled:text-zinc-500';
const primary =
  'inline-flex h-7 items-center rounded-md px-2 text-xs font-medium bg-indigo-600 text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:bg-indigo-300';

// Code blocks scroll when long, so each takes focus: a keyboard user can scroll it (axe scrollable-region-focusable).
function codeBlock(wrap: boolean) {
  return `m-0 max-h-72 overflow-auto rounded bg-zinc-100 px-2 py-1 font-mono text-xs text-zinc-900 ${wrap ? 'whitespace-pre-wrap break-all' : 'whitespace-pre'}`;
}

function side(doc: string, extensions: Extension, label: string) {
  return {
    doc,
    extensions: [
      lineNumbers(),
      extensions,
      accessibleHighlighting(),
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      // Read-only content is not focusable by itself; without a tab stop a keyboard cannot scroll a long line.
      EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
    ],
  };
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The lines of one change: removed and added, unified or side by side. */
function HunkLines({
  before,
  after,
  beforeLabel,
  afterLabel,
  layout,
  wrap,
}: {
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
  layout: ReviewLayout;
  wrap: boolean;
}) {
  const removed = splitLines(before);
  const added = splitLines(after);
  const line = (prefix: string, text: string, tone: string, key: string) => (
    <span key={key} className={`block ${tone}`}>
      <span aria-hidden="true" className="select-none pr-2 text-zinc-600">
        {prefix}
      </span>
      {text === '' ? ' ' : text}
    </span>
  );
  if (layout === 'split') {
    return (
      <div className="grid gap-2 md:grid-cols-2">
        <div className="grid min-w-0 gap-1">
          <p className="m-0 text-xs font-semibold text-zinc-700">{beforeLabel}</p>
          <pre tabIndex={0} className={codeBlock(wrap)} aria-label={beforeLabel}>
            {removed.length === 0
              ? line(' ', '(no lines)', 'text-zinc-600', 'empty')
              : removed.map((t, i) => line('-', t, 'bg-red-100 text-red-950', `-${String(i)}`))}
          </pre>
        </div>
        <div className="grid min-w-0 gap-1">
          <p className="m-0 text-xs font-semibold text-zinc-700">{afterLabel}</p>
          <pre tabIndex={0} className={codeBlock(wrap)} aria-label={afterLabel}>
            {added.length === 0
              ? line(' ', '(no lines)', 'text-zinc-600', 'empty')
              : added.map((t, i) => line('+', t, 'bg-green-100 text-green-950', `+${String(i)}`))}
          </pre>
        </div>
      </div>
    );
  }
  return (
    <pre tabIndex={0} className={codeBlock(wrap)} aria-label={`${beforeLabel}, then ${afterLabel}`}>
      {removed.map((t, i) => line('-', t, 'bg-red-100 text-red-950', `-${String(i)}`))}
      {added.map((t, i) => line('+', t, 'bg-green-100 text-green-950', `+${String(i)}`))}
    </pre>
  );
}

/** "Eve", "Eve and Bob", "Eve, Bob and Ada". */
function nameList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

function ConflictResolver({
  hunk,
  label,
  conflict,
  authors,
  actions,
  layout,
  wrap,
  onResolve,
  acceptBlocked,
}: {
  hunk: Hunk;
  label: string;
  conflict: HunkConflict | undefined;
  /** Who changed the lines since the task read them; empty when unknown or only deleted. */
  authors: readonly string[];
  actions: HunkActions;
  layout: ReviewLayout;
  wrap: boolean;
  onResolve: DiffReviewProps['onResolve'];
  /** Taking the task's text applies its change: blocked like accepting. */
  acceptBlocked: string | undefined;
}) {
  // The merge being written by hand; null while the two texts are shown side by side.
  const [merged, setMerged] = useState<string | null>(null);
  const mergeId = useId();
  const theirs = conflict?.theirs ?? hunk.newText;
  const reason =
    authors.length > 0 && conflict?.reason === 'region-changed'
      ? `${nameList(authors)} changed these lines after the task read them`
      : conflict
        ? conflictReason(conflict.reason)
        : 'These lines are in conflict';
  return (
    <div
      role="group"
      aria-label={`Resolve conflict in ${label}`}
      className="mt-2 grid gap-2 rounded-md border border-amber-300 bg-amber-50 p-2 text-xs text-amber-950"
    >
      <p className="m-0">
        {reason}. Accepting would not change them; choose which text to keep, or merge them by hand.
      </p>
      <div className={layout === 'split' ? 'grid gap-2 md:grid-cols-2' : 'grid gap-2'}>
        <div className="grid min-w-0 gap-1">
          <p className="m-0 font-semibold">Current text (ours)</p>
          {conflict ? (
            <pre tabIndex={0} className={codeBlock(wrap)}>
              {conflict.ours}
            </pre>
          ) : (
            <p>Not loaded yet.</p>
          )}
        </div>
        <div className="grid min-w-0 gap-1">
          <p className="m-0 font-semibold">Task&apos;s text (theirs)</p>
          <pre tabIndex={0} className={codeBlock(wrap)}>
            {theirs}
          </pre>
        </div>
      </div>
      {merged !== null ? (
        <form
          className="grid gap-1"
          onSubmit={(event) => {
            event.preventDefault();
            onResolve(hunk.id, { text: merged }, conflict?.ours);
            setMerged(null);
          }}
        >
          <label htmlFor={mergeId} className="font-semibold">
            Merged text for {label}
          </label>
          <textarea
            id={mergeId}
            value={merged}
            onChange={(event) => setMerged(event.target.value)}
            rows={Math.min(16, Math.max(3, merged.split('\n').length + 1))}
            spellCheck={false}
            className="w-full rounded border border-amber-300 bg-white p-2 font-mono text-xs text-zinc-900"
          />
          <div className="flex flex-wrap gap-2">
            <button
              type="submit"
              className={primary}
              title={acceptBlocked}
              disabled={!actions.resolve || acceptBlocked !== undefined}
            >
              Use merged text
            </button>
            <button type="button" className={button} onClick={() => setMerged(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <div className="flex flex-wrap gap-2" hidden={merged !== null}>
        <button
          type="button"
          className={button}
          aria-label={`Keep current text in ${label}`}
          disabled={!actions.resolve}
          onClick={() => onResolve(hunk.id, 'ours', conflict?.ours)}
        >
          Keep current text
        </button>
        <button
          type="button"
          className={primary}
          aria-label={`Take task's text in ${label}`}
          title={acceptBlocked}
          disabled={!actions.resolve || acceptBlocked !== undefined}
          onClick={() => onResolve(hunk.id, 'theirs', conflict?.ours)}
        >
          Take task&apos;s text
        </button>
        <button
          type="button"
          className={button}
          aria-label={`Merge by hand in ${label}`}
          disabled={!actions.resolve || conflict === undefined}
          onClick={() => setMerged(conflict?.ours ?? '')}
        >
          Merge by hand
        </button>
      </div>
    </div>
  );
}

/** Moves focus to the next or previous change across every file of the review. */
function focusSibling(from: HTMLElement, step: 1 | -1) {
  const all = [...from.ownerDocument.querySelectorAll<HTMLElement>('[data-hunk-nav]')];
  all[all.indexOf(from) + step]?.focus();
}

function HunkItem({
  file,
  hunk,
  index,
  total,
  preview,
  conflict,
  props,
  findings,
}: {
  file: FileChange;
  hunk: Hunk;
  index: number;
  total: number;
  preview: HunkPreview | undefined;
  conflict: HunkConflict | undefined;
  props: Required<Pick<DiffReviewProps, 'readOnly' | 'layout' | 'wrap' | 'userName'>> &
    Pick<
      DiffReviewProps,
      'onAccept' | 'onReject' | 'onResolve' | 'acceptBlocked' | 'renderHunkExtra' | 'conflictAuthors'
    >;
  findings: readonly Finding[];
}) {
  const {
    readOnly,
    layout,
    wrap,
    userName,
    onAccept,
    onReject,
    onResolve,
    acceptBlocked,
    renderHunkExtra,
    conflictAuthors,
  } = props;
  const label = hunkLabel(index, total, file.path);
  const flagged = findings.some(isBlockingFinding);
  const open = hunk.status === 'pending' || hunk.status === 'accepted' || hunk.status === 'conflict';
  const predicted = open ? preview?.outcome : undefined;
  const inConflict = predicted === 'conflict' || (hunk.status === 'conflict' && predicted !== 'clean');
  const shownConflict = preview?.outcome === 'conflict' ? preview.conflict : conflict;
  const actions = hunkActions(hunk.status, { readOnly }, predicted);
  const badge =
    predicted === 'conflict' && hunk.status !== 'conflict'
      ? { tone: 'error' as const, label: 'Would conflict' }
      : hunkStatusBadge(hunk.status);
  const history = hunk.history ?? [];
  const rolledBack = history.at(-1)?.action === 'rolled-back';

  const onKeyDown = (event: KeyboardEvent<HTMLLIElement>) => {
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    if (key === 'j' || key === 'n') focusSibling(event.currentTarget, 1);
    else if (key === 'k' || key === 'p') focusSibling(event.currentTarget, -1);
    else if (key === 'a' && actions.accept && !acceptBlocked) onAccept([hunk.id]);
    else if (key === 'r' && actions.reject) onReject([hunk.id]);
    else return;
    event.preventDefault();
  };

  let body;
  if (inConflict) {
    body = (
      <ConflictResolver
        hunk={hunk}
        label={label}
        conflict={shownConflict}
        authors={conflictAuthors?.get(hunk.id) ?? []}
        actions={actions}
        layout={layout}
        wrap={wrap}
        onResolve={onResolve}
        acceptBlocked={acceptBlocked}
      />
    );
  } else if (hunk.status === 'applied' || rolledBack) {
    const landed = landedText(hunk);
    body = (
      <>
        <HunkLines
          before={hunk.oldText}
          after={landed}
          beforeLabel="Before"
          afterLabel={rolledBack ? 'Applied, then rolled back' : 'Applied'}
          layout={layout}
          wrap={wrap}
        />
        {landed !== hunk.newText ? (
          <details className="text-xs">
            <summary>What the task proposed</summary>
            <pre tabIndex={0} className={codeBlock(wrap)}>
              {hunk.newText}
            </pre>
          </details>
        ) : null}
      </>
    );
  } else {
    const before = predicted === 'clean' && preview?.outcome === 'clean' ? preview.before : hunk.oldText;
    body = (
      <HunkLines
        before={before}
        after={hunk.newText}
        beforeLabel="Current"
        afterLabel={hunk.status === 'rejected' ? 'Proposed (rejected)' : 'After accepting'}
        layout={layout}
        wrap={wrap}
      />
    );
  }

  return (
    <li
      data-hunk={hunk.id}
      data-status={hunk.status}
      data-preview={predicted ?? 'decided'}
      data-hunk-nav=""
      tabIndex={0}
      aria-label={`${label[0]?.toUpperCase() ?? ''}${label.slice(1)}, ${badge.label}`}
      aria-keyshortcuts="J K A R"
      onKeyDown={onKeyDown}
      className="grid grid-cols-1 gap-1 rounded-md border border-zinc-200 p-2 text-xs focus:outline-2 focus:outline-indigo-600"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-semibold text-zinc-800">
          Change {index + 1} of {total}
        </span>
        <code className="font-mono text-zinc-600">{hunkHeader(hunk)}</code>
        <StatusBadge tone={badge.tone} label={badge.label} />
        {flagged ? (
          <StatusBadge
            tone="error"
            label="Flagged by checks"
            description="A check found a secret or a critical or high problem in this change"
          />
        ) : null}
        {hunk.decidedBy && history.length === 0 ? (
          <span className="text-zinc-600">
            by {userName(hunk.decidedBy)}
            {hunk.decidedAt ? ` at ${new Date(hunk.decidedAt).toLocaleTimeString()}` : ''}
          </span>
        ) : null}
        {inConflict ? null : (
          // Together, at the right: on a narrow pane the pair wraps as one instead of splitting over two lines.
          <span className="ml-auto flex gap-2">
            <button
              type="button"
              className={primary}
              aria-label={`Accept ${label}`}
              title={acceptBlocked}
              disabled={!actions.accept || acceptBlocked !== undefined}
              onClick={() => onAccept([hunk.id])}
            >
              Accept
            </button>
            <button
              type="button"
              className={button}
              aria-label={`Reject ${label}`}
              disabled={!actions.reject}
              onClick={() => onReject([hunk.id])}
            >
              Reject
            </button>
          </span>
        )}
      </div>
      {findings.length > 0 ? (
        <ul aria-label={`Findings on ${label}`} className="m-0 grid list-none gap-0.5 p-0">
          {findings.map((f, i) => (
            <FindingLine key={`${f.rule}:${f.line}:${i}`} finding={f} />
          ))}
        </ul>
      ) : null}
      {body}
      {history.length > 0 ? (
        <ul aria-label={`Decisions on ${label}`} className="m-0 grid list-none gap-0.5 p-0 text-zinc-700">
          {history.map((entry, i) => (
            <li key={i}>{historyLine(entry, userName)}</li>
          ))}
        </ul>
      ) : null}
      {renderHunkExtra?.(hunk, label)}
    </li>
  );
}

export function DiffReview({
  file,
  current,
  proposed,
  conflicts = [],
  previews = [],
  language = null,
  readOnly = false,
  layout = 'unified',
  wrap = true,
  onAccept,
  onReject,
  onResolve,
  userName = (id) => id,
  findings = [],
  acceptBlocked,
  renderHunkExtra,
  conflictAuthors,
}: DiffReviewProps) {
  const host = useRef<HTMLDivElement>(null);
  const [wholeFile, setWholeFile] = useState(false);

  // Plain until the language's parser has loaded, then rebuilt once with highlighting.
  const highlight = useLanguageExtension(language);

  useEffect(() => {
    const parent = host.current;
    if (!parent || !wholeFile) return;
    const extensions = wrap ? [highlight, EditorView.lineWrapping] : highlight;
    const merge = new MergeView({
      parent,
      a: side(current, extensions, `Current ${file.path}`),
      b: side(proposed, extensions, `Proposed ${file.path}`),
      collapseUnchanged: { margin: 3, minSize: 4 },
      gutter: true,
    });
    return () => merge.destroy();
  }, [current, proposed, highlight, file.path, wholeFile, wrap]);

  const all = fileActions(file.hunks, { readOnly });
  const hunkIds = new Set(file.hunks.map((h) => h.id));
  const onHunk = (f: Finding) => f.hunkId !== undefined && hunkIds.has(f.hunkId);
  const fileFindings = findings.filter((f) => !onHunk(f));
  const previewById = new Map(previews.map((p) => [p.hunkId, p]));
  const conflictById = new Map(conflicts.map((c) => [c.hunkId, c]));

  // Deciding a hunk disables its buttons, which would drop focus to <body>. Focus goes on to the next hunk
  // (or back to the previous one, or the file's heading when none is left) once the buttons are usable again.
  const section = useRef<HTMLElement>(null);
  const focusNext = useRef<string | null | undefined>(undefined);
  const decide = (hunkId: string, act: (ids: string[]) => void) => {
    // Decided by its keys (A/R) on the change itself, focus stays there, still usable, for J/K; decided by a button
    // that is about to be disabled, it moves on.
    const active = section.current?.ownerDocument.activeElement;
    const onItem = active instanceof HTMLElement && active.dataset.hunk === hunkId;
    if (!onItem) {
      const at = file.hunks.findIndex((h) => h.id === hunkId);
      const others = [...file.hunks.slice(at + 1), ...file.hunks.slice(0, Math.max(0, at)).reverse()];
      focusNext.current = (others.find((h) => h.status === 'pending') ?? others[0])?.id ?? null;
    }
    act([hunkId]);
  };
  // One hunk decided from its own button moves focus on; file-wide decisions keep it where it is.
  const itemProps = {
    readOnly,
    layout,
    wrap,
    userName,
    onAccept: (ids: string[]) => (ids.length === 1 && ids[0] ? decide(ids[0], onAccept) : onAccept(ids)),
    onReject: (ids: string[]) => (ids.length === 1 && ids[0] ? decide(ids[0], onReject) : onReject(ids)),
    onResolve,
    acceptBlocked,
    renderHunkExtra,
    conflictAuthors,
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
      className="grid grid-cols-1 gap-2 rounded-lg border border-zinc-200 bg-white"
    >
      <header className="flex flex-wrap items-center gap-2 border-b border-zinc-200 px-3 py-2">
        <h3
          tabIndex={-1}
          title={file.path}
          className="m-0 min-w-0 grow basis-64 truncate text-sm font-semibold"
        >
          <code className="font-mono">{file.path}</code>{' '}
          <span className="font-normal text-zinc-600">({file.kind})</span>
        </h3>
        <div className="ml-auto flex flex-wrap gap-2">
          <button
            type="button"
            className={button}
            aria-expanded={wholeFile}
            onClick={() => setWholeFile((v) => !v)}
            aria-label={`${wholeFile ? 'Hide' : 'Show'} whole file ${file.path}`}
          >
            {wholeFile ? 'Hide whole file' : 'Show whole file'}
          </button>
          <button
            type="button"
            className={primary}
            title={acceptBlocked}
            disabled={all.acceptIds.length === 0 || acceptBlocked !== undefined}
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
        </div>
      </header>
      {fileFindings.length > 0 ? (
        <ul aria-label={`Findings in ${file.path}`} className="m-0 grid list-none gap-0.5 px-3">
          {fileFindings.map((f, i) => (
            <FindingLine key={`${f.rule}:${f.line}:${i}`} finding={f} />
          ))}
        </ul>
      ) : null}
      {wholeFile ? <div ref={host} className="max-h-[60vh] overflow-auto px-3 text-xs" /> : null}
      <ol aria-label={`Hunks in ${file.path}`} className="m-0 grid list-none grid-cols-1 gap-2 px-3 pb-3">
        {file.hunks.map((hunk, index) => (
          <HunkItem
            key={hunk.id}
            file={file}
            hunk={hunk}
            index={index}
            total={file.hunks.length}
            preview={previewById.get(hunk.id)}
            conflict={conflictById.get(hunk.id)}
            props={itemProps}
            findings={findings.filter((f) => f.hunkId === hunk.id)}
          />
        ))}
      </ol>
    </section>
  );
}

/**
 * A proposal that is not the whole answer says so before any diff: which edits of the model's answer are missing
 * from it, and why, so nobody accepts half a change believing it whole.
 */
export function PartialProposalNotice({ unapplied }: { unapplied: readonly UnappliedEdit[] }) {
  if (unapplied.length === 0) return null;
  const count = unapplied.length;
  const title = `Partial proposal: ${String(count)} of the model's edits could not be applied`;
  return (
    <section
      aria-label={title}
      className="grid gap-1 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-950"
    >
      <h3 className="m-0 text-sm font-semibold">{title}</h3>
      <p className="m-0 text-xs">
        The changes below are only part of what the model answered. Check that they make sense without the
        rest, or run the task again.
      </p>
      <ul aria-label="Edits that could not be applied" className="m-0 grid gap-1 pl-4 text-xs">
        {unapplied.map((edit, i) => (
          <li key={i}>
            {edit.path ? <code className="font-mono">{edit.path}</code> : 'The answer'}: {edit.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
