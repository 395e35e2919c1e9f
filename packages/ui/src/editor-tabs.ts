// The code mode's open files: one or two editor groups side by side, each with its tabs and the one it shows, and
// which group has focus. Pure, so the rules are tested without a browser; the page stores, renders and syncs the URL.
//
// Decisions: a group never stays empty beside another (closing the last tab of either side closes the split, as
// in VS Code); closing the shown tab shows its right neighbour, else its left one; opening a file focuses its tab
// in the focused group, or adds it right after the shown tab. Splitting shows the focused file in a second group
// (the same file twice is fine: each group has its own editor on the same Y.Text). Two groups at most.

import { baseName } from './file-tree-model.ts';

export interface EditorGroup {
  /** Open files, in tab order, each once. */
  tabs: string[];
  /** The tab shown, one of `tabs`; null only when `tabs` is empty. */
  active: string | null;
}

export interface EditorTabs {
  /** One group, or two side by side (left, right). Never empty. */
  groups: EditorGroup[];
  /** Index into `groups`: where opening a file and closing the active tab act. */
  focused: number;
}

export const MAX_GROUPS = 2;
/** More than this many tabs in a group closes the oldest beyond the shown one; a reload restores at most this. */
export const MAX_TABS = 30;

export const emptyTabs: EditorTabs = { groups: [{ tabs: [], active: null }], focused: 0 };

/** The file shown in the focused group: the one the URL names and the others see me in. */
export function activePath(state: EditorTabs): string | null {
  return state.groups[state.focused]?.active ?? null;
}

/** Every file open in some tab, once. */
export function openPaths(state: EditorTabs): string[] {
  return [...new Set(state.groups.flatMap((g) => g.tabs))];
}

function withGroup(state: EditorTabs, index: number, group: EditorGroup): EditorTabs {
  return { ...state, groups: state.groups.map((g, i) => (i === index ? group : g)) };
}

/** Opens `path` in group `group` (the focused one by default) and focuses that group. */
export function openTab(state: EditorTabs, path: string, group: number = state.focused): EditorTabs {
  const index = Math.min(Math.max(0, group), state.groups.length - 1);
  const current = state.groups[index] ?? { tabs: [], active: null };
  if (current.tabs.includes(path)) return activateTab(state, index, path);
  const at = current.active === null ? current.tabs.length : current.tabs.indexOf(current.active) + 1;
  let tabs = [...current.tabs.slice(0, at), path, ...current.tabs.slice(at)];
  if (tabs.length > MAX_TABS) {
    // The tabs furthest from the new one go first.
    const keep = new Set<string>([path]);
    for (let d = 1; keep.size < MAX_TABS; d++) {
      for (const near of [tabs[at - d], tabs[at + d]])
        if (near !== undefined && keep.size < MAX_TABS) keep.add(near);
    }
    tabs = tabs.filter((t) => keep.has(t));
  }
  return { ...withGroup(state, index, { tabs, active: path }), focused: index };
}

/** Shows an already open tab and focuses its group; anything else is left as it is. */
export function activateTab(state: EditorTabs, group: number, path: string): EditorTabs {
  const current = state.groups[group];
  if (!current?.tabs.includes(path)) return state;
  if (current.active === path && state.focused === group) return state;
  return { ...withGroup(state, group, { ...current, active: path }), focused: group };
}

export function focusGroup(state: EditorTabs, group: number): EditorTabs {
  if (group === state.focused || group < 0 || group >= state.groups.length) return state;
  return { ...state, focused: group };
}

/** Drops empty groups while another remains, keeping focus on the same group (or its neighbour). */
function collapse(state: EditorTabs): EditorTabs {
  if (state.groups.length === 1) return state;
  const kept = state.groups.filter((g) => g.tabs.length > 0);
  if (kept.length === state.groups.length) return state;
  if (kept.length === 0) return emptyTabs;
  const focusedGroup = state.groups[state.focused];
  const stillThere = focusedGroup ? kept.indexOf(focusedGroup) : -1;
  return { groups: kept, focused: stillThere >= 0 ? stillThere : Math.min(state.focused, kept.length - 1) };
}

