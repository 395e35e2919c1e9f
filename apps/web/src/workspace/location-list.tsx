// The places find references (Shift+F12) or an ambiguous go to definition found, under the editor: each opens its
// file at the line; the list takes focus when it appears so the keyboard can go straight through it, and Escape
// or Close puts focus back in the editor.
import { LocationLink } from '@tandem/ui/open-location';
import type { TsLocation } from '@tandem/ui/ts-language';
import { useEffect, useRef } from 'react';

export interface LocationListState {
  title: string;
  locations: TsLocation[];
  /** A new object per request, so asking again focuses the list again. */
  seq: number;
}

export function LocationList({ list, onClose }: { list: LocationListState; onClose: () => void }) {
  const region = useRef<HTMLElement>(null);
  useEffect(() => {
    const first = region.current?.querySelector<HTMLElement>('li button') ?? region.current;
    first?.focus();
  }, [list.seq]);
  const count = list.locations.length;
  return (
    <section
      ref={region}
      tabIndex={-1}
      aria-label={list.title}
      className="flex max-h-48 shrink-0 flex-col border-t border-zinc-200 bg-zinc-50 text-xs outline-none"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.preventDefault();
        onClose();
      }}
    >
      <div className="flex items-center gap-2 px-3 py-1.5">
        <h2 className="min-w-0 flex-1 truncate font-semibold text-zinc-800">
          {list.title}{' '}
          <span className="font-normal text-zinc-600">({count === 1 ? '1 place' : `${count} places`})</span>
        </h2>
        <button
          type="button"
          onClick={onClose}
          className="rounded px-2 py-0.5 text-zinc-700 hover:bg-zinc-200"
          aria-label={`Close ${list.title}`}
        >
          Close
        </button>
      </div>
      {count === 0 ? (
        <p className="px-3 pb-2 text-zinc-700">None found in the workspace.</p>
      ) : (
        <ul className="min-h-0 overflow-auto pb-1">
          {list.locations.map((location) => (
            <li
              key={`${location.path}:${location.line}:${location.column}`}
              className="flex gap-3 px-3 py-0.5"
            >
              <LocationLink path={location.path} line={location.line} col={location.column} />
              <code className="min-w-0 truncate text-zinc-700">{location.preview}</code>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
