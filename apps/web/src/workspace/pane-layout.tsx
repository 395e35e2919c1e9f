// The code mode's resizable, collapsible side panes (the rules are @tandem/ui/pane-layout): the person's choice, kept
// in this browser, fitted to the width the row has now; and the separators that resize them by pointer and keyboard.
import {
  computeLayout,
  dragTo,
  keyResize,
  parseLayout,
  type LayoutPrefs,
  type PaneView,
  type SidePane,
} from '@tandem/ui/pane-layout';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { cx } from '../components/ui.tsx';

const STORAGE_KEY = 'tandem.layout';
/** The width of a separator, in pixels (its grab area; the line it draws is 1 px). */
export const GUTTER = 6;

function readPrefs(): LayoutPrefs {
  try {
    return parseLayout(localStorage.getItem(STORAGE_KEY));
  } catch {
    // Storage can be off (private modes, policies): the layout then lasts as long as the page.
    return parseLayout(null);
  }
}

/** The layout for the row `row` (a callback ref for it is returned), with the actions that change it. */
export function usePaneLayout() {
  const [prefs, setPrefs] = useState(readPrefs);
  const [overlay, setOverlay] = useState<SidePane | null>(null);
  // What had focus when a pane started floating (its toggle, the editor for a shortcut), to go back to on Escape.
  const opener = useRef<HTMLElement | null>(null);
  const float = useCallback((pane: SidePane | null) => {
    if (pane !== null && document.activeElement instanceof HTMLElement)
      opener.current = document.activeElement;
    setOverlay(pane);
  }, []);
  const [row, setRow] = useState<HTMLElement | null>(null);
  // The row spans the window, so the first render already picks the right mode (no docked flash on a phone).
  const [width, setWidth] = useState(() => window.innerWidth);
  useLayoutEffect(() => {
    if (!row) return;
    setWidth(row.clientWidth);
    const observer = new ResizeObserver(() => setWidth(row.clientWidth));
    observer.observe(row);
    return () => observer.disconnect();
  }, [row]);
  useEffect(() => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(prefs));
    } catch {
      // Not stored; see readPrefs.
    }
  }, [prefs]);
  const layout = computeLayout(width, prefs, overlay, GUTTER);
  // A floating pane belongs to the narrow window it was opened in.
  useEffect(() => setOverlay(null), [layout.mode]);

  // Escape closes a floating pane, as it would a dialog, unless something inside took the key (a menu, a field's
  // own Escape) or a dialog over it is open.
  useEffect(() => {
    if (overlay === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (e.target instanceof Element && e.target.closest('[role="dialog"]')) return;
      e.preventDefault();
      setOverlay(null);
      const back = opener.current;
      opener.current = null;
      if (back?.isConnected) back.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [overlay]);

  const mode = layout.mode;
  const toggle = useCallback(
    (pane: SidePane) => {
      if (mode === 'overlay') float(overlay === pane ? null : pane);
      else setPrefs((p) => ({ ...p, [pane]: { ...p[pane], collapsed: !p[pane].collapsed } }));
    },
    [mode, overlay, float],
  );
  const show = useCallback(
    (pane: SidePane) => {
      if (mode === 'overlay') float(pane);
      else setPrefs((p) => (p[pane].collapsed ? { ...p, [pane]: { ...p[pane], collapsed: false } } : p));
    },
    [mode, float],
  );
  /** Closes a floating pane (after its job is done, like opening a file); docked panes stay. */
  const dismiss = useCallback((pane: SidePane) => setOverlay((o) => (o === pane ? null : o)), []);
  return { layout, prefs, setPrefs, setRow, toggle, show, dismiss };
}

/**
 * A focusable vertical separator (the ARIA window splitter): drag it, or use the arrows (Shift for bigger steps),
 * Home and End, and Enter to collapse or restore the pane. Its value is the pane's width in pixels, 0 when collapsed.
 */
export function PaneSeparator({
  pane,
  label,
  controls,
  view,
  prefs,
  onPrefs,
}: {
  pane: SidePane;
  label: string;
  controls: string;
  view: PaneView;
  prefs: LayoutPrefs;
  onPrefs: (prefs: LayoutPrefs) => void;
}) {
  const drag = useRef<{ x: number; width: number; prefs: LayoutPrefs } | null>(null);
  // The file tree's edge is on its right, the AI panel's on its left: moving right widens one, narrows the other.
  const sign = pane === 'files' ? 1 : -1;
  const value = view.open ? view.width : 0;
  return (
    <div
      role="separator"
      tabIndex={0}
      aria-orientation="vertical"
      aria-label={label}
      aria-controls={controls}
      aria-valuenow={value}
      aria-valuemin={0}
      aria-valuemax={view.max}
      aria-valuetext={view.open ? `${view.width} pixels` : 'collapsed'}
      data-pane={pane}
      onKeyDown={(e) => {
        const next = keyResize(prefs, pane, e.key, e.shiftKey, view);
        if (!next || e.ctrlKey || e.metaKey || e.altKey) return;
        e.preventDefault();
        onPrefs(next);
      }}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.currentTarget.focus();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { x: e.clientX, width: value, prefs };
      }}
      onPointerMove={(e) => {
        const start = drag.current;
        if (!start) return;
        onPrefs(dragTo(start.prefs, pane, start.width + (e.clientX - start.x) * sign, view.max));
      }}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
      style={{ width: GUTTER }}
      className={cx(
        'relative shrink-0 cursor-col-resize touch-none bg-zinc-50 outline-none',
        // The visible line, thicker while hovered, dragged or focused.
        'before:absolute before:inset-y-0 before:left-1/2 before:w-px before:-translate-x-1/2 before:bg-zinc-200',
        'hover:before:w-1 hover:before:bg-indigo-400 focus-visible:before:w-1 focus-visible:before:bg-indigo-600',
      )}
    />
  );
}