/** Closes `path` in group `group`; its right neighbour (else its left) is shown if it was. */
export function closeTab(state: EditorTabs, group: number, path: string): EditorTabs {
  const current = state.groups[group];
  if (!current) return state;
  const at = current.tabs.indexOf(path);
  if (at < 0) return state;
  const tabs = current.tabs.filter((t) => t !== path);
  const active = current.active === path ? (tabs[at] ?? tabs[at - 1] ?? null) : current.active;
  return collapse(withGroup(state, group, { tabs, active }));
}

/** Closes the shown tab of the focused group (Ctrl/Cmd+W). */
export function closeActiveTab(state: EditorTabs): EditorTabs {
  const path = activePath(state);
  return path === null ? state : closeTab(state, state.focused, path);
}

/**
 * Shows the focused file in a second group beside the first and focuses it; with two groups already, the right
 * one gets the file and focus. Nothing happens when no file is shown.
 */
export function splitRight(state: EditorTabs): EditorTabs {
  const path = activePath(state);
  if (path === null) return state;
  if (state.groups.length >= MAX_GROUPS) return openTab(state, path, state.groups.length - 1);
  return { groups: [...state.groups, { tabs: [path], active: path }], focused: state.groups.length };
}

/** Follows moved files (`from` -> `to`, files or whole folders as listed); a tab that lands on an open one merges. */
export function renameTabs(state: EditorTabs, moves: ReadonlyMap<string, string>): EditorTabs {
  if (moves.size === 0) return state;
  const moved = (path: string) => moves.get(path) ?? path;
  const groups = state.groups.map((g) => ({
    tabs: [...new Set(g.tabs.map(moved))],
    active: g.active === null ? null : moved(g.active),
  }));
  const same = groups.every((g, i) => {
    const was = state.groups[i];
    return (
      g.active === was?.active &&
      g.tabs.length === was.tabs.length &&
      g.tabs.every((t, j) => t === was.tabs[j])
    );
  });
  return same ? state : { ...state, groups };
}

/** Closes every tab whose file no longer exists (deleted by anyone), as closing each by hand would. */
export function pruneTabs(state: EditorTabs, exists: (path: string) => boolean): EditorTabs {
  if (state.groups.every((g) => g.tabs.every(exists))) return state;
  const groups = state.groups.map((g) => {
    const tabs = g.tabs.filter(exists);
    if (g.active === null || exists(g.active)) return { tabs, active: g.active };
    // The nearest surviving tab to the right of the shown one, else to its left.
    const at = g.tabs.indexOf(g.active);
    const right = g.tabs.slice(at + 1).find(exists);
    const left = g.tabs.slice(0, at).reverse().find(exists);
    return { tabs, active: right ?? left ?? null };
  });
  return collapse({ ...state, groups });
}

/**
 * Which files moved between two listings of the workspace taken one change apart: a removed path and an added one
 * with the same file name, when that name is unique on both sides (a file moved into another folder, or a folder
 * renamed); or, when exactly one path went and one came, that pair (a file renamed). Anything else is a deletion.
 */
export function detectMoves(before: readonly string[], after: readonly string[]): Map<string, string> {
  const now = new Set(after);
  const was = new Set(before);
  const removed = before.filter((p) => !now.has(p));
  const added = after.filter((p) => !was.has(p));
  const moves = new Map<string, string>();
  if (removed.length === 0 || added.length === 0) return moves;
  const [onlyRemoved] = removed;
  const [onlyAdded] = added;
  if (removed.length === 1 && added.length === 1 && onlyRemoved !== undefined && onlyAdded !== undefined) {
    moves.set(onlyRemoved, onlyAdded);
    return moves;
  }
  const byName = (paths: string[]) => {
    const map = new Map<string, string[]>();
    for (const p of paths) map.set(baseName(p), [...(map.get(baseName(p)) ?? []), p]);
    return map;
  };
  const addedByName = byName(added);
  for (const [name, from] of byName(removed)) {
    const to = addedByName.get(name);
    const [source] = from;
    const [target] = to ?? [];
    if (from.length === 1 && to?.length === 1 && source !== undefined && target !== undefined) {
      moves.set(source, target);
    }
  }
  return moves;
}

