// The workspace's files as a WAI-ARIA tree: keyboard and pointer navigation, inline create/rename/move, a
// per-row action menu, drag and drop, and dots for the files other members have open. Changes go out through
// callbacks; the app owns the files (and any confirmation), so the tree never edits `paths` itself.
import { formatBytes } from '@tandem/core';
import {
  memo,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
  type KeyboardEvent,
  type MouseEvent,
  type ReactNode,
} from 'react';
import {
  ancestors,
  buildTree,
  isWithin,
  joinPath,
  movedPath,
  parentFolder,
  validateMove,
  validateNewPath,
  validateRename,
  visibleRows,
  type PresenceMark,
  type TreeRow,
} from './file-tree-model.ts';
import {
  Chevron,
  FileBadge,
  FolderGlyph,
  focusRing,
  InlineInput,
  PresenceDots,
  RowMenu,
  Svg,
  type MenuItem,
} from './file-tree-parts.tsx';

export type { PresenceMark } from './file-tree-model.ts';

export interface FileTreeProps {
  /** Every file in the workspace; folders are implied. Pass a stable array: the tree is rebuilt when it changes. */
  paths: readonly string[];
  /** The file open in the editor. Its folders are expanded whenever it changes. */
  selected?: string | null;
  onOpen: (path: string) => void;
  /** Reviewers: navigation only, every mutation control is hidden. */
  readOnly?: boolean;
  /** A new file's full path. A new folder arrives as its first file (`folder/name.ts`). */
  onCreate?: (path: string) => void;
  /** `from` may be a folder: rename every path under it. */
  onRename?: (from: string, to: string) => void;
  /** `path` may be a folder: delete everything under it. The app confirms; the tree asks nothing. */
  onDelete?: (path: string) => void;
  /** Move a file or folder into `toFolder` ('' = the top level), keeping its name. */
  onMove?: (from: string, toFolder: string) => void;
  /** Byte sizes of the binary files, by path: those rows show their size (text files are read in the editor). */
  binarySizes?: ReadonlyMap<string, number>;
  /** Other members' open files, by path. */
  presence?: Readonly<Record<string, readonly PresenceMark[]>>;
  ariaLabel?: string;
  /** Folders open on first render. */
  defaultExpanded?: readonly string[];
  /** Shown instead of the "No files yet" line when the workspace is empty (e.g. ways to upload). */
  emptyState?: ReactNode;
}

type Editing =
  | { mode: 'rename'; path: string }
  | { mode: 'move'; path: string }
  | { mode: 'create'; folder: string; asFolder: boolean };

// Rows sit in a scrolling list that would clip an outer ring, so theirs is drawn inside.
const rowFocusRing =
  'focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600';
const iconButton = `inline-flex h-7 w-7 items-center justify-center rounded text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 ${focusRing}`;
const indent = (level: number) => ({ paddingLeft: `${(level - 1) * 12 + 4}px` });
const typeAheadResetMs = 600;

function openBy(marks: readonly PresenceMark[] | undefined): string {
  if (!marks?.length) return '';
  return `, open by ${marks.map((m) => m.name).join(', ')}`;
}

interface RowProps {
  row: TreeRow;
  expanded: boolean;
  selected: boolean;
  active: boolean;
  dropTarget: boolean;
  draggable: boolean;
  hasMenu: boolean;
  menuOpen: boolean;
  marks: readonly PresenceMark[] | undefined;
  /** Set for binary files only. */
  size: number | undefined;
  /** Replaces the name while renaming or moving this row. */
  editor?: ReactNode;
  menu?: ReactNode;
}

