import { describe, expect, it } from 'vitest';
import {
  activateTab,
  activePath,
  closeActiveTab,
  closeTab,
  detectMoves,
  emptyTabs,
  focusGroup,
  MAX_TABS,
  openPaths,
  openTab,
  parseTabs,
  pruneTabs,
  renameMoves,
  renameTabs,
  serializeTabs,
  splitRight,
  tabKeyTarget,
  tabLabels,
  type EditorTabs,
} from './editor-tabs.ts';

const opened = (...paths: string[]) => paths.reduce((s, p) => openTab(s, p), emptyTabs);
const one = (tabs: string[], active: string | null): EditorTabs => ({
  groups: [{ tabs, active }],
  focused: 0,
});

describe('openTab', () => {
  it('adds a file after the shown tab and shows it; an open file is only shown again', () => {
    const s = opened('a.ts', 'b.ts', 'c.ts');
    expect(s).toEqual(one(['a.ts', 'b.ts', 'c.ts'], 'c.ts'));
    const back = openTab(s, 'a.ts');
    expect(back).toEqual(one(['a.ts', 'b.ts', 'c.ts'], 'a.ts'));
    // A new file lands beside the one being looked at, not at the far end.
    expect(openTab(back, 'd.ts')).toEqual(one(['a.ts', 'd.ts', 'b.ts', 'c.ts'], 'd.ts'));
    expect(activePath(back)).toBe('a.ts');
    expect(activePath(emptyTabs)).toBeNull();
    // Opening what is already shown changes nothing, so repeated opens (following someone) do not re-render.
    expect(openTab(back, 'a.ts')).toBe(back);
  });

  it('keeps at most MAX_TABS, closing the ones furthest from the new tab', () => {
    let s = emptyTabs;
    for (let i = 0; i < MAX_TABS; i++) s = openTab(s, `f${String(i)}.ts`);
    s = openTab(s, 'new.ts');
    const [group] = s.groups;
    expect(group?.tabs).toHaveLength(MAX_TABS);
    expect(group?.tabs).not.toContain('f0.ts');
    expect(group?.tabs.at(-1)).toBe('new.ts');
  });
});

describe('closeTab', () => {
  it('shows the right neighbour of a closed shown tab, else the left one, and leaves others alone', () => {
    const s = activateTab(opened('a.ts', 'b.ts', 'c.ts'), 0, 'b.ts');
    expect(closeTab(s, 0, 'b.ts')).toEqual(one(['a.ts', 'c.ts'], 'c.ts'));
    expect(closeTab(opened('a.ts', 'b.ts', 'c.ts'), 0, 'c.ts')).toEqual(one(['a.ts', 'b.ts'], 'b.ts'));
    expect(closeTab(s, 0, 'a.ts')).toEqual(one(['b.ts', 'c.ts'], 'b.ts'));
    expect(closeActiveTab(closeActiveTab(opened('a.ts')))).toEqual(one([], null));
    expect(closeTab(s, 0, 'zzz.ts')).toBe(s);
    expect(closeTab(s, 5, 'a.ts')).toBe(s);
  });

  it('closes the split when either group loses its last tab, keeping focus on what remains', () => {
    const split = splitRight(opened('a.ts', 'b.ts'));
    expect(split).toEqual({
      groups: [
        { tabs: ['a.ts', 'b.ts'], active: 'b.ts' },
        { tabs: ['b.ts'], active: 'b.ts' },
      ],
      focused: 1,
    });
    expect(closeActiveTab(split)).toEqual({
      groups: [{ tabs: ['a.ts', 'b.ts'], active: 'b.ts' }],
      focused: 0,
    });
    const leftOnly = splitRight(opened('a.ts'));
    const closedLeft = closeTab(focusGroup(leftOnly, 0), 0, 'a.ts');
    expect(closedLeft).toEqual({ groups: [{ tabs: ['a.ts'], active: 'a.ts' }], focused: 0 });
  });
});

describe('splitRight and focus', () => {
  it('opens files in the focused group, and a second split reuses the right group', () => {
    let s = splitRight(opened('a.ts'));
    s = openTab(s, 'c.ts');
    expect(s.groups[1]).toEqual({ tabs: ['a.ts', 'c.ts'], active: 'c.ts' });
    expect(s.groups[0]).toEqual({ tabs: ['a.ts'], active: 'a.ts' });
    s = focusGroup(s, 0);
    expect(activePath(s)).toBe('a.ts');
    expect(focusGroup(s, 4)).toBe(s);
    s = splitRight(s);
    expect(s.groups).toHaveLength(2);
    expect(s.focused).toBe(1);
    expect(s.groups[1]?.active).toBe('a.ts');
    expect(openPaths(s)).toEqual(['a.ts', 'c.ts']);
    // Nothing to split without a shown file.
    expect(splitRight(emptyTabs)).toBe(emptyTabs);
    // Opening in a named group focuses it.
    expect(openTab(s, 'd.ts', 0).focused).toBe(0);
    expect(activateTab(s, 0, 'nope.ts')).toBe(s);
  });
});

