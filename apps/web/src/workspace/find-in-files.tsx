// Find and replace across files (Ctrl/Cmd+Shift+F), in the left pane in place of the tree. The search runs in
// this tab over the live document (see @tandem/ui/workspace-search for why), again as peers edit; replacing
// edits the live texts, so peers see it at once and the author can undo it (here, or per file in the editor).
import {
  compileSearch,
  filesMap,
  type CompiledSearch,
  type FileMatches,
  type SearchError,
  type SearchMatch,
  type SearchResult,
} from '@tandem/core';
import { replaceInWorkspace, searchWorkspace, type ReplaceOutcome } from '@tandem/ui/workspace-search';
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type * as Y from 'yjs';
import { Button, cx, IconButton } from '../components/ui.tsx';

/** Results shown at most; the engine reports when it stopped early. */
const LIMITS = { maxMatches: 2000, previewContext: 40, previewMatch: 120 };

function Toggle({
  pressed,
  onChange,
  label,
  children,
}: {
  pressed: boolean;
  onChange: (next: boolean) => void;
  label: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      title={label}
      onClick={() => onChange(!pressed)}
      className={cx(
        'h-7 min-w-7 rounded px-1 font-mono text-xs',
        pressed
          ? 'bg-indigo-600 text-white'
          : 'text-zinc-700 ring-1 ring-zinc-300 ring-inset hover:bg-zinc-100',
      )}
    >
      {/* The glyph is what shows; the name is what is said (a label would not contain the glyph). */}
      <span aria-hidden="true">{children}</span>
      <span className="sr-only">{label}</span>
    </button>
  );
}

function plural(n: number, word: string) {
  return `${n.toLocaleString()} ${word}${n === 1 ? '' : 'es'}`;
}

