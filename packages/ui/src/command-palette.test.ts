import { describe, expect, it } from 'vitest';
import { ariaShortcut, formatShortcut, rankCommands, type Command } from './command-palette.ts';

const noop = () => undefined;
const commands: Command[] = [
  { id: 'quick-open', group: 'File', title: 'Go to file', shortcut: 'Mod-p', run: noop },
  { id: 'find-files', group: 'Search', title: 'Find in files', shortcut: 'Mod-Shift-f', run: noop },
  { id: 'find-file', group: 'Search', title: 'Find in file', shortcut: 'Mod-f', run: noop },
  { id: 'run-checks', group: 'Checks', title: 'Run checks', run: noop },
  { id: 'new-file', group: 'File', title: 'New file', run: noop },
];

describe('rankCommands', () => {
  it('lists every command in order for an empty query', () => {
    expect(rankCommands('', commands).map((r) => r.command.id)).toEqual(commands.map((c) => c.id));
  });

  it('fuzzy-filters over group and title, best first', () => {
    const ids = rankCommands('fif', commands).map((r) => r.command.id);
    expect(ids[0]).toMatch(/^find-file/);
    expect(ids).not.toContain('run-checks');
    expect(rankCommands('run ch', commands)[0]?.command.id).toBe('run-checks');
    expect(rankCommands('checks', commands)[0]?.command.id).toBe('run-checks');
  });

  it('reports matched positions in the label for highlighting', () => {
    const [first] = rankCommands('new', commands);
    expect(first?.label).toBe('File: New file');
    expect(
      first?.positions
        .map((p) => first.label[p])
        .join('')
        .toLowerCase(),
    ).toBe('new');
  });

  it('finds nothing for characters no label has', () => {
    expect(rankCommands('zzz', commands)).toEqual([]);
  });
});

describe('shortcuts', () => {
  it('reads as Ctrl+… elsewhere and with symbols on Apple keyboards', () => {
    expect(formatShortcut('Mod-Shift-f', false)).toBe('Ctrl+Shift+F');
    expect(formatShortcut('Mod-Shift-f', true)).toBe('⇧⌘F');
    expect(formatShortcut('Mod-Alt-g', true)).toBe('⌥⌘G');
    expect(formatShortcut('F3', false)).toBe('F3');
    expect(formatShortcut('Shift-F12', false)).toBe('Shift+F12');
  });

  it('formats a sequence of keys pressed one after the other', () => {
    expect(formatShortcut('Mod-k Mod-i', false)).toBe('Ctrl+K Ctrl+I');
    expect(formatShortcut('Mod-k Mod-i', true)).toBe('⌘K ⌘I');
  });

  it('names keys for aria-keyshortcuts', () => {
    expect(ariaShortcut('Mod-Shift-p', false)).toBe('Control+Shift+P');
    expect(ariaShortcut('Mod-p', true)).toBe('Meta+P');
    // A space there separates alternatives, so a sequence is left out rather than misread.
    expect(ariaShortcut('Mod-k Mod-i', false)).toBeUndefined();
  });
});
