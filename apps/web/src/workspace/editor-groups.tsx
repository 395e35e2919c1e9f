// The editor area: one or two groups side by side, each a tab strip over the file it shows (the rules are
// @tandem/ui/editor-tabs). Tabs are kept per workspace in this browser, follow files that anyone moves, close when
// anyone deletes their file, and show who else is in a file and whether others changed it while it was hidden.
import { getStoredFile } from '@tandem/core';
import { ariaShortcut, formatShortcut } from '@tandem/ui/command-palette';
import type { EditorJump } from '@tandem/ui/collaborative-editor';
import {
  activateTab,
  closeTab,
  detectMoves,
  focusGroup,
  openPaths,
  openTab,
  parseTabs,
  pruneTabs,
  renameTabs,
  serializeTabs,
  splitRight,
  tabKeyTarget,
  tabLabels,
  type EditorTabs,
} from '@tandem/ui/editor-tabs';
import { useEffect, useRef, useState, type Dispatch, type KeyboardEvent, type SetStateAction } from 'react';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { cx } from '../components/ui.tsx';
import { EditorPane } from './editor-pane.tsx';
import { useStoredFile } from './use-files.ts';
import type { PresenceMember } from './use-presence.ts';

type SetTabs = Dispatch<SetStateAction<EditorTabs>>;

const storageKey = (workspaceId: string) => `tandem.tabs.${workspaceId}`;

/** This workspace's tabs as this browser left them, with `initialFile` (the URL's) opened in the focused group. */
export function useEditorTabs(workspaceId: string, initialFile: string | null): [EditorTabs, SetTabs] {
  const [tabs, setTabs] = useState<EditorTabs>(() => {
    let stored: EditorTabs;
    try {
      stored = parseTabs(localStorage.getItem(storageKey(workspaceId)));
    } catch {
      // Storage can be off (private modes, policies): tabs then last as long as the page.
      stored = parseTabs(null);
    }
    return initialFile ? openTab(stored, initialFile) : stored;
  });
  useEffect(() => {
    try {
      localStorage.setItem(storageKey(workspaceId), serializeTabs(tabs));
    } catch {
      // Not stored; see above.
    }
  }, [workspaceId, tabs]);
  return [tabs, setTabs];
}

/**
 * Keeps tabs on files that exist: a file moved by anyone (one change removing it and adding it elsewhere) moves
 * its tabs; one deleted closes them. Existence is read from the document itself once it has synced, so a listing
 * that has not caught up yet never closes what a reload restored.
 */
export function useTabsFollowFiles(doc: Y.Doc | null, paths: string[], synced: boolean, setTabs: SetTabs) {
  const previous = useRef<string[] | null>(null);
  useEffect(() => {
    if (!doc || !synced) return;
    const before = previous.current;
    previous.current = paths;
    setTabs((state) => {
      const moved = before ? renameTabs(state, detectMoves(before, paths)) : state;
      return pruneTabs(moved, (path) => getStoredFile(doc, path) !== undefined);
    });
  }, [doc, paths, synced, setTabs]);
}

/**
 * Open files that others (people or tasks) changed while no group showed them; showing one clears its mark.
 * "Changed" means a remote edit arrived, not that the text differs: the file is live, there is nothing unsaved.
 */
function useChangedByOthers(doc: Y.Doc | null, tabs: EditorTabs): Set<string> {
  const [changed, setChanged] = useState<Set<string>>(() => new Set());
  const shown = tabs.groups.flatMap((g) => (g.active ? [g.active] : []));
  const hiddenKey = openPaths(tabs)
    .filter((p) => !shown.includes(p))
    .join('\n');
  const shownKey = shown.join('\n');
  useEffect(() => {
    setChanged((prev) => {
      const visible = shownKey.split('\n');
      if (![...prev].some((p) => visible.includes(p))) return prev;
      return new Set([...prev].filter((p) => !visible.includes(p)));
    });
  }, [shownKey]);
  useEffect(() => {
    if (!doc || hiddenKey === '') return;
    const stops = hiddenKey.split('\n').flatMap((path) => {
      const file = getStoredFile(doc, path);
      if (!file || file.binary) return [];
      const text = file.text;
      const onChange = (_event: Y.YTextEvent, transaction: Y.Transaction) => {
        if (transaction.local) return;
        setChanged((prev) => (prev.has(path) ? prev : new Set([...prev, path])));
      };
      text.observe(onChange);
      return [() => text.unobserve(onChange)];
    });
    return () => {
      for (const stop of stops) stop();
    };
  }, [doc, hiddenKey]);
  return changed;
}