// Memoized with plain-data props (events are delegated to the list) so moving focus in a tree of thousands
// of rows re-renders two rows, not all of them.
const Row = memo(function Row({
  row,
  expanded,
  selected,
  active,
  dropTarget,
  draggable,
  hasMenu,
  menuOpen,
  marks,
  size,
  editor,
  menu,
}: RowProps) {
  const { node } = row;
  const folder = node.kind === 'folder';
  const tone = dropTarget
    ? 'bg-indigo-50 text-indigo-900 ring-1 ring-inset ring-indigo-600'
    : selected
      ? 'bg-indigo-50 text-indigo-900'
      : 'text-zinc-900 hover:bg-zinc-100';
  return (
    <li
      role="treeitem"
      data-path={node.path}
      aria-level={row.level}
      aria-posinset={row.posInSet}
      aria-setsize={row.setSize}
      aria-expanded={folder ? expanded : undefined}
      aria-selected={selected}
      aria-label={`${node.name}${size === undefined ? '' : ` ${formatBytes(size)}, binary`}${openBy(marks)}`}
      tabIndex={active ? 0 : -1}
      draggable={draggable && !editor}
      style={indent(row.level)}
      className={`group relative flex min-h-7 cursor-pointer items-center gap-1.5 rounded-sm pr-1 text-sm select-none ${rowFocusRing} ${tone}`}
    >
      {folder ? <Chevron open={expanded} /> : <span className="w-4 shrink-0" />}
      {folder ? <FolderGlyph /> : <FileBadge path={node.path} />}
      {editor ?? <span className="min-w-0 flex-1 truncate">{node.name}</span>}
      {!editor && (
        <span className="ml-auto flex shrink-0 items-center gap-1">
          {/* The space makes the visible text read "name size", which the accessible name contains (WCAG 2.5.3). */}
          {size !== undefined && ' '}
          {size !== undefined && (
            <span data-size className="text-xs text-zinc-600 tabular-nums">
              {formatBytes(size)}
            </span>
          )}
          {marks && marks.length > 0 && <PresenceDots marks={marks} />}
          {hasMenu && (
            <button
              type="button"
              tabIndex={-1}
              data-action="menu"
              aria-label={`Actions for ${node.path}`}
              aria-haspopup="menu"
              aria-expanded={menuOpen}
              title="Actions (Shift+F10)"
              className={`inline-flex h-5 w-5 items-center justify-center rounded text-zinc-600 group-hover:opacity-100 group-focus-within:opacity-100 hover:bg-zinc-200 hover:text-zinc-900 pointer-coarse:opacity-100 ${focusRing} ${
                menuOpen ? 'opacity-100' : 'opacity-0'
              }`}
            >
              <Svg>
                <path d="M3.5 8h.01M8 8h.01M12.5 8h.01" strokeWidth="2.5" />
              </Svg>
            </button>
          )}
        </span>
      )}
      {menu}
    </li>
  );
});

function eventRow(e: { target: EventTarget }): HTMLElement | null {
  return e.target instanceof Element ? e.target.closest<HTMLElement>('[role="treeitem"]') : null;
}