export interface TabLabel {
  /** The file name. */
  name: string;
  /** The end of its folder, enough to tell it from other open files of the same name; '' when the name is unique. */
  hint: string;
}

/** Labels for tabs: the file name, and for files that share one, as much of their folder as tells them apart. */
export function tabLabels(paths: readonly string[]): Map<string, TabLabel> {
  const labels = new Map<string, TabLabel>();
  const groups = new Map<string, string[]>();
  for (const path of new Set(paths)) {
    const name = baseName(path);
    groups.set(name, [...(groups.get(name) ?? []), path]);
  }
  for (const [name, same] of groups) {
    if (same.length === 1) {
      for (const path of same) labels.set(path, { name, hint: '' });
      continue;
    }
    const dirs = same.map((p) => {
      const cut = p.lastIndexOf('/');
      return cut < 0 ? [] : p.slice(0, cut).split('/');
    });
    const tail = (dir: string[], n: number) => dir.slice(Math.max(0, dir.length - n)).join('/');
    same.forEach((path, i) => {
      const dir = dirs[i] ?? [];
      let n = 1;
      // Grow the folder suffix until no other file of this name has the same one (or the folder runs out).
      while (n < dir.length && dirs.some((other, j) => j !== i && tail(other, n) === tail(dir, n))) n++;
      labels.set(path, { name, hint: dir.length === 0 ? '/' : tail(dir, n) });
    });
  }
  return labels;
}

/** The tab index an arrow key (or Home/End) moves to in a tab list of `count`, wrapping; null for other keys. */
export function tabKeyTarget(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  if (key === 'ArrowRight') return (index + 1) % count;
  if (key === 'ArrowLeft') return (index - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

/** Tabs stored for a workspace (JSON); anything malformed is dropped, and an empty result is `emptyTabs`. */
export function parseTabs(raw: string | null): EditorTabs {
  let data: unknown;
  try {
    data = raw === null ? null : JSON.parse(raw);
  } catch {
    return emptyTabs;
  }
  if (typeof data !== 'object' || data === null) return emptyTabs;
  const { groups, focused } = data as Record<string, unknown>;
  if (!Array.isArray(groups)) return emptyTabs;
  const read: EditorGroup[] = [];
  for (const entry of groups.slice(0, MAX_GROUPS)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { tabs, active } = entry as Record<string, unknown>;
    if (!Array.isArray(tabs)) continue;
    const list = [...new Set(tabs.filter((t): t is string => typeof t === 'string' && t !== ''))].slice(
      0,
      MAX_TABS,
    );
    if (list.length === 0) continue;
    read.push({
      tabs: list,
      active: typeof active === 'string' && list.includes(active) ? active : (list[0] ?? null),
    });
  }
  if (read.length === 0) return emptyTabs;
  const at = typeof focused === 'number' && Number.isInteger(focused) ? focused : 0;
  return { groups: read, focused: Math.min(Math.max(0, at), read.length - 1) };
}

export function serializeTabs(state: EditorTabs): string {
  return JSON.stringify({ groups: state.groups, focused: state.focused });
}

/** The moves a rename of `from` to `to` (a file, or a folder and everything in it) makes of `paths`. */
export function renameMoves(paths: readonly string[], from: string, to: string): Map<string, string> {
  const moves = new Map<string, string>();
  for (const path of paths) {
    if (path === from) moves.set(path, to);
    else if (path.startsWith(`${from}/`)) moves.set(path, to + path.slice(from.length));
  }
  return moves;
}
