// The code mode: file tree, live editor, presence and follow, AI tasks with their live timelines, and review.
// The open file and the selected task live in the URL, so a reload (or a shared link) lands in the same place.
import { getStoredFile, type MemberRole } from '@tandem/core';
import { PresenceBar } from '@tandem/ui/presence-bar';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { AppHeader } from '../components/app-header.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, DeadEnd, PageState, roleTone } from '../components/ui.tsx';
import { errorCode, errorMessage } from '../errors.ts';
import { ShareDialog } from '../pages/share-dialog.tsx';
import type { Me } from '../session.ts';
import { trpcClient, useTRPC } from '../trpc.ts';
import { Composer, TaskDetail, TaskHistory, type TaskSummary } from './ai-panel.tsx';
import { ConnectionPill } from './connection-pill.tsx';
import { EditorPane } from './editor-pane.tsx';
import { FollowBanner } from './follow-banner.tsx';
import { QuickOpen } from './quick-open.tsx';
import { FilePane } from './file-pane.tsx';
import { useFileList, useStoredFile } from './use-files.ts';
import { cursorIndex, usePresence } from './use-presence.ts';
import { useWorkspaceSync } from './use-workspace-sync.ts';

const ReviewView = lazy(() => import('./review-view.tsx'));

export default function WorkspacePage({ workspaceId, me }: { workspaceId: string; me: Me }) {
  const trpc = useTRPC();
  const workspace = useQuery(trpc.workspace.get.queryOptions({ workspaceId }, { retry: false }));
  // The document starts syncing at once, beside the access check; the server refuses non-members anyway.
  const live = useWorkspaceSync(workspaceId);
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
    <CodeMode
      workspaceId={workspaceId}
      name={workspace.data.name}
      role={workspace.data.role}
      archived={workspace.data.archivedAt !== null}
      me={me}
      live={live}
    />
  );
}

function CodeMode({
  workspaceId,
  name,
  role,
  archived,
  me,
  live,
}: {
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
  const openPath = params.get('file');
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
  const userName = useCallback(
    (id: string) => (id === me.id ? 'you' : (names.get(id) ?? 'a former member')),
    [names, me.id],
  );

  // Files opened here, most recent first, for quick open; and where a `:line` jump goes.
  const [recent, setRecent] = useState<string[]>([]);
  useEffect(() => {
    if (openPath) setRecent((list) => [openPath, ...list.filter((p) => p !== openPath)].slice(0, 20));
  }, [openPath]);
  const [quickOpen, setQuickOpen] = useState<string | null>(null);
  const [jump, setJump] = useState<{ line: number; seq: number } | null>(null);
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

  // Tell the others which file I am in.
  useEffect(() => {
    awareness?.setLocalStateField('path', openPath);
  }, [awareness, openPath]);

  const openFile = useCallback(
    (path: string, byFollow = false) => {
      if (!byFollow) setFollowing(null);
      setJump(null);
      setParam({ file: path, review: null });
    },
    [setParam],
  );

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
      if (theirPath && theirPath !== new URLSearchParams(location.search).get('file'))
        openFile(theirPath, true);
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

  const taskList = (tasks.data ?? []) as TaskSummary[];
  const selectedTask = taskList.find((t) => t.id === taskId);
  const here = presence.filter((m) => !m.isSelf && m.path === openPath && openPath !== null);

  return (
    <div className="flex h-full flex-col">
      <AppHeader me={me}>
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
        {role === 'owner' ? (
          <Button size="sm" onClick={() => setSharing(true)}>
            Share
          </Button>
        ) : null}
      </AppHeader>
      <div className="grid min-h-0 flex-1 grid-cols-[15rem_minmax(0,1fr)_24rem] bg-white">
        <aside aria-label="Files" className="min-h-0 border-r border-zinc-200 bg-zinc-50">
          <FilePane
            workspaceId={workspaceId}
            paths={paths}
            binarySizes={binarySizes}
            selected={openPath}
            readOnly={!canEdit}
            presence={presence}
            onOpen={(path) => openFile(path)}
            onRenamed={(from, to) => {
              if (openPath === from) setParam({ file: to });
              else if (openPath?.startsWith(`${from}/`)) setParam({ file: to + openPath.slice(from.length) });
            }}
          />
        </aside>
        <main className="min-h-0 min-w-0">
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
                <EditorPane
                  path={openPath}
                  file={openFileEntry}
                  doc={doc}
                  onUserActivity={stopFollowingOnActivity}
                  jumpTo={jump}
                  awareness={awareness}
                  readOnly={!canEdit}
                  synced={status.synced}
                  here={here}
                  scrollTo={scrollTo}
                />
              </div>
            </div>
          )}
        </main>
        <aside aria-label="AI tasks" className="flex min-h-0 flex-col border-l border-zinc-200 bg-white">
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
                onReview={() => setParam({ review: '1' })}
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
            if (path !== openPath) openFile(path);
            if (line !== null) setJump((prev) => ({ line, seq: (prev?.seq ?? 0) + 1 }));
          }}
        />
      ) : null}
      {sharing ? (
        <ShareDialog workspace={{ id: workspaceId, name }} me={me} onClose={() => setSharing(false)} />
      ) : null}
    </div>
  );
}