export function FileTree({
  paths,
  selected = null,
  onOpen,
  readOnly = false,
  onCreate,
  onRename,
  onDelete,
  onMove,
  presence,
  binarySizes,
  ariaLabel = 'Files',
  defaultExpanded,
  emptyState,
}: FileTreeProps) {
  const can = {
    create: !readOnly && onCreate !== undefined,
    rename: !readOnly && onRename !== undefined,
    remove: !readOnly && onDelete !== undefined,
    move: !readOnly && onMove !== undefined,
  };
  const tree = useMemo(() => buildTree(paths), [paths]);
  const existing = useMemo(() => new Set(paths), [paths]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(
    () => new Set([...(defaultExpanded ?? []), ...(selected ? ancestors(selected) : [])]),
  );
  // Reveal the open file whenever it changes (another member followed, a task opened it …), during render
  // rather than in an effect so the tree never paints with it hidden.
  const [revealed, setRevealed] = useState(selected);
  if (revealed !== selected) {
    setRevealed(selected);
    if (selected) setExpanded((prev) => withAll(prev, ancestors(selected)));
  }
  const rows = useMemo(() => visibleRows(tree, expanded), [tree, expanded]);
  const rowIndex = useMemo(() => new Map(rows.map((r, i) => [r.node.path, i])), [rows]);

  const [activePath, setActivePath] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [menuFor, setMenuFor] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);

  // When the active row disappears (deleted, collapsed away) the tab stop falls to the row now at its place.
  const lastActiveIndex = useRef(0);
  const found = activePath === null ? undefined : rowIndex.get(activePath);
  const activeIndex =
    found ??
    (selected ? rowIndex.get(selected) : undefined) ??
    Math.min(lastActiveIndex.current, Math.max(rows.length - 1, 0));
  const active = rows[activeIndex]?.node.path ?? null;

  const list = useRef<HTMLUListElement>(null);
  const wantFocus = useRef(false);
  const hadFocus = useRef(false);
  const dragged = useRef<string | null>(null);
  const typeAhead = useRef({ text: '', at: 0 });

  useLayoutEffect(() => {
    lastActiveIndex.current = activeIndex;
    const el = list.current;
    if (!el) return;
    // Keep keyboard focus in the tree when its focused row is removed or an inline editor closes.
    const lost = hadFocus.current && !el.contains(document.activeElement);
    if (wantFocus.current || lost) {
      wantFocus.current = false;
      el.querySelector<HTMLElement>('[role="treeitem"][tabindex="0"]')?.focus();
    }
  });

  const focusRow = (path: string | null) => {
    if (path === null) return;
    setActivePath(path);
    wantFocus.current = true;
  };
  const toggle = (path: string, open?: boolean) =>
    setExpanded((prev) => {
      const isOpen = prev.has(path);
      if (open === isOpen) return prev;
      const next = new Set(prev);
      if (isOpen) next.delete(path);
      else next.add(path);
      return next;
    });
  // Optimistically carry open folders across a rename or move, so the user does not lose their place.
  const remapExpanded = (from: string, to: string) =>
    setExpanded((prev) => {
      const next = new Set<string>();
      for (const p of prev) next.add(isWithin(p, from) ? to + p.slice(from.length) : p);
      for (const a of ancestors(to)) next.add(a);
      return next;
    });

  const activate = (row: TreeRow) => {
    setActivePath(row.node.path);
    if (row.node.kind === 'folder') toggle(row.node.path);
    else onOpen(row.node.path);
  };

  const startCreate = (folder: string, asFolder: boolean) => {
    setMenuFor(null);
    if (folder !== '') setExpanded((prev) => withAll(prev, [...ancestors(folder), folder]));
    setEditing({ mode: 'create', folder, asFolder });
  };
  const createFolderFor = (path: string | null): string => {
    if (path === null) return '';
    const row = rows[rowIndex.get(path) ?? -1];
    return row?.node.kind === 'folder' ? row.node.path : parentFolder(path);
  };

  const menuItems = (row: TreeRow): MenuItem[] => {
    const { path } = row.node;
    const close = () => {
      setMenuFor(null);
      focusRow(path);
    };
    const items: MenuItem[] = [];
    if (can.create && row.node.kind === 'folder')
      items.push({ label: 'New file here', run: () => startCreate(path, false) });
    if (can.rename)
      items.push({
        label: 'Rename',
        run: () => {
          setMenuFor(null);
          setEditing({ mode: 'rename', path });
        },
      });
    if (can.move)
      items.push({
        label: 'Move to…',
        run: () => {
          setMenuFor(null);
          setEditing({ mode: 'move', path });
        },
      });
    if (can.remove)
      items.push({
        label: 'Delete',
        run: () => {
          close();
          onDelete?.(path);
        },
      });
    return items;
  };
  const hasMenu = can.create || can.rename || can.move || can.remove;

  const endEdit = (path: string | null, refocus: boolean) => {
    setEditing(null);
    const next = path ?? active;
    if (refocus) focusRow(next);
    else if (next !== null) setActivePath(next);
  };

  const editorFor = (row: TreeRow): ReactNode => {
    if (editing?.mode === 'rename' && editing.path === row.node.path) {
      const { path, name } = row.node;
      const parent = parentFolder(path);
      const dot = row.node.kind === 'file' ? name.lastIndexOf('.') : -1;
      return (
        <InlineInput
          label={`Rename ${path}`}
          initial={name}
          selection={[0, dot > 0 ? dot : name.length]}
          validate={(value) => validateRename(path, joinPath(parent, value), existing)}
          onCommit={(value, refocus) => {
            const to = joinPath(parent, value);
            remapExpanded(path, to);
            endEdit(to, refocus);
            onRename?.(path, to);
          }}
          onCancel={(refocus) => endEdit(path, refocus)}
        />
      );
    }
    if (editing?.mode === 'move' && editing.path === row.node.path) {
      const { path } = row.node;
      const folderOf = (value: string) => value.replace(/\/+$/, '');
      return (
        <InlineInput
          label={`Move ${path} to folder (empty for the top level)`}
          initial={parentFolder(path)}
          placeholder="top level"
          validate={(value) => validateMove(path, folderOf(value), existing)}
          onCommit={(value, refocus) => {
            const to = folderOf(value);
            remapExpanded(path, movedPath(path, to));
            endEdit(movedPath(path, to), refocus);
            onMove?.(path, to);
          }}
          onCancel={(refocus) => endEdit(path, refocus)}
        />
      );
    }
    return undefined;
  };

  const createRow = (folder: string, asFolder: boolean, level: number) => (
    <li
      key={'\u0000create'}
      role="none"
      style={indent(level)}
      className="flex min-h-7 items-center gap-1.5 pr-1"
    >
      <span className="w-4 shrink-0" />
      {asFolder ? (
        <FolderGlyph />
      ) : (
        <span className="h-4 w-4 shrink-0 rounded-sm bg-zinc-200" aria-hidden="true" />
      )}
      <InlineInput
        label={`${asFolder ? 'New folder' : 'New file'} in ${folder === '' ? 'the top level' : `${folder}/`}`}
        initial=""
        placeholder={asFolder ? 'folder/file.ts' : 'name.ts'}
        validate={(value) => {
          if (asFolder && !value.replace(/\/+$/, '').includes('/'))
            return 'A new folder needs a first file: type “folder/file.ts”.';
          return validateNewPath(joinPath(folder, value), existing);
        }}
        onCommit={(value, refocus) => {
          const path = joinPath(folder, value);
          setExpanded((prev) => withAll(prev, ancestors(path)));
          endEdit(path, refocus);
          onCreate?.(path);
        }}
        onCancel={(refocus) => endEdit(null, refocus)}
      />
    </li>
  );

  const folderPresence = useMemo(() => {
    const byFolder = new Map<string, PresenceMark[]>();
    for (const [path, marks] of Object.entries(presence ?? {})) {
      for (const folder of ancestors(path)) {
        const list = byFolder.get(folder) ?? [];
        for (const m of marks) {
          if (!list.some((x) => x.name === m.name && x.color === m.color)) list.push(m);
        }
        byFolder.set(folder, list);
      }
    }
    return byFolder;
  }, [presence]);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const item = eventRow(e);
    // Keys typed into an inline input or a menu belong to them.
    if (!item || item !== e.target) return;
    const index = rowIndex.get(item.dataset.path ?? '');
    const row = index === undefined ? undefined : rows[index];
    if (index === undefined || !row) return;
    const { node } = row;
    const isOpen = node.kind === 'folder' && expanded.has(node.path);
    const at = (i: number) => rows[Math.max(0, Math.min(rows.length - 1, i))]?.node.path ?? null;
    const keys: Record<string, (() => void) | false> = {
      ArrowDown: () => focusRow(at(index + 1)),
      ArrowUp: () => focusRow(at(index - 1)),
      Home: () => focusRow(at(0)),
      End: () => focusRow(at(rows.length - 1)),
      ArrowRight: () => {
        if (node.kind !== 'folder') return;
        if (!isOpen) toggle(node.path, true);
        else if ((rows[index + 1]?.level ?? 0) > row.level) focusRow(at(index + 1));
      },
      ArrowLeft: () => {
        if (isOpen) toggle(node.path, false);
        else if (row.parent !== '') focusRow(row.parent);
      },
      Enter: () => activate(row),
      ' ': () => activate(row),
      F2: can.rename && (() => setEditing({ mode: 'rename', path: node.path })),
      Delete: can.remove && (() => onDelete?.(node.path)),
      ContextMenu: hasMenu && (() => setMenuFor(node.path)),
    };
    const key = e.key === 'F10' && e.shiftKey ? 'ContextMenu' : e.key;
    const action = keys[key];
    if (action) {
      e.preventDefault();
      action();
      return;
    }
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      focusRow(typeAheadMatch(e.key, index));
    }
  };

  // Type-ahead: characters typed in quick succession jump to the next row whose name starts with them.
  const typeAheadMatch = (char: string, from: number): string | null => {
    const now = Date.now();
    const state = typeAhead.current;
    const text = now - state.at > typeAheadResetMs ? char.toLowerCase() : state.text + char.toLowerCase();
    typeAhead.current = { text, at: now };
    // A fresh search starts after the current row; a longer prefix may still match the current one.
    const start = text.length === 1 ? from + 1 : from;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[(start + k) % rows.length];
      if (row?.node.name.toLowerCase().startsWith(text)) return row.node.path;
    }
    return null;
  };

  const onClick = (e: MouseEvent<HTMLUListElement>) => {
    const target = e.target instanceof Element ? e.target : null;
    // Inputs and menus handle their own clicks.
    if (!target || target.closest('input, [role="menu"]')) return;
    const item = eventRow(e);
    const row = item ? rows[rowIndex.get(item.dataset.path ?? '') ?? -1] : undefined;
    if (!row) {
      setMenuFor(null);
      return;
    }
    if (target.closest('[data-action="menu"]')) {
      setActivePath(row.node.path);
      setMenuFor((open) => (open === row.node.path ? null : row.node.path));
      return;
    }
    setMenuFor(null);
    activate(row);
  };

  const dropFolderFor = (e: DragEvent<HTMLUListElement>): string | null => {
    const item = eventRow(e);
    if (!item) return e.target === e.currentTarget ? '' : null;
    const row = rows[rowIndex.get(item.dataset.path ?? '') ?? -1];
    if (!row) return null;
    return row.node.kind === 'folder' ? row.node.path : row.parent;
  };

  const dragHandlers = can.move
    ? {
        onDragStart: (e: DragEvent<HTMLUListElement>) => {
          const path = eventRow(e)?.dataset.path;
          if (path === undefined || editing) {
            e.preventDefault();
            return;
          }
          dragged.current = path;
          setMenuFor(null);
          // Synthetic drags (tests, some assistive tools) come without a DataTransfer.
          const transfer = e.dataTransfer as DataTransfer | null;
          if (transfer) {
            transfer.effectAllowed = 'move';
            transfer.setData('text/plain', path);
          }
        },
        onDragOver: (e: DragEvent<HTMLUListElement>) => {
          const from = dragged.current;
          const folder = dropFolderFor(e);
          if (from === null || folder === null || validateMove(from, folder, existing) !== null) {
            setDropTarget(null);
            return;
          }
          e.preventDefault();
          setDropTarget(folder);
        },
        onDragLeave: (e: DragEvent<HTMLUListElement>) => {
          if (!(e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget)))
            setDropTarget(null);
        },
        onDrop: (e: DragEvent<HTMLUListElement>) => {
          const from = dragged.current;
          const folder = dropFolderFor(e);
          dragged.current = null;
          setDropTarget(null);
          if (from === null || folder === null || validateMove(from, folder, existing) !== null) return;
          e.preventDefault();
          remapExpanded(from, movedPath(from, folder));
          if (folder !== '') toggle(folder, true);
          onMove?.(from, folder);
        },
        onDragEnd: () => {
          dragged.current = null;
          setDropTarget(null);
        },
      }
    : {};

  const creating = editing?.mode === 'create' ? editing : null;
  const items: ReactNode[] = [];
  if (creating?.folder === '') items.push(createRow('', creating.asFolder, 1));
  for (const row of rows) {
    const { path, kind } = row.node;
    const isOpen = kind === 'folder' && expanded.has(path);
    items.push(
      <Row
        key={path}
        row={row}
        expanded={isOpen}
        selected={path === selected}
        active={path === active}
        dropTarget={dropTarget === path}
        draggable={can.move}
        hasMenu={hasMenu}
        menuOpen={menuFor === path}
        marks={kind === 'file' ? presence?.[path] : isOpen ? undefined : folderPresence.get(path)}
        size={kind === 'file' ? binarySizes?.get(path) : undefined}
        editor={editorFor(row)}
        menu={
          menuFor === path ? (
            <RowMenu
              label={`Actions for ${path}`}
              items={menuItems(row)}
              onClose={(refocus) => {
                setMenuFor(null);
                if (refocus) focusRow(path);
              }}
            />
          ) : undefined
        }
      />,
    );
    if (creating?.folder === path && isOpen) items.push(createRow(path, creating.asFolder, row.level + 1));
  }

  return (
    <div className="flex h-full min-h-0 flex-col text-sm text-zinc-900">
      <div className="flex items-center gap-0.5 border-b border-zinc-200 px-2 py-1">
        <span className="mr-auto truncate text-xs font-semibold tracking-wide text-zinc-600 uppercase">
          {ariaLabel}
        </span>
        {can.create && (
          <>
            <button
              type="button"
              aria-label="New file"
              title="New file"
              className={iconButton}
              onClick={() => startCreate(createFolderFor(activePath ?? selected), false)}
            >
              <Svg>
                <path d="M9 1.75H4.25c-.55 0-1 .45-1 1v10.5c0 .55.45 1 1 1h7.5c.55 0 1-.45 1-1V5.25z" />
                <path d="M9 1.75v3.5h3.5M8 7.5v4M6 9.5h4" />
              </Svg>
            </button>
            <button
              type="button"
              aria-label="New folder"
              title="New folder"
              className={iconButton}
              onClick={() => startCreate(createFolderFor(activePath ?? selected), true)}
            >
              <Svg>
                <path d="M1.75 4.25c0-.55.45-1 1-1h3.2l1.5 1.5h5.8c.55 0 1 .45 1 1v6.5c0 .55-.45 1-1 1H2.75c-.55 0-1-.45-1-1z" />
                <path d="M8 7.25v4M6 9.25h4" />
              </Svg>
            </button>
          </>
        )}
        <button
          type="button"
          aria-label="Collapse all folders"
          title="Collapse all folders"
          className={iconButton}
          onClick={() => setExpanded(new Set())}
        >
          <Svg>
            <path d="M4.5 6.5L8 3l3.5 3.5M4.5 13L8 9.5l3.5 3.5" />
          </Svg>
        </button>
      </div>
      {rows.length === 0 && !creating
        ? (emptyState ?? (
            <p className="px-3 py-2 text-zinc-600">
              {can.create ? 'No files yet. Use “New file” to add one.' : 'No files yet.'}
            </p>
          ))
        : null}
      <ul
        ref={list}
        role="tree"
        aria-label={ariaLabel}
        className={`min-h-8 flex-1 overflow-auto p-1 ${dropTarget === '' ? 'bg-indigo-50 ring-1 ring-indigo-600 ring-inset' : ''}`}
        onKeyDown={onKeyDown}
        onClick={onClick}
        onFocus={() => {
          hadFocus.current = true;
        }}
        onBlur={(e) => {
          const next = e.relatedTarget;
          // A focused row that is removed takes focus with it without the user moving on: the layout effect
          // then puts focus back. Any real move out of the tree (target still in the page) lets go.
          if (!(next instanceof Node && e.currentTarget.contains(next)) && e.target.isConnected)
            hadFocus.current = false;
        }}
        {...dragHandlers}
      >
        {items}
      </ul>
    </div>
  );
}

function withAll(set: ReadonlySet<string>, add: readonly string[]): ReadonlySet<string> {
  if (add.every((a) => set.has(a))) return set;
  return new Set([...set, ...add]);
}
