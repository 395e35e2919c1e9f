// The command palette (Ctrl/Cmd+Shift+P): every action of the code mode with its shortcut, fuzzy-filtered,
// arrows to pick and Enter to run. The list of commands is built by the page (it knows what exists right now).
import { ariaShortcut, formatShortcut, rankCommands, type Command } from '@tandem/ui/command-palette';
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { Dialog } from '../components/dialog.tsx';
import { cx } from '../components/ui.tsx';

function Marked({ text, positions }: { text: string; positions: number[] }) {
  const marked = new Set(positions);
  return (
    <>
      {text.split('').map((c, i) =>
        marked.has(i) ? (
          <mark key={i} className="bg-transparent font-semibold text-indigo-800">
            {c}
          </mark>
        ) : (
          c
        ),
      )}
    </>
  );
}

export function CommandPalette({ commands, onClose }: { commands: readonly Command[]; onClose: () => void }) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const ranked = useMemo(() => rankCommands(query, commands), [query, commands]);
  const run = (index: number) => {
    const chosen = ranked[index];
    if (!chosen) return;
    onClose();
    // After the dialog has closed and given focus back, so a command can move focus where it wants.
    setTimeout(() => chosen.command.run(), 0);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (ranked.length === 0 ? 0 : (a + step + ranked.length) % ranked.length));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      run(active);
    }
  };
  const listId = `${id}-list`;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Commands"
      description="Type to filter; arrows to choose, Enter to run."
    >
      <input
        autoFocus
        role="combobox"
        aria-label="Command"
        aria-expanded={ranked.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={ranked[active] ? `${id}-${active}` : undefined}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        className="h-9 w-full rounded-md border border-zinc-300 px-2 text-sm"
      />
      <ul id={listId} role="listbox" aria-label="Commands" className="max-h-80 overflow-auto">
        {ranked.map((r, i) => (
          <li
            key={r.command.id}
            id={`${id}-${i}`}
            role="option"
            aria-selected={i === active}
            aria-keyshortcuts={r.command.shortcut ? ariaShortcut(r.command.shortcut) : undefined}
            data-command={r.command.id}
            onMouseDown={(e) => {
              e.preventDefault();
              run(i);
            }}
            onMouseMove={() => setActive(i)}
            className={cx(
              'flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm',
              i === active ? 'bg-indigo-50 text-indigo-900' : 'text-zinc-800',
            )}
          >
            <span className="min-w-0 flex-1 truncate">
              <Marked text={r.label} positions={r.positions} />
            </span>
            {r.command.shortcut ? (
              <kbd className="rounded border border-zinc-300 bg-zinc-50 px-1 font-sans text-xs text-zinc-700">
                {formatShortcut(r.command.shortcut)}
              </kbd>
            ) : null}
          </li>
        ))}
        {ranked.length === 0 ? (
          <li role="option" aria-selected={false} aria-disabled className="px-2 py-1 text-sm text-zinc-600">
            No command matches “{query}”
          </li>
        ) : null}
      </ul>
    </Dialog>
  );
}
