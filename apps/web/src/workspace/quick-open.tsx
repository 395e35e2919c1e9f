// Quick open (Ctrl/Cmd+P): type part of a path, pick with the arrows and Enter. "path:42" opens at line 42 and
// ":42" (Ctrl/Cmd+G) goes to line 42 of the open file. Matching and ranking live in @tandem/ui/fuzzy.
import { parseQuickOpen, rankFiles } from '@tandem/ui/fuzzy';
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { Dialog } from '../components/dialog.tsx';
import { cx } from '../components/ui.tsx';

/** The path with the matched characters marked; positions are UTF-16 indices, so runs are cut by index. */
function Highlighted({ path, positions }: { path: string; positions: number[] }) {
  const marked = new Set(positions);
  const runs: { text: string; mark: boolean }[] = [];
  for (let i = 0; i < path.length; i++) {
    const mark = marked.has(i);
    const last = runs.at(-1);
    if (last?.mark === mark) last.text += path.charAt(i);
    else runs.push({ text: path.charAt(i), mark });
  }
  return (
    <>
      {runs.map((run, i) =>
        run.mark ? (
          <mark key={i} className="bg-transparent font-semibold text-indigo-800">
            {run.text}
          </mark>
        ) : (
          run.text
        ),
      )}
    </>
  );
}

export function QuickOpen({
  paths,
  recent,
  openPath,
  initial,
  onOpen,
  onClose,
}: {
  paths: readonly string[];
  /** Recently opened files, most recent first. */
  recent: readonly string[];
  /** The open file, where ":42" goes. */
  openPath: string | null;
  initial: string;
  onOpen: (path: string, line: number | null) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [input, setInput] = useState(initial);
  const [active, setActive] = useState(0);
  const { query, line } = parseQuickOpen(input);
  const matches = useMemo(() => rankFiles(query, paths, recent, 50), [query, paths, recent]);
  const lineOnly = query.trim() === '' && line !== null && openPath !== null;
  const choose = (index: number) => {
    if (lineOnly && openPath) {
      onOpen(openPath, line);
      return;
    }
    const match = matches[index];
    if (match) onOpen(match.path, line);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (matches.length === 0 ? 0 : (a + step + matches.length) % matches.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(active);
    }
  };
  const listId = `${id}-list`;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Go to file"
      description="Type part of a file's path; add :line to jump to a line, or type :line for the open file."
    >
      <input
        autoFocus
        role="combobox"
        aria-label="File name, or :line"
        aria-expanded={!lineOnly && matches.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={!lineOnly && matches[active] ? `${id}-${active}` : undefined}
        value={input}
        onChange={(e) => {
          setInput(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        className="h-9 w-full rounded-md border border-zinc-300 px-2 font-mono text-sm"
      />
      {lineOnly ? (
        <p className="text-sm text-zinc-700">
          Enter goes to line {line} of {openPath}.
        </p>
      ) : null}
      <ul id={listId} role="listbox" aria-label="Matching files" className="max-h-80 overflow-auto">
        {lineOnly
          ? null
          : matches.map((m, i) => (
              <li
                // By place, not by path: the next keystroke's list then updates these rows' text in place instead
                // of removing fifty rows and building fifty new ones (a row holds no state of its own).
                key={i}
                id={`${id}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(i);
                }}
                className={cx(
                  'cursor-pointer truncate rounded px-2 py-1 font-mono text-xs',
                  i === active ? 'bg-indigo-50 text-indigo-900' : 'text-zinc-800',
                )}
              >
                <Highlighted path={m.path} positions={m.positions} />
                {recent.includes(m.path) && query.trim() === '' ? (
                  <span className="ml-2 font-sans text-zinc-600">recent</span>
                ) : null}
              </li>
            ))}
        {!lineOnly && matches.length === 0 ? (
          <li role="option" aria-selected={false} aria-disabled className="px-2 py-1 text-sm text-zinc-600">
            No file matches “{query}”
          </li>
        ) : null}
      </ul>
    </Dialog>
  );
}