export function EditorGroups({
  tabs,
  setTabs,
  doc,
  awareness,
  readOnly,
  synced,
  presence,
  scrollTo,
  jumpTo,
  onUserActivity,
}: {
  tabs: EditorTabs;
  setTabs: SetTabs;
  doc: Y.Doc | null;
  awareness: Awareness | null;
  readOnly: boolean;
  synced: boolean;
  presence: PresenceMember[];
  /** For the focused group only: following a member, and quick open's `:line`. */
  scrollTo: number | null;
  jumpTo: EditorJump | null;
  onUserActivity: () => void;
}) {
  const changed = useChangedByOthers(doc, tabs);
  const labels = tabLabels(openPaths(tabs));
  const split = tabs.groups.length > 1;
  return (
    <div className="flex h-full min-h-0">
      {tabs.groups.map((group, index) => {
        const focused = index === tabs.focused;
        const name = split ? (index === 0 ? 'left' : 'right') : null;
        return (
          <div
            // Groups are positional: the right one becomes the only one when the left closes.
            key={index}
            role="group"
            aria-label={name ? `Editor group (${name})` : 'Editor'}
            data-editor-group={index}
            data-focused={(split && focused) || undefined}
            onFocusCapture={() => setTabs((s) => focusGroup(s, index))}
            onPointerDownCapture={() => setTabs((s) => focusGroup(s, index))}
            className={cx(
              'flex min-h-0 min-w-0 flex-1 flex-col',
              index > 0 && 'border-l border-zinc-300',
              split && !focused && 'opacity-90',
            )}
          >
            {group.tabs.length > 0 ? (
              <TabStrip
                groupIndex={index}
                groupName={name}
                focused={split && focused}
                tabs={group.tabs}
                active={group.active}
                labels={labels}
                changed={changed}
                presence={presence}
                canSplit={!split && group.active !== null}
                setTabs={setTabs}
              />
            ) : null}
            <div
              role={group.active ? 'tabpanel' : undefined}
              id={`editor-panel-${String(index)}`}
              aria-labelledby={group.active ? tabId(index, group.tabs.indexOf(group.active)) : undefined}
              className="min-h-0 flex-1"
            >
              <GroupEditor
                path={group.active}
                doc={doc}
                awareness={awareness}
                readOnly={readOnly}
                synced={synced}
                presence={presence}
                scrollTo={focused ? scrollTo : null}
                jumpTo={focused ? jumpTo : null}
                onUserActivity={onUserActivity}
              />
            </div>
          </div>
        );
      })}
    </div>
  );
}

const tabId = (group: number, index: number) => `editor-tab-${String(group)}-${String(index)}`;

function GroupEditor({
  path,
  doc,
  presence,
  ...rest
}: {
  path: string | null;
  doc: Y.Doc | null;
  awareness: Awareness | null;
  readOnly: boolean;
  synced: boolean;
  presence: PresenceMember[];
  scrollTo: number | null;
  jumpTo: EditorJump | null;
  onUserActivity: () => void;
}) {
  const file = useStoredFile(doc, path);
  const here = presence.filter((m) => !m.isSelf && path !== null && m.path === path);
  return <EditorPane path={path} file={file} doc={doc} here={here} {...rest} />;
}

/**
 * A group's tabs as an ARIA tablist (arrows, Home and End move between tabs; Delete closes one). The close buttons
 * sit beside their tabs visually but outside the tablist in the DOM (a tablist may hold only tabs), placed by
 * flex order; they stay out of the Tab order, since Ctrl/Cmd+W and Delete close from the keyboard.
 */
