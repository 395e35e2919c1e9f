// The code mode: file tree, live editor, presence and follow, AI tasks with their live timelines, and review.
// The open file and the selected task live in the URL, so a reload (or a shared link) lands in the same place.
import { getStoredFile, type MemberRole } from '@tandem/core';
import { openFindInEditor, type EditorJump } from '@tandem/ui/collaborative-editor';
import { ariaShortcut, formatShortcut } from '@tandem/ui/command-palette';
import {
  activePath,
  closeActiveTab,
  openPaths,
  openTab,
  renameMoves,
  renameTabs,
  splitRight,
} from '@tandem/ui/editor-tabs';
import { OpenLocationContext, type OpenLocation } from '@tandem/ui/open-location';
import { PresenceBar } from '@tandem/ui/presence-bar';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { Link, useLocation, useSearchParams } from 'wouter';
import { AppHeader } from '../components/app-header.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, cx, DeadEnd, PageState, roleTone } from '../components/ui.tsx';
import { errorCode, errorMessage } from '../errors.ts';
import { ShareDialog } from '../pages/share-dialog.tsx';
import type { Me } from '../session.ts';
import { trpcClient, useTRPC } from '../trpc.ts';
import { Composer, TaskDetail, TaskHistory, type TaskSummary } from './ai-panel.tsx';
import { ChecksPanel } from './checks-panel.tsx';
import { SourceControlPanel } from './source-control-panel.tsx';
import { CommandPalette } from './command-palette.tsx';
import { ConnectionPill } from './connection-pill.tsx';
import { FileComments } from './file-comments.tsx';
import { useReviewLive } from './review-comments.tsx';
import { EditorGroups, useEditorTabs, useTabsFollowFiles } from './editor-groups.tsx';
import { FindInFiles } from './find-in-files.tsx';
import { FollowBanner } from './follow-banner.tsx';
import { QuickOpen } from './quick-open.tsx';
import { FilePane } from './file-pane.tsx';
import { PaneSeparator, usePaneLayout } from './pane-layout.tsx';
import { useFileList, useStoredFile } from './use-files.ts';
import { cursorIndex, usePresence } from './use-presence.ts';
import { useWorkspaceSync } from './use-workspace-sync.ts';
import { focusedEditorGroup, workspaceCommands } from './workspace-commands.ts';

const ReviewView = lazy(() => import('./review-view.tsx'));

export default function WorkspacePage({ workspaceId, me }: { workspaceId: string; me: Me }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspace.get.queryOptions({ workspaceId }, { retry: false }));
  // The document starts syncing at once, beside the access check; the server refuses non-members anyway.
  const live = useWorkspaceSync(workspaceId);
  // Set by the code mode on each render; links to a file and line anywhere below call it.
  const opener = useRef<OpenLocation | null>(null);
  const openLocation = useCallback<OpenLocation>(
    (path, line, column) => opener.current?.(path, line, column),
    [],
  );
  if (workspace.isPending) return <PageState title="Opening the workspace…" busy />;
  if (workspace.isError) {
    const code = errorCode(workspace.error);
    if (code === 'FORBIDDEN' || code === 'NOT_FOUND' || code === 'BAD_INPUT') {
      return (
        <DeadEnd
          title="You don't have access to this workspace"
          detail="It does not exist, or you are not a member. Ask its owner for an invite link."
        />
      );
    }
    return <DeadEnd title="Could not open the workspace" detail={errorMessage(workspace.error)} />;
  }
  return (
    <OpenLocationContext.Provider value={openLocation}>
      <CodeMode
        opener={opener}
        workspaceId={workspaceId}
        name={workspace.data.name}
        role={workspace.data.role}
        archived={workspace.data.archivedAt !== null}
        me={me}
        live={live}
      />
    </OpenLocationContext.Provider>
  );
}

