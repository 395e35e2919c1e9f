// The command palette's model: every action the app offers, with the shortcut that also runs it, filtered by
// the same fuzzy matcher as quick open (over "Group: Title"), so typing "fif" finds "Search: Find in files".

import { fuzzyMatch } from './fuzzy.ts';

export interface Command {
  id: string;
  /** What it does, as a verb phrase: "Find in files". */
  title: string;
  /** Where it belongs ("File", "Search", "Code", "View", "AI", "Checks", "People"): shown before the title. */
  group: string;
  /** In CodeMirror's notation, "Mod-Shift-f" (Mod is Cmd on Apple, Ctrl elsewhere); shown, not bound here. */
  shortcut?: string;
  run: () => void;
}

export interface RankedCommand {
  command: Command;
  /** Indices of matched characters in `label`. */
  positions: number[];
  /** "Group: Title", the text that was matched. */
  label: string;
}

export const commandLabel = (c: Pick<Command, 'group' | 'title'>) => `${c.group}: ${c.title}`;

/** The commands for `query`, best first; all of them, in the given order, for an empty query. */
export function rankCommands(query: string, commands: readonly Command[]): RankedCommand[] {
  const ranked: (RankedCommand & { score: number; order: number })[] = [];
  commands.forEach((command, order) => {
    const label = commandLabel(command);
    const match = fuzzyMatch(query, label);
    if (!match) return;
    // A match in the title beats one spread over the group name.
    const inTitle = match.positions.filter((p) => p > command.group.length + 1).length;
    ranked.push({ command, label, positions: match.positions, score: match.score + inTitle * 0.5, order });
  });
  if (query.trim() !== '') ranked.sort((a, b) => b.score - a.score || a.order - b.order);
  return ranked.map(({ command, label, positions }) => ({ command, label, positions }));
}

/** Whether shortcuts should read as on an Apple keyboard. */
export function isApplePlatform(
  userAgent: string = typeof navigator === 'undefined' ? '' : navigator.userAgent,
): boolean {
  return /Mac|iPhone|iPad|iPod/.test(userAgent);
}

const appleKeys: Record<string, string> = { Mod: '⌘', Shift: '⇧', Alt: '⌥', Ctrl: '⌃' };

/** "Mod-Shift-f" → "Ctrl+Shift+F", or "⇧⌘F" on Apple keyboards (in the order Apple prints them); a sequence
 * ("Mod-k Mod-i", keys pressed one after the other) → "Ctrl+K Ctrl+I". */
export function formatShortcut(shortcut: string, apple = isApplePlatform()): string {
  return shortcut
    .split(' ')
    .map((stroke) => formatStroke(stroke, apple))
    .join(' ');
}

function formatStroke(stroke: string, apple: boolean): string {
  const parts = stroke.split('-');
  const key = parts.pop() ?? '';
  const shown = key.length === 1 ? key.toUpperCase() : key;
  if (apple) {
    const order = ['Ctrl', 'Alt', 'Shift', 'Mod'];
    const mods = [...parts].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    return mods.map((m) => appleKeys[m] ?? m).join('') + shown;
  }
  return [...parts.map((m) => (m === 'Mod' ? 'Ctrl' : m)), shown].join('+');
}

/**
 * The spoken form for `aria-keyshortcuts`: "Control+Shift+F" (or "Meta+…" on Apple keyboards). Undefined for a
 * sequence: in that attribute a space separates alternative shortcuts, so a sequence cannot be written there (the
 * shortcut's text, shown beside the command, still says it).
 */
export function ariaShortcut(shortcut: string, apple = isApplePlatform()): string | undefined {
  if (shortcut.includes(' ')) return undefined;
  const parts = shortcut.split('-');
  const key = parts.pop() ?? '';
  const names: Record<string, string> = {
    Mod: apple ? 'Meta' : 'Control',
    Ctrl: 'Control',
    Shift: 'Shift',
    Alt: 'Alt',
  };
  return [...parts.map((m) => names[m] ?? m), key.length === 1 ? key.toUpperCase() : key].join('+');
}