function TabStrip({
  groupIndex,
  groupName,
  focused,
  tabs,
  active,
  labels,
  changed,
  presence,
  canSplit,
  setTabs,
}: {
  groupIndex: number;
  groupName: string | null;
  focused: boolean;
  tabs: string[];
  active: string | null;
  labels: ReturnType<typeof tabLabels>;
  changed: Set<string>;
  presence: PresenceMember[];
  canSplit: boolean;
  setTabs: SetTabs;
}) {
  const list = useRef<HTMLDivElement>(null);
  const close = (path: string) => setTabs((s) => closeTab(s, groupIndex, path));
  const onKeyDown = (event: KeyboardEvent, index: number, path: string) => {
    if (event.key === 'Delete') {
      event.preventDefault();
      close(path);
      return;
    }
    const target = tabKeyTarget(event.key, index, tabs.length);
    const next = target === null ? undefined : tabs[target];
    if (target === null || next === undefined) return;
    event.preventDefault();
    setTabs((s) => activateTab(s, groupIndex, next));
    list.current?.querySelector<HTMLElement>(`#${tabId(groupIndex, target)}`)?.focus();
  };
  return (
    <div
      className={cx(
        'flex h-9 shrink-0 items-stretch overflow-x-auto border-b border-zinc-200 bg-zinc-50 text-sm',
        focused && 'border-t-2 border-t-indigo-500',
      )}
    >
      <div
        ref={list}
        role="tablist"
        aria-label={groupName ? `Open files (${groupName})` : 'Open files'}
        className="contents"
      >
        {tabs.map((path, index) => {
          const selected = path === active;
          const label = labels.get(path);
          const peers = presence.filter((m) => !m.isSelf && m.path === path);
          const dirty = changed.has(path);
          return (
            <button
              key={path}
              type="button"
              role="tab"
              id={tabId(groupIndex, index)}
              aria-selected={selected}
              aria-controls={selected ? `editor-panel-${String(groupIndex)}` : undefined}
              tabIndex={selected ? 0 : -1}
              title={path}
              data-path={path}
              style={{ order: index * 2 }}
              onClick={() => setTabs((s) => activateTab(s, groupIndex, path))}
              onMouseDown={(e) => {
                // A middle press would start autoscroll; it closes on release instead.
                if (e.button === 1) e.preventDefault();
              }}
              onAuxClick={(e) => {
                if (e.button !== 1) return;
                e.preventDefault();
                close(path);
              }}
              onKeyDown={(e) => onKeyDown(e, index, path)}
              className={cx(
                'flex max-w-56 shrink-0 items-center gap-1.5 pr-1 pl-3 whitespace-nowrap',
                selected
                  ? 'bg-white font-medium text-zinc-900 shadow-[inset_0_-2px_0] shadow-indigo-600'
                  : 'text-zinc-700 hover:bg-zinc-100',
              )}
            >
              <span className="truncate">{label?.name ?? path}</span>
              {label?.hint ? <span className="truncate text-xs text-zinc-600">{label.hint}</span> : null}
              {peers.length > 0 ? (
                <span className="flex items-center gap-0.5" data-peers={peers.map((m) => m.name).join(', ')}>
                  {peers.map((m) => (
                    <span
                      key={m.clientId}
                      className="size-2 rounded-full"
                      style={{ background: m.color }}
                      aria-hidden="true"
                    />
                  ))}
                  <span className="sr-only">, open by {peers.map((m) => m.name).join(', ')}</span>
                </span>
              ) : null}
              {dirty ? (
                <span className="text-amber-700" title="Changed by others since you last looked">
                  <span aria-hidden="true">●</span>
                  <span className="sr-only">, changed by others</span>
                </span>
              ) : null}
            </button>
          );
        })}
      </div>
      {tabs.map((path, index) => (
        <button
          key={path}
          type="button"
          tabIndex={-1}
          aria-label={`Close ${path}`}
          title={`Close (${formatShortcut('Mod-w')})`}
          style={{ order: index * 2 + 1 }}
          onClick={() => close(path)}
          className={cx(
            'mr-1 grid w-6 shrink-0 place-items-center text-zinc-600 hover:text-zinc-900',
            path === active ? 'bg-white shadow-[inset_0_-2px_0] shadow-indigo-600' : 'hover:bg-zinc-100',
          )}
        >
          <svg viewBox="0 0 16 16" className="size-3.5" aria-hidden="true" fill="none" stroke="currentColor">
            <path d="M4 4l8 8M12 4l-8 8" strokeWidth="1.5" strokeLinecap="round" />
          </svg>
        </button>
      ))}
      <span className="flex-1" style={{ order: tabs.length * 2 }} />
      {canSplit ? (
        <button
          type="button"
          aria-label="Split right"
          aria-keyshortcuts={ariaShortcut('Mod-\\')}
          title={`Split right (${formatShortcut('Mod-\\')})`}
          style={{ order: tabs.length * 2 + 1 }}
          onClick={() => setTabs(splitRight)}
          className="grid w-9 shrink-0 place-items-center text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900"
        >
          <svg viewBox="0 0 20 20" className="size-4" aria-hidden="true" fill="none" stroke="currentColor">
            <rect x="2.5" y="3.5" width="15" height="13" rx="2" strokeWidth="1.5" />
            <path d="M10 3.5v13" strokeWidth="1.5" />
          </svg>
        </button>
      ) : null}
    </div>
  );
}