function CodeMode({
  opener,
  workspaceId,
  name,
  role,
  archived,
  me,
  live,
}: {
  opener: RefObject<OpenLocation | null>;
  workspaceId: string;
  name: string;
  role: MemberRole;
  /** Archived workspaces are read-only for everyone until an owner restores them (the server enforces it). */
  archived: boolean;
  me: Me;
  live: ReturnType<typeof useWorkspaceSync>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = role !== 'reviewer' && !archived;
  const [draft, setDraft] = useState<{ text: string }>();
  const [params, setParams] = useSearchParams();
  const [, navigate] = useLocation();
  // Open files live in tabs (kept per workspace in this browser); the URL names the focused group's file.
  const [tabs, setTabs] = useEditorTabs(workspaceId, params.get('file'));
  const openPath = activePath(tabs);
  const taskId = params.get('task');
  const reviewing = params.get('review') === '1' && taskId !== null;
  const setParam = useCallback(
    (patch: Record<string, string | null>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [key, value] of Object.entries(patch)) {
            if (value === null) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const { sync, status } = live;
  const doc = sync?.doc ?? null;
  const awareness = sync?.provider.awareness ?? null;
  const fileList = useFileList(doc);
  const paths = useMemo(() => fileList.map((f) => f.path), [fileList]);
  const binarySizes = useMemo(
    () => new Map(fileList.flatMap((f) => (f.kind === 'binary' ? [[f.path, f.size] as const] : []))),
    [fileList],
  );
  const openFileEntry = useStoredFile(doc, openPath);
  useTabsFollowFiles(doc, paths, status.synced, setTabs);
  // The URL follows the focused file; a file the URL names from elsewhere (a link, an edited address) opens in a tab.
  const urlFile = params.get('file');
  const wroteUrl = useRef(openPath);
  useEffect(() => {
    if (urlFile === openPath) wroteUrl.current = openPath;
    else if (urlFile !== null && urlFile !== wroteUrl.current) {
      wroteUrl.current = urlFile;
      setTabs((s) => openTab(s, urlFile));
    } else {
      wroteUrl.current = openPath;
      setParam({ file: openPath });
    }
  }, [urlFile, openPath, setParam, setTabs]);
  const openPathNow = useRef(openPath);
  openPathNow.current = openPath;
  const presence = usePresence(awareness, me);
  const [following, setFollowing] = useState<number | null>(null);
  const [scrollTo, setScrollTo] = useState<number | null>(null);
  const [sharing, setSharing] = useState(false);
  const toast = useToast();
  const followed = following === null ? undefined : presence.find((m) => m.clientId === following);
  // Typing or clicking in my own editor means I took over: stop following, and say so.
  // A click reports twice (the press and the selection it makes); the ref makes the second a no-op.
  const followingNow = useRef(following);
  followingNow.current = following;
  const stopFollowingOnActivity = () => {
    if (followingNow.current === null) return;
    followingNow.current = null;
    setFollowing(null);
    toast({
      title: `Stopped following ${followed?.name ?? 'them'}`,
      description: 'You typed or clicked in your editor.',
    });
  };

  const members = useQuery(trpc.workspace.members.list.queryOptions({ workspaceId }));
  const names = useMemo(() => new Map(members.data?.map((m) => [m.userId, m.name]) ?? []), [members.data]);
  const roles = useMemo(() => new Map(members.data?.map((m) => [m.userId, m.role]) ?? []), [members.data]);
  // Someone who joined after this page loaded (a reviewer through an invite) is not in the list yet: the first time
  // an unknown id is named, the list is fetched again, so their comment or verdict shows their name, not "a former
  // member". Asked once per id: an id still unknown after that is someone who left.
  const askedAbout = useRef(new Set<string>());
  const refetchMembers = members.refetch;
  const userName = useCallback(
    (id: string) => {
      if (id === me.id) return 'you';
      const name = names.get(id);
      if (name !== undefined) return name;
      if (members.isSuccess && !askedAbout.current.has(id)) {
        askedAbout.current.add(id);
        setTimeout(() => void refetchMembers(), 0);
      }
      return 'a former member';
    },
    [names, me.id, members.isSuccess, refetchMembers],
  );
  // Comments and verdicts stay live for the whole page; a resolution that replaced what I typed is told to me.
  useReviewLive(workspaceId, (notice) => {
    if (!notice.userIds.includes(me.id)) return;
    toast({
      title: `Your text in ${notice.path} was replaced`,
      description: `${names.get(notice.by) ?? 'A member'} settled a conflict with an AI task's change by replacing lines you had typed.`,
    });
  });

  // Files opened here, most recent first, for quick open; and where a `:line` jump goes.
  const [recent, setRecent] = useState<string[]>([]);
  useEffect(() => {
    if (openPath) setRecent((list) => [openPath, ...list.filter((p) => p !== openPath)].slice(0, 20));
  }, [openPath]);
  const [quickOpen, setQuickOpen] = useState<string | null>(null);
  const [jump, setJump] = useState<EditorJump | null>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const key = e.key.toLowerCase();
      if (key !== 'p' && key !== 'g') return;
      // Ctrl/Cmd+P would print, Ctrl/Cmd+G find again: here they open files and go to lines.
      e.preventDefault();
      setQuickOpen(key === 'g' ? ':' : '');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // The side panes: resizable, collapsible (Ctrl/Cmd+B the file tree, Ctrl/Cmd+Alt+B the AI panel), floating over
  // the editor on a narrow window. Find in files takes the left pane's place (Ctrl/Cmd+Shift+F); the palette
  // (Ctrl/Cmd+Shift+P) lists everything.
  const panes = usePaneLayout();
  const { layout } = panes;
  const [leftPane, setLeftPane] = useState<'files' | 'search' | 'git'>('files');
  const [findSeed, setFindSeed] = useState('');
  const [findFocus, setFindFocus] = useState(0);
  const [palette, setPalette] = useState(false);
  const { show: showSide, toggle: togglePane } = panes;
  const showPane = useCallback(
    (pane: 'files' | 'search' | 'git' | 'ai') => {
      // At once, so whatever runs next (a focus, a button press) finds the pane shown.
      flushSync(() => showSide(pane === 'ai' ? 'ai' : 'files'));
      if (pane === 'ai') return;
      if (pane === 'search') {
        // What is selected in the editor, as in other editors; a selection elsewhere on the page is not a query.
        const selection = window.getSelection();
        const inEditor = selection?.anchorNode?.parentElement?.closest('.cm-editor');
        setFindSeed(inEditor ? (selection?.toString().split('\n')[0] ?? '') : '');
        setFindFocus((n) => n + 1);
      }
      setLeftPane(pane);
    },
    [showSide],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.shiftKey) return;
      // Alt changes the key on Apple keyboards (Alt+B types ∫), so with Alt it is the key's place that counts.
      if (e.key.toLowerCase() === 'b' || (e.altKey && e.code === 'KeyB')) {
        e.preventDefault();
        togglePane(e.altKey ? 'ai' : 'files');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [togglePane]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      const key = e.key.toLowerCase();
      if (e.shiftKey && (key === 'f' || key === 'p' || key === 'g')) {
        e.preventDefault();
        if (key === 'f') showPane('search');
        else if (key === 'g') showPane('git');
        else setPalette(true);
      } else if (
        !e.shiftKey &&
        key === 'f' &&
        !(e.target instanceof Element && e.target.closest('.cm-editor'))
      ) {
        // Outside the editor, Ctrl/Cmd+F still means the open file (the editor handles it when focused).
        if (openFindInEditor(focusedEditorGroup())) e.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [showPane]);

  // Tell the others which file I am in.
  useEffect(() => {
    awareness?.setLocalStateField('path', openPath);
  }, [awareness, openPath]);

  const openFile = useCallback(
    (path: string, byFollow = false) => {
      if (!byFollow) setFollowing(null);
      setJump(null);
      setTabs((s) => openTab(s, path));
      setParam({ review: null });
    },
    [setParam, setTabs],
  );

  // Ctrl/Cmd+W closes the focused tab, Ctrl/Cmd+\ splits the editor (browsers keep Ctrl+W for themselves in a
  // plain tab; it works in an installed app window, and the palette and the tab's button always do).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const key = e.key.toLowerCase();
      if (key !== 'w' && key !== '\\') return;
      e.preventDefault();
      setTabs(key === 'w' ? closeActiveTab : splitRight);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setTabs]);

  // Following a member: jump to their file and keep their cursor in view until they leave or I move away.
  useEffect(() => {
    if (following === null || !awareness || !doc) return;
    const track = () => {
      const state = awareness.getStates().get(following) as { path?: unknown } | undefined;
      if (!state) {
        setFollowing(null);
        return;
      }
      const theirPath = typeof state.path === 'string' ? state.path : null;
      if (theirPath && theirPath !== openPathNow.current) openFile(theirPath, true);
      const file = theirPath ? getStoredFile(doc, theirPath) : undefined;
      if (file && !file.binary) {
        const index = cursorIndex(awareness, following, file.text);
        if (index !== null) setScrollTo(index);
      }
    };
    track();
    awareness.on('change', track);
    return () => awareness.off('change', track);
  }, [following, awareness, doc, openFile]);

  const tasks = useQuery(trpc.task.list.queryOptions({ workspaceId, limit: 50 }));
  // Task list changes arrive live; each one refreshes the history and the task it names.
  useEffect(() => {
    const sub = trpcClient.task.onChange.subscribe(
      { workspaceId },
      {
        onData: (change) => {
          void queryClient.invalidateQueries({ queryKey: trpc.task.list.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.task.get.queryKey({ taskId: change.taskId }) });
        },
      },
    );
    return () => sub.unsubscribe();
  }, [workspaceId, queryClient, trpc]);

  if (status.refused) {
    return (
      <DeadEnd
        title={
          status.refused.code === 4401 ? 'You were signed out' : 'You no longer have access to this workspace'
        }
        detail={status.refused.reason || 'The server closed the connection.'}
      />
    );
  }

  const goTo = (path: string, line?: number, column?: number) => {
    if (path !== openPath) openFile(path);
    if (line !== undefined) setJump((prev) => ({ line, column, seq: (prev?.seq ?? 0) + 1 }));
  };
  // Locations in timelines, findings and comments open here (see WorkspacePage's OpenLocationContext).
  opener.current = goTo;
  const commands = palette
    ? workspaceCommands({
        canEdit,
        isOwner: role === 'owner',
        openPath,
        openIsText: openFileEntry !== null && !openFileEntry.binary,
        taskId,
        reviewing,
        following: followed?.name ?? null,
        others: presence.filter((m) => !m.isSelf).map((m) => ({ clientId: m.clientId, name: m.name })),
        quickOpen: setQuickOpen,
        showPane,
        panes: { files: layout.files.open, ai: layout.ai.open },
        togglePane,
        follow: setFollowing,
        closeTab: () => setTabs(closeActiveTab),
        splitRight: () => setTabs(splitRight),
        review: (open) => setParam({ review: open ? '1' : null }),
        taskHistory: () => setParam({ task: null, review: null }),
        share: () => setSharing(true),
        home: () => navigate('/'),
      })
    : [];

  const taskList = (tasks.data ?? []) as TaskSummary[];
  const selectedTask = taskList.find((t) => t.id === taskId);

  return (
    <div className="flex h-full flex-col">
      <AppHeader me={me}>
        <PaneToggle
          label="File tree"
          what="the file tree"
          controls="pane-files"
          open={layout.files.open}
          shortcut="Mod-b"
          side="left"
          onToggle={() => togglePane('files')}
        />
        <nav aria-label="Breadcrumb" className="flex min-w-0 items-center gap-2 text-sm">
          <Link href="/" className="text-zinc-600 hover:text-zinc-900 hover:underline">
            Workspaces
          </Link>
          <span className="text-zinc-400" aria-hidden="true">
            /
          </span>
          <h1 className="truncate font-semibold text-zinc-900">{name}</h1>
        </nav>
        <Badge tone={roleTone[role]} title={canEdit ? undefined : 'You watch live; edits are refused'}>
          {canEdit ? role : archived ? 'Archived · read-only' : 'Reviewer · read-only'}
        </Badge>
        <span className="flex-1" />
        <PresenceBar
          members={presence.map((m) => ({ ...m, role: roles.get(m.userId) }))}
          following={following}
          onFollow={setFollowing}
        />
        <ConnectionPill status={status} />
        <button
          type="button"
          aria-label="Source control"
          aria-controls="pane-files"
          aria-pressed={layout.files.open && leftPane === 'git'}
          aria-keyshortcuts={ariaShortcut('Mod-Shift-g')}
          title={`Source control (${formatShortcut('Mod-Shift-g')})`}
          onClick={() => (layout.files.open && leftPane === 'git' ? setLeftPane('files') : showPane('git'))}
          className={cx(
            'grid size-8 shrink-0 place-items-center rounded-md hover:bg-zinc-100',
            layout.files.open && leftPane === 'git' ? 'text-indigo-700' : 'text-zinc-600',
          )}
        >
          {/* A branch: two commits on a line and one forked off it. */}
          <svg viewBox="0 0 20 20" className="size-5" aria-hidden="true" fill="none" stroke="currentColor">
            <circle cx="6" cy="4.5" r="2" strokeWidth="1.5" />
            <circle cx="6" cy="15.5" r="2" strokeWidth="1.5" />
            <circle cx="14" cy="7.5" r="2" strokeWidth="1.5" />
            <path d="M6 6.5v7M14 9.5c0 3-8 2-8 4" strokeWidth="1.5" />
          </svg>
        </button>
        <PaneToggle
          label="AI panel"
          what="the AI panel"
          controls="pane-ai"
          open={layout.ai.open}
          shortcut="Mod-Alt-b"
          side="right"
          onToggle={() => togglePane('ai')}
        />
        {role === 'owner' ? (
          <Button size="sm" onClick={() => setSharing(true)}>
            Share
          </Button>
        ) : null}
      </AppHeader>
      <div ref={panes.setRow} className="relative flex min-h-0 flex-1 bg-white">
        {/* Each separator sits in its pane's landmark, so it stays there (and in reach) while the pane is hidden. */}
        <aside
          aria-label="Files"
          className={cx(
            'min-h-0 shrink-0',
            layout.mode === 'docked'
              ? 'flex'
              : layout.files.open
                ? 'absolute inset-y-0 left-0 z-20 flex border-r border-zinc-300 shadow-xl'
                : 'hidden',
          )}
        >
          <div
            id="pane-files"
            style={{ width: layout.files.width }}
            className={cx('min-h-0 bg-zinc-50', layout.files.open ? 'block' : 'hidden')}
          >
            {leftPane === 'git' ? (
              <div className="flex h-full min-h-0 flex-col">
                <div className="flex justify-end border-b border-zinc-200 px-2 py-1">
                  <Button size="sm" variant="ghost" onClick={() => setLeftPane('files')}>
                    Back to the files
                  </Button>
                </div>
                <div className="min-h-0 flex-1">
                  <SourceControlPanel
                    workspaceId={workspaceId}
                    doc={doc}
                    canEdit={canEdit}
                    isOwner={role === 'owner'}
                    onOpenTask={(id) => {
                      setParam({ task: id, review: '1' });
                      panes.dismiss('files');
                    }}
                  />
                </div>
              </div>
            ) : null}
            {leftPane === 'search' && doc ? (
              <FindInFiles
                doc={doc}
                canEdit={canEdit}
                initialQuery={findSeed}
                focusRequest={findFocus}
                onOpen={(path, line) => {
                  goTo(path, line);
                  panes.dismiss('files');
                }}
                onClose={() => setLeftPane('files')}
              />
            ) : null}
            {/* Kept mounted under the search, so folders stay as they were opened. */}
            <div hidden={(leftPane === 'search' && doc !== null) || leftPane === 'git'} className="h-full">
              <FilePane
                workspaceId={workspaceId}
                paths={paths}
                binarySizes={binarySizes}
                selected={openPath}
                readOnly={!canEdit}
                presence={presence}
                onOpen={(path) => {
                  openFile(path);
                  panes.dismiss('files');
                }}
                onRenamed={(from, to) => setTabs((s) => renameTabs(s, renameMoves(openPaths(s), from, to)))}
              />
            </div>
          </div>
          {layout.mode === 'docked' ? (
            <PaneSeparator
              pane="files"
              label="Resize the file tree"
              controls="pane-files"
              view={layout.files}
              prefs={panes.prefs}
              onPrefs={panes.setPrefs}
            />
          ) : null}
        </aside>
        <main className="min-h-0 min-w-0 flex-1">
          {reviewing && doc ? (
            <Suspense fallback={<PageState title="Loading the review…" busy />}>
              <ReviewView
                taskId={taskId}
                doc={doc}
                canEdit={canEdit}
                userName={userName}
                onClose={() => setParam({ review: null })}
              />
            </Suspense>
          ) : (
            <div className="flex h-full min-h-0 flex-col">
              {followed ? (
                <FollowBanner name={followed.name} color={followed.color} onStop={() => setFollowing(null)} />
              ) : null}
              <div className="min-h-0 flex-1">
                <EditorGroups
                  tabs={tabs}
                  setTabs={setTabs}
                  doc={doc}
                  onUserActivity={stopFollowingOnActivity}
                  jumpTo={jump}
                  awareness={awareness}
                  readOnly={!canEdit}
                  synced={status.synced}
                  presence={presence}
                  scrollTo={scrollTo}
                />
              </div>
              {openPath && doc && openFileEntry && !openFileEntry.binary ? (
                <FileComments
                  key={openPath}
                  workspaceId={workspaceId}
                  path={openPath}
                  doc={doc}
                  text={openFileEntry.text}
                  awareness={awareness}
                  userName={userName}
                  onJump={(line) => setJump((prev) => ({ line, seq: (prev?.seq ?? 0) + 1 }))}
                />
              ) : null}
            </div>
          )}
        </main>
        <aside
          aria-label="AI tasks"
          className={cx(
            'min-h-0 shrink-0',
            layout.mode === 'docked'
              ? 'flex'
              : layout.ai.open
                ? 'absolute inset-y-0 right-0 z-20 flex border-l border-zinc-300 shadow-xl'
                : 'hidden',
          )}
        >
          {layout.mode === 'docked' ? (
            <PaneSeparator
              pane="ai"
              label="Resize the AI panel"
              controls="pane-ai"
              view={layout.ai}
              prefs={panes.prefs}
              onPrefs={panes.setPrefs}
            />
          ) : null}
          <div
            id="pane-ai"
            style={{ width: layout.ai.width }}
            className={cx('min-h-0 flex-col bg-white', layout.ai.open ? 'flex' : 'hidden')}
          >
            {canEdit ? (
              <Composer
                workspaceId={workspaceId}
                paths={paths}
                openPaths={openPath ? [openPath] : []}
                onCreated={(id) => setParam({ task: id, review: null })}
                draft={draft}
              />
            ) : (
              <p className="border-b border-zinc-200 p-3 text-sm text-zinc-700">
                You are a reviewer: you watch files, cursors and tasks live. Editors start and decide tasks.
              </p>
            )}
            <div className="min-h-0 flex-1 overflow-auto">
              {taskId ? (
                <TaskDetail
                  key={taskId}
                  taskId={taskId}
                  task={selectedTask}
                  canEdit={canEdit}
                  userName={userName}
                  onReview={() => {
                    setParam({ review: '1' });
                    panes.dismiss('ai');
                  }}
                  onBack={() => setParam({ task: null, review: null })}
                  onRetried={(id) => setParam({ task: id, review: null })}
                  onEditPrompt={(text) => setDraft({ text })}
                />
              ) : tasks.isPending ? (
                <PageState title="Loading tasks…" busy />
              ) : tasks.isError ? (
                <PageState title="Could not load tasks" tone="error">
                  {errorMessage(tasks.error)}
                </PageState>
              ) : (
                <>
                  <h2 className="px-3 pt-3 text-xs font-semibold tracking-wide text-zinc-600 uppercase">
                    Task history
                  </h2>
                  <TaskHistory
                    tasks={taskList}
                    selected={taskId}
                    userName={userName}
                    onSelect={(id) => setParam({ task: id, review: null })}
                  />
                </>
              )}
            </div>
            <div className="flex max-h-[50%] min-h-0 flex-col">
              <ChecksPanel workspaceId={workspaceId} canEdit={canEdit} userName={userName} />
            </div>
          </div>
        </aside>
      </div>
      {quickOpen !== null ? (
        <QuickOpen
          paths={paths}
          recent={recent.slice(openPath === recent[0] ? 1 : 0)}
          openPath={openPath}
          initial={quickOpen}
          onClose={() => setQuickOpen(null)}
          onOpen={(path, line) => {
            setQuickOpen(null);
            goTo(path, line ?? undefined);
          }}
        />
      ) : null}
      {palette ? <CommandPalette commands={commands} onClose={() => setPalette(false)} /> : null}
      {sharing ? (
        <ShareDialog workspace={{ id: workspaceId, name }} me={me} onClose={() => setSharing(false)} />
      ) : null}
    </div>
  );
}

/** A header button that shows or hides a side pane; its title and aria-keyshortcuts give the shortcut. */
function PaneToggle({
  label,
  what,
  controls,
  open,
  shortcut,
  side,
  onToggle,
}: {
  label: string;
  what: string;
  controls: string;
  open: boolean;
  shortcut: string;
  side: 'left' | 'right';
  onToggle: () => void;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      aria-controls={controls}
      aria-expanded={open}
      aria-keyshortcuts={ariaShortcut(shortcut)}
      title={`${open ? 'Hide' : 'Show'} ${what} (${formatShortcut(shortcut)})`}
      onClick={onToggle}
      className={cx(
        'grid size-8 shrink-0 place-items-center rounded-md hover:bg-zinc-100',
        open ? 'text-indigo-700' : 'text-zinc-600',
      )}
    >
      <svg viewBox="0 0 20 20" className="size-5" aria-hidden="true" fill="none" stroke="currentColor">
        <rect x="2.5" y="3.5" width="15" height="13" rx="2" strokeWidth="1.5" />
        <rect
          x={side === 'left' ? 2.5 : 12.5}
          y="3.5"
          width="5"
          height="13"
          strokeWidth="1.5"
          fill={open ? 'currentColor' : 'none'}
        />
      </svg>
    </button>
  );
}