export function FindInFiles({
  doc,
  canEdit,
  initialQuery,
  focusRequest,
  onOpen,
  onClose,
}: {
  doc: Y.Doc;
  canEdit: boolean;
  /** Prefills the query (e.g. the editor's selection). */
  initialQuery: string;
  /** Changes when Ctrl/Cmd+Shift+F is pressed again while the panel is open: focus and select the query. */
  focusRequest: number;
  onOpen: (path: string, line: number) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [query, setQuery] = useState(initialQuery);
  const [replacement, setReplacement] = useState('');
  const [regex, setRegex] = useState(false);
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [wholeWord, setWholeWord] = useState(false);
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  // The latest results and the query they answer: while a newer query waits for its search, the old results stay
  // on screen but the summary says it is searching (so "3 matches" never describes the wrong query).
  const [searched, setSearched] = useState<{ for: CompiledSearch; result: SearchResult } | null>(null);
  const [tookMs, setTookMs] = useState<number | null>(null);
  const [lastReplace, setLastReplace] = useState<ReplaceOutcome | null>(null);
  const [notice, setNotice] = useState('');
  const compiled: CompiledSearch | SearchError = useMemo(
    () => compileSearch({ query, regex, caseSensitive, wholeWord, include, exclude }),
    [query, regex, caseSensitive, wholeWord, include, exclude],
  );
  const queryInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    queryInput.current?.focus();
    queryInput.current?.select();
  }, [focusRequest]);

  // Search as the query is typed (debounced), and again when anyone edits a file while results are shown.
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const files = filesMap(doc);
    const bump = () => setVersion((v) => v + 1);
    files.observeDeep(bump);
    return () => files.unobserveDeep(bump);
  }, [doc]);
  useEffect(() => {
    if (!compiled.ok) {
      setSearched(null);
      return;
    }
    const timer = setTimeout(() => {
      const started = performance.now();
      setSearched({ for: compiled, result: searchWorkspace(doc, compiled, LIMITS) });
      setTookMs(Math.round(performance.now() - started));
    }, 120);
    return () => clearTimeout(timer);
  }, [doc, compiled, version]);

  const replace = (scopes: Parameters<typeof replaceInWorkspace>[3]) => {
    if (!compiled.ok) return;
    const started = performance.now();
    const outcome = replaceInWorkspace(doc, compiled, replacement, scopes);
    // Read by `pnpm bench web`.
    performance.measure('tandem:replace-all', { start: started });
    setLastReplace(outcome.replaced > 0 ? outcome : null);
    setNotice(
      `Replaced ${plural(outcome.replaced, 'match')} in ${outcome.files.length.toLocaleString()} ${
        outcome.files.length === 1 ? 'file' : 'files'
      }${outcome.stale > 0 ? `; ${plural(outcome.stale, 'match')} had changed and were left alone` : ''}.`,
    );
  };
  const undo = () => {
    if (!lastReplace) return;
    const { undone, skipped } = lastReplace.undo();
    setLastReplace(null);
    setNotice(
      skipped.length === 0
        ? `Undid the replacement in ${undone.length} ${undone.length === 1 ? 'file' : 'files'}.`
        : `Undid it in ${undone.length} files; you edited ${skipped.join(', ')} since — undo there in the editor.`,
    );
  };

  const error = compiled.ok ? null : compiled;
  const errorId = `${id}-error`;
  const result = searched?.result ?? null;
  const fresh = searched !== null && searched.for === compiled;
  const summary =
    result === null || query === ''
      ? ''
      : !fresh
        ? 'Searching…'
        : result.matchCount === 0
          ? `No results in ${result.searchedFiles.toLocaleString()} files`
          : `${plural(result.matchCount, 'match')}${result.truncated ? '+' : ''} in ${result.files.length.toLocaleString()} ${
              result.files.length === 1 ? 'file' : 'files'
            }${result.truncated ? ' (showing the first ones; narrow the search)' : ''}`;
  const field = 'h-8 w-full rounded-md border bg-white px-2 font-mono text-xs text-zinc-900';

  return (
    <section
      aria-label="Find in files"
      className="flex h-full min-h-0 flex-col"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div className="flex h-9 shrink-0 items-center gap-1 border-b border-zinc-200 px-3">
        <h2 className="flex-1 text-xs font-semibold tracking-wide text-zinc-600 uppercase">Find in files</h2>
        <IconButton label="Close find in files (Escape)" onClick={onClose}>
          ×
        </IconButton>
      </div>
      <form
        className="grid shrink-0 gap-1.5 border-b border-zinc-200 p-2"
        onSubmit={(e) => e.preventDefault()}
        role="search"
      >
        <input
          ref={queryInput}
          autoFocus
          aria-label="Find"
          placeholder="Find"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-invalid={error?.field === 'query' || undefined}
          aria-describedby={error ? errorId : undefined}
          className={cx(field, error?.field === 'query' ? 'border-red-500' : 'border-zinc-300')}
        />
        <div className="flex gap-1" role="group" aria-label="Search options">
          <Toggle pressed={caseSensitive} onChange={setCaseSensitive} label="Match case">
            Aa
          </Toggle>
          <Toggle pressed={wholeWord} onChange={setWholeWord} label="Whole word">
            ab
          </Toggle>
          <Toggle pressed={regex} onChange={setRegex} label="Regular expression">
            .*
          </Toggle>
        </div>
        {canEdit ? (
          <div className="flex gap-1">
            <input
              aria-label="Replace"
              placeholder="Replace"
              value={replacement}
              onChange={(e) => setReplacement(e.target.value)}
              className={cx(field, 'border-zinc-300')}
            />
            <Button
              size="sm"
              className="h-8"
              disabled={!fresh || !result || result.matchCount === 0}
              onClick={() => result && replace(result.files.map((f) => ({ path: f.path })))}
            >
              Replace all
            </Button>
          </div>
        ) : null}
        <input
          aria-label="Files to include"
          placeholder="Files to include (e.g. src/**, *.ts)"
          value={include}
          onChange={(e) => setInclude(e.target.value)}
          aria-invalid={error?.field === 'include' || undefined}
          aria-describedby={error ? errorId : undefined}
          className={cx(field, error?.field === 'include' ? 'border-red-500' : 'border-zinc-300')}
        />
        <input
          aria-label="Files to exclude"
          placeholder="Files to exclude (e.g. dist, *.min.js)"
          value={exclude}
          onChange={(e) => setExclude(e.target.value)}
          aria-invalid={error?.field === 'exclude' || undefined}
          aria-describedby={error ? errorId : undefined}
          className={cx(field, error?.field === 'exclude' ? 'border-red-500' : 'border-zinc-300')}
        />
        {error ? (
          <p id={errorId} role="alert" className="text-xs text-red-700">
            {error.code === 'BAD_REGEX'
              ? 'Not a valid regular expression: '
              : `Not a valid glob (${error.field}): `}
            {error.message}
          </p>
        ) : null}
      </form>
      <div
        className="flex shrink-0 flex-wrap items-center gap-2 px-3 py-1.5 text-xs text-zinc-700"
        aria-live="polite"
        aria-busy={(query !== '' && !fresh) || undefined}
      >
        <span title={tookMs === null ? undefined : `Searched in ${tookMs} ms`}>{summary}</span>
        {notice ? <span>{notice}</span> : null}
        {lastReplace ? (
          <Button size="sm" variant="secondary" onClick={undo}>
            Undo replace
          </Button>
        ) : null}
      </div>
      <div className="min-h-0 flex-1 overflow-auto" tabIndex={-1}>
        {result?.files.map((file) => (
          <FileResults
            key={file.path}
            file={file}
            canEdit={canEdit}
            onOpen={onOpen}
            onReplace={(only) => replace([{ path: file.path, only }])}
            onReplaceFile={() => replace([{ path: file.path }])}
          />
        ))}
      </div>
    </section>
  );
}

