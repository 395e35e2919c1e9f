// Pieces of the file tree that hold no tree state: glyphs, presence dots, the inline name field and the row
// action menu. Kept apart so file-tree.tsx reads as the tree's behaviour.
import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { fileIcon, type PresenceMark } from './file-tree-model.ts';

export const focusRing =
  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';

export function Svg({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <svg
      viewBox="0 0 16 16"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      className={className}
    >
      {children}
    </svg>
  );
}

export const FolderGlyph = () => (
  <Svg className="shrink-0 text-zinc-500">
    <path d="M1.75 4.25c0-.55.45-1 1-1h3.2l1.5 1.5h5.8c.55 0 1 .45 1 1v6.5c0 .55-.45 1-1 1H2.75c-.55 0-1-.45-1-1z" />
  </Svg>
);

export function Chevron({ open }: { open: boolean }) {
  return (
    <Svg className={`shrink-0 text-zinc-600 transition-transform ${open ? 'rotate-90' : ''}`}>
      <path d="M6 4l4 4-4 4" />
    </Svg>
  );
}

export function FileBadge({ path }: { path: string }) {
  const icon = fileIcon(path);
  return (
    <span
      aria-hidden="true"
      title={icon.label}
      data-glyph={icon.glyph}
      // The letters come from CSS so they stay out of the row's text (its accessible name is the file name).
      className={`inline-flex h-4 w-4 shrink-0 items-center justify-center rounded-sm font-mono text-[8px] leading-none font-bold before:content-[attr(data-glyph)] ${icon.className}`}
    />
  );
}

export function PresenceDots({ marks }: { marks: readonly PresenceMark[] }) {
  const shown = marks.slice(0, 3);
  return (
    <span
      aria-hidden="true"
      title={marks.map((m) => m.name).join(', ')}
      className="flex items-center -space-x-0.5"
    >
      {shown.map((m) => (
        <span
          key={`${m.name}\u0000${m.color}`}
          className="h-2 w-2 rounded-full ring-1 ring-white"
          style={{ backgroundColor: m.color }}
        />
      ))}
      {marks.length > shown.length && (
        <span className="pl-1 text-[10px] text-zinc-600">+{marks.length - shown.length}</span>
      )}
    </span>
  );
}

export interface InlineInputProps {
  label: string;
  initial: string;
  placeholder?: string;
  /** The range selected when the input opens, e.g. a file's name without its extension. */
  selection?: readonly [number, number];
  validate: (value: string) => string | null;
  /** `refocus` is false when the user left the field for something else, which keeps their focus. */
  onCommit: (value: string, refocus: boolean) => void;
  onCancel: (refocus: boolean) => void;
}

/** A text field that stands in for a row: Enter commits when valid, Escape cancels, leaving commits a valid
 * change and drops anything else (the user already moved on). */
export function InlineInput({
  label,
  initial,
  placeholder,
  selection,
  validate,
  onCommit,
  onCancel,
}: InlineInputProps) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const done = useRef(false);
  const errorId = useId();
  const input = useRef<HTMLInputElement>(null);

  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(selection?.[0] ?? 0, selection?.[1] ?? el.value.length);
    // Only on mount: the selection is where typing starts, not something to restore later.
  }, []);

  const finish = (commit: boolean) => {
    if (done.current) return;
    const trimmed = value.trim();
    if (!commit || trimmed === initial.trim()) {
      done.current = true;
      onCancel(true);
      return;
    }
    const problem = validate(trimmed);
    if (problem) {
      setError(problem);
      return;
    }
    done.current = true;
    onCommit(trimmed, true);
  };

  return (
    <span className="relative min-w-0 flex-1">
      <input
        ref={input}
        type="text"
        value={value}
        aria-label={label}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        className={`h-6 w-full rounded-sm border bg-white px-1 text-sm text-zinc-900 placeholder:text-zinc-500 focus:outline-2 focus:-outline-offset-1 ${
          error ? 'border-red-700 focus:outline-red-700' : 'border-zinc-300 focus:outline-indigo-600'
        }`}
        onChange={(e) => {
          setValue(e.target.value);
          if (error) setError(validate(e.target.value.trim()));
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            finish(true);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            finish(false);
          }
        }}
        onBlur={() => {
          if (done.current) return;
          const trimmed = value.trim();
          const ok = trimmed !== '' && trimmed !== initial.trim() && validate(trimmed) === null;
          done.current = true;
          if (ok) onCommit(trimmed, false);
          else onCancel(false);
        }}
      />
      {error && (
        <span
          id={errorId}
          role="alert"
          className="absolute top-full left-0 z-20 mt-0.5 w-max max-w-64 rounded-sm bg-red-50 px-2 py-1 text-xs whitespace-normal text-red-800 shadow-sm ring-1 ring-red-300"
        >
          {error}
        </span>
      )}
    </span>
  );
}

export interface MenuItem {
  label: string;
  run: () => void;
}

export function RowMenu({
  label,
  items,
  onClose,
}: {
  label: string;
  items: MenuItem[];
  onClose: (refocus: boolean) => void;
}) {
  const menu = useRef<HTMLUListElement>(null);

  useLayoutEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const entries = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')];
    const at = entries.findIndex((el) => el === document.activeElement);
    const focusAt = (i: number) => entries[(i + entries.length) % entries.length]?.focus();
    const keys: Record<string, () => void> = {
      ArrowDown: () => focusAt(at + 1),
      ArrowUp: () => focusAt(at - 1),
      Home: () => focusAt(0),
      End: () => focusAt(entries.length - 1),
      Escape: () => onClose(true),
      Tab: () => onClose(true),
    };
    const action = keys[e.key];
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    action();
  };

  return (
    <ul
      ref={menu}
      role="menu"
      aria-label={label}
      className="absolute top-full right-1 z-30 mt-0.5 min-w-36 rounded-md border border-zinc-200 bg-white py-1 text-sm shadow-lg"
      onKeyDown={onKeyDown}
      onBlur={(e) => {
        // Focus moving to another item, or to the row's own "…" button (which toggles), keeps the menu open.
        const next = e.relatedTarget;
        if (next instanceof Node && e.currentTarget.parentElement?.contains(next)) return;
        onClose(false);
      }}
    >
      {items.map((item) => (
        <li key={item.label} role="none">
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="block w-full px-3 py-1 text-left text-zinc-900 hover:bg-zinc-100 focus:bg-zinc-100 focus:outline-none"
            onClick={() => item.run()}
          >
            {item.label}
          </button>
        </li>
      ))}
    </ul>
  );
}
