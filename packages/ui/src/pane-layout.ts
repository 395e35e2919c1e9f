// The code mode's three panes: how wide the file tree and the AI panel are, when they are shown, and what a given
// width leaves of them. Pure, so the rules are tested without a browser; the page measures, stores and renders.
//
// Decisions: sizes are pixels (a file tree is as wide as its names, not a share of the window); what the person
// chose is stored as they chose it, and only the view of it is fitted to the window, so narrowing the window and
// widening it again gives their layout back. Below OVERLAY_BELOW the side panes stop sitting beside the editor:
// they start closed and open over it, so the editor and the review keep the whole width.

export type SidePane = 'files' | 'ai';

export interface PaneLimits {
  min: number;
  max: number;
  initial: number;
}

export const paneLimits: Record<SidePane, PaneLimits> = {
  files: { min: 160, max: 480, initial: 240 },
  ai: { min: 280, max: 640, initial: 384 },
};

/** The editor (or the review) never gets less than this while side panes are docked beside it. */
export const MAIN_MIN = 480;
/** Narrower than this, side panes float over the editor one at a time, and start closed. */
export const OVERLAY_BELOW = 960;
/** What is left of the editor beside an open overlay, so it is clear the pane floats over something. */
export const OVERLAY_MARGIN = 48;
/** One arrow key press on a separator; Shift moves four times as far. */
export const KEY_STEP = 16;

export interface PanePrefs {
  size: number;
  collapsed: boolean;
}
export type LayoutPrefs = Record<SidePane, PanePrefs>;

export const defaultLayout: LayoutPrefs = {
  files: { size: paneLimits.files.initial, collapsed: false },
  ai: { size: paneLimits.ai.initial, collapsed: false },
};

/** `size` rounded to a whole pixel within the pane's limits (and under `max` when the window allows less). */
export function clampSize(pane: SidePane, size: number, max: number = paneLimits[pane].max): number {
  const { min } = paneLimits[pane];
  const upper = Math.max(min, Math.min(paneLimits[pane].max, max));
  if (!Number.isFinite(size)) return paneLimits[pane].initial;
  return Math.round(Math.min(upper, Math.max(min, size)));
}

/** Stored preferences from `raw` (JSON); anything missing or malformed falls back to the default. */
export function parseLayout(raw: string | null): LayoutPrefs {
  let data: unknown;
  try {
    data = raw === null ? null : JSON.parse(raw);
  } catch {
    data = null;
  }
  const read = (pane: SidePane): PanePrefs => {
    const entry = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[pane] : null;
    if (typeof entry !== 'object' || entry === null) return { ...defaultLayout[pane] };
    const { size, collapsed } = entry as Record<string, unknown>;
    return {
      size: typeof size === 'number' ? clampSize(pane, size) : paneLimits[pane].initial,
      collapsed: collapsed === true,
    };
  };
  return { files: read('files'), ai: read('ai') };
}

export interface PaneView {
  /** Shown (docked beside the editor, or floating over it). */
  open: boolean;
  /** Its width in pixels when open. */
  width: number;
  /** The widest its separator can make it now without squeezing the editor under MAIN_MIN. */
  max: number;
}

export interface Layout {
  mode: 'docked' | 'overlay';
  files: PaneView;
  ai: PaneView;
  /** The editor's (or the review's) width. */
  main: number;
}

/**
 * What a row `width` pixels wide shows for `prefs`. `gutter` is the width of one separator (a docked row has two, one
 * beside each side pane, open or not). Docked: each pane at its chosen size, unless the editor would get less than MAIN_MIN; then the AI
 * panel gives way down to its minimum, then the file tree, then the AI panel closes, then the tree. Overlay: the
 * editor keeps the whole width, and `overlay` names the one pane floating over it.
 */
export function computeLayout(
  width: number,
  prefs: LayoutPrefs,
  overlay: SidePane | null,
  gutter = 0,
): Layout {
  if (width < OVERLAY_BELOW) {
    const view = (pane: SidePane): PaneView => {
      const max = Math.max(0, width - OVERLAY_MARGIN);
      return { open: overlay === pane, width: Math.min(prefs[pane].size, max), max };
    };
    return { mode: 'overlay', files: view('files'), ai: view('ai'), main: width };
  }
  // Both separators stay in a docked row (a collapsed pane is dragged or Entered back from its separator).
  const room = width - 2 * gutter - MAIN_MIN;
  const open = { files: !prefs.files.collapsed, ai: !prefs.ai.collapsed };
  const need = (pane: SidePane) => (open[pane] ? paneLimits[pane].min : 0);
  // Which panes fit at all (at their minimums), then how wide each can be from its chosen size.
  for (const pane of ['ai', 'files'] as const) if (need('files') + need('ai') > room) open[pane] = false;
  const size = { files: open.files ? prefs.files.size : 0, ai: open.ai ? prefs.ai.size : 0 };
  for (const pane of ['ai', 'files'] as const) {
    const over = size.files + size.ai - room;
    if (over > 0 && size[pane] > 0) size[pane] -= Math.min(over, size[pane] - paneLimits[pane].min);
  }
  const view = (pane: SidePane, other: SidePane): PaneView => ({
    open: open[pane],
    width: open[pane] ? size[pane] : prefs[pane].size,
    max: clampSize(pane, room - size[other]),
  });
  const main = width - 2 * gutter - size.files - size.ai;
  return { mode: 'docked', files: view('files', 'ai'), ai: view('ai', 'files'), main };
}

/**
 * The preferences after a separator was dragged to make `pane` `size` pixels wide (at most `max`, from the layout).
 * Dragging it under half its minimum collapses it, as in most editors; its last size is kept for when it comes back.
 */
export function dragTo(prefs: LayoutPrefs, pane: SidePane, size: number, max: number): LayoutPrefs {
  if (size < paneLimits[pane].min / 2) return { ...prefs, [pane]: { ...prefs[pane], collapsed: true } };
  return { ...prefs, [pane]: { size: clampSize(pane, size, max), collapsed: false } };
}

/**
 * The preferences after a key on `pane`'s separator, or null for a key it does not handle. Arrows move the edge the
 * way they point (so ArrowRight widens the file tree on the left and narrows the AI panel on the right), Home and
 * End go to the minimum and the maximum, Enter collapses or restores (the ARIA window splitter pattern).
 */
export function keyResize(
  prefs: LayoutPrefs,
  pane: SidePane,
  key: string,
  shift: boolean,
  view: PaneView,
): LayoutPrefs | null {
  const step = shift ? KEY_STEP * 4 : KEY_STEP;
  const toward = pane === 'files' ? 1 : -1;
  const current = view.open ? view.width : prefs[pane].size;
  const set = (size: number) => ({
    ...prefs,
    [pane]: { size: clampSize(pane, size, view.max), collapsed: false },
  });
  switch (key) {
    case 'ArrowRight':
      return set(current + step * toward);
    case 'ArrowLeft':
      return set(current - step * toward);
    case 'Home':
      return set(paneLimits[pane].min);
    case 'End':
      return set(view.max);
    case 'Enter':
      return { ...prefs, [pane]: { ...prefs[pane], collapsed: view.open } };
    default:
      return null;
  }
}