function FileResults({
  file,
  canEdit,
  onOpen,
  onReplace,
  onReplaceFile,
}: {
  file: FileMatches;
  canEdit: boolean;
  onOpen: (path: string, line: number) => void;
  onReplace: (only: SearchMatch[]) => void;
  onReplaceFile: () => void;
}) {
  const name = file.path.split('/').at(-1) ?? file.path;
  const dir = file.path.slice(0, file.path.length - name.length);
  return (
    <section
      aria-label={`${file.path}, ${file.matches.length} matches`}
      className="border-b border-zinc-100 py-1"
    >
      <div className="group flex items-center gap-1 px-2">
        <h3 className="min-w-0 flex-1 truncate text-xs" title={file.path}>
          <span className="font-medium text-zinc-900">{name}</span>{' '}
          <span className="text-zinc-600">{dir}</span>
        </h3>
        <span className="rounded bg-zinc-100 px-1 text-xs text-zinc-700">{file.matches.length}</span>
        {canEdit ? (
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Replace all in ${file.path}`}
            onClick={onReplaceFile}
          >
            Replace
          </Button>
        ) : null}
      </div>
      <ul>
        {file.matches.map((m) => (
          <li key={m.index} className="flex items-center pr-1 hover:bg-indigo-50">
            <button
              type="button"
              onClick={() => onOpen(file.path, m.line)}
              className="min-w-0 flex-1 truncate py-0.5 pl-4 text-left font-mono text-xs text-zinc-800"
              title={`${file.path}:${m.line}:${m.column}`}
            >
              <span className="mr-1 text-zinc-600">{m.line}</span>
              {m.preview.before}
              <mark className="rounded-sm bg-amber-200 text-zinc-900">{m.preview.match}</mark>
              {m.preview.after}
            </button>
            {canEdit ? (
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Replace at ${file.path}:${m.line}:${m.column}`}
                onClick={() => onReplace([m])}
              >
                ↵
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