describe('renameTabs and pruneTabs', () => {
  it('follows moved files, merging a tab that lands on an open one', () => {
    const s = splitRight(opened('src/a.ts', 'src/b.ts'));
    const moved = renameTabs(s, new Map([['src/b.ts', 'lib/b.ts']]));
    expect(moved.groups).toEqual([
      { tabs: ['src/a.ts', 'lib/b.ts'], active: 'lib/b.ts' },
      { tabs: ['lib/b.ts'], active: 'lib/b.ts' },
    ]);
    expect(renameTabs(s, new Map([['x', 'y']]))).toBe(s);
    expect(renameTabs(opened('a', 'b'), new Map([['b', 'a']]))).toEqual(one(['a'], 'a'));
    // A renamed folder moves every file under it, and nothing that only starts with its name.
    expect(renameMoves(['src/a.ts', 'src/x/b.ts', 'srcs/c.ts', 'src'], 'src', 'lib')).toEqual(
      new Map([
        ['src/a.ts', 'lib/a.ts'],
        ['src/x/b.ts', 'lib/x/b.ts'],
        ['src', 'lib'],
      ]),
    );
  });

  it('closes tabs of deleted files as closing them by hand would, and the split with them', () => {
    const s = splitRight(activateTab(opened('a.ts', 'b.ts', 'c.ts'), 0, 'b.ts'));
    const gone = new Set(['b.ts']);
    const pruned = pruneTabs(s, (p) => !gone.has(p));
    expect(pruned).toEqual({ groups: [{ tabs: ['a.ts', 'c.ts'], active: 'c.ts' }], focused: 0 });
    const kept = pruneTabs(s, () => true);
    expect(kept).toBe(s);
    expect(pruneTabs(opened('a.ts', 'b.ts'), (p) => p === 'a.ts')).toEqual(one(['a.ts'], 'a.ts'));
    expect(pruneTabs(opened('a.ts'), () => false)).toEqual(one([], null));
  });
});

describe('detectMoves', () => {
  it('pairs a lone rename, files moved between folders and a renamed folder; not unrelated changes', () => {
    expect(detectMoves(['a.ts', 'b.ts'], ['a.ts', 'c.ts'])).toEqual(new Map([['b.ts', 'c.ts']]));
    expect(detectMoves(['src/x.ts', 'src/y.ts', 'z.ts'], ['lib/x.ts', 'lib/y.ts', 'z.ts'])).toEqual(
      new Map([
        ['src/x.ts', 'lib/x.ts'],
        ['src/y.ts', 'lib/y.ts'],
      ]),
    );
    // Two removed files of the same name cannot be told apart: treated as deleted.
    expect(detectMoves(['a/i.ts', 'b/i.ts'], ['c/i.ts', 'd/i.ts']).size).toBe(0);
    expect(detectMoves(['a.ts', 'b.ts'], ['a.ts']).size).toBe(0);
    expect(detectMoves([], ['a.ts']).size).toBe(0);
  });
});

describe('tabLabels', () => {
  it('names tabs by file name, with as much folder as tells same-named files apart', () => {
    const labels = tabLabels(['src/a/index.ts', 'src/b/index.ts', 'lib/a/index.ts', 'index.ts', 'main.ts']);
    expect(labels.get('main.ts')).toEqual({ name: 'main.ts', hint: '' });
    expect(labels.get('src/b/index.ts')).toEqual({ name: 'index.ts', hint: 'b' });
    expect(labels.get('src/a/index.ts')).toEqual({ name: 'index.ts', hint: 'src/a' });
    expect(labels.get('lib/a/index.ts')).toEqual({ name: 'index.ts', hint: 'lib/a' });
    expect(labels.get('index.ts')).toEqual({ name: 'index.ts', hint: '/' });
  });
});

describe('tabKeyTarget', () => {
  it('moves with the arrows (wrapping), Home and End, and ignores other keys', () => {
    expect(tabKeyTarget('ArrowRight', 2, 3)).toBe(0);
    expect(tabKeyTarget('ArrowLeft', 0, 3)).toBe(2);
    expect(tabKeyTarget('ArrowRight', 0, 3)).toBe(1);
    expect(tabKeyTarget('Home', 2, 3)).toBe(0);
    expect(tabKeyTarget('End', 0, 3)).toBe(2);
    expect(tabKeyTarget('Enter', 0, 3)).toBeNull();
    expect(tabKeyTarget('ArrowRight', 0, 0)).toBeNull();
  });
});

describe('parseTabs', () => {
  it('restores what was stored and drops anything malformed', () => {
    const s = splitRight(opened('a.ts', 'b.ts'));
    expect(parseTabs(serializeTabs(s))).toEqual(s);
    expect(parseTabs(null)).toEqual(emptyTabs);
    expect(parseTabs('nope')).toEqual(emptyTabs);
    expect(parseTabs('[]')).toEqual(emptyTabs);
    expect(parseTabs('{"groups":[{"tabs":[]}]}')).toEqual(emptyTabs);
    // Non-strings and duplicates go, a bad active falls back to the first tab, focus is clamped.
    expect(
      parseTabs('{"groups":[{"tabs":["a",1,"a","b"],"active":"zz"},{"tabs":"x"},null],"focused":7}'),
    ).toEqual(one(['a', 'b'], 'a'));
    expect(
      parseTabs('{"groups":[{"tabs":["a"]},{"tabs":["b"],"active":"b"},{"tabs":["c"]}]}').groups,
    ).toHaveLength(2);
  });
});
