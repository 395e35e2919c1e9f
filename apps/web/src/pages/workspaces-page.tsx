// The signed-in home: my workspaces with role and last activity; create, rename, archive, share.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { AppHeader } from '../components/app-header.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, Field, PageState, roleTone } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import type { Me } from '../session.ts';
import { timeAgo } from '../time.ts';
import { useTRPC } from '../trpc.ts';
import { RenameDialog } from './rename-dialog.tsx';
import { ShareDialog } from './share-dialog.tsx';

export function WorkspacesPage({ me }: { me: Me }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [, navigate] = useLocation();
  const [showArchived, setShowArchived] = useState(false);
  const list = useQuery(trpc.workspace.list.queryOptions({ includeArchived: showArchived }));
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const templates = useQuery(trpc.workspace.templates.queryOptions());
  const chosen = templates.data?.find((t) => t.id === template);
  const [sharing, setSharing] = useState<{ id: string; name: string } | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.workspace.list.pathKey() });
  const onError = (title: string) => (error: unknown) =>
    toast({ title, description: errorMessage(error), tone: 'error' });
  const create = useMutation(
    trpc.workspace.create.mutationOptions({
      onSuccess: (ws) => {
        setName('');
        setTemplate('');
        void refresh();
        navigate(`/w/${ws.id}`);
      },
    }),
  );
  const archive = useMutation(
    trpc.workspace.archive.mutationOptions({ onSuccess: refresh, onError: onError('Could not archive') }),
  );

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (name.trim()) create.mutate({ name: name.trim(), ...(template ? { template } : {}) });
  };

  return (
    <div className="flex min-h-full flex-col">
      <AppHeader me={me} />
      <main className="mx-auto grid w-full max-w-4xl gap-6 p-6">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold">Your workspaces</h1>
            <p className="text-sm text-zinc-600">
              Shared files, live edits and AI tasks, one place per project.
            </p>
          </div>
          <form onSubmit={submit} className="grid gap-1">
            <div className="flex flex-wrap items-end gap-2">
              <Field
                label="New workspace"
                placeholder="e.g. checkout-service"
                value={name}
                maxLength={120}
                onChange={(e) => setName(e.target.value)}
                error={create.isError ? errorMessage(create.error) : undefined}
              />
              <div className="grid gap-1">
                <label htmlFor="new-workspace-template" className="text-sm font-medium text-zinc-800">
                  Start from
                </label>
                <select
                  id="new-workspace-template"
                  value={template}
                  onChange={(e) => setTemplate(e.target.value)}
                  aria-describedby="new-workspace-template-help"
                  className="h-9 rounded-md border border-zinc-300 bg-white px-2 text-sm"
                >
                  <option value="">An empty workspace</option>
                  {(templates.data ?? []).map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </div>
              <Button type="submit" variant="primary" busy={create.isPending} disabled={!name.trim()}>
                Create
              </Button>
            </div>
            <p id="new-workspace-template-help" className="text-xs text-zinc-600">
              {chosen
                ? `${chosen.description} ${chosen.files} files; its checks pass as it comes.`
                : 'Upload files or an archive once it is created, or start from a template.'}
            </p>
          </form>
        </div>
        <label className="flex items-center gap-2 text-sm text-zinc-700">
          <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
          Show archived
        </label>
        {list.isPending ? (
          <PageState title="Loading workspaces…" busy />
        ) : list.isError ? (
          <PageState title="Could not load your workspaces" tone="error">
            {errorMessage(list.error)}
          </PageState>
        ) : list.data.length === 0 ? (
          <PageState title="No workspaces yet">
            Create one above, or open an invite link a teammate sent you.
          </PageState>
        ) : (
          <ul
            aria-label="Workspaces"
            className="divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 bg-white"
          >
            {list.data.map((w) => (
              <li key={w.id} className="flex flex-wrap items-center gap-3 px-4 py-3 hover:bg-zinc-50">
                <div className="grid min-w-0 flex-1 gap-0.5">
                  <Link
                    href={`/w/${w.id}`}
                    className="truncate font-medium text-zinc-900 hover:text-indigo-700 hover:underline"
                  >
                    {w.name}
                  </Link>
                  <span className="text-xs text-zinc-600">
                    {w.memberCount} member{w.memberCount === 1 ? '' : 's'} · active{' '}
                    {timeAgo(w.lastActivityAt)}
                  </span>
                </div>
                {w.archivedAt ? <Badge>archived</Badge> : null}
                <Badge tone={roleTone[w.role]}>{w.role}</Badge>
                {w.role === 'owner' ? (
                  <div className="flex gap-1">
                    <Button size="sm" variant="ghost" onClick={() => setSharing({ id: w.id, name: w.name })}>
                      Share
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setRenaming({ id: w.id, name: w.name })}>
                      Rename
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`${w.archivedAt ? 'Restore' : 'Archive'} ${w.name}`}
                      onClick={() => archive.mutate({ workspaceId: w.id, archived: !w.archivedAt })}
                    >
                      {w.archivedAt ? 'Restore' : 'Archive'}
                    </Button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </main>
      {sharing ? <ShareDialog workspace={sharing} me={me} onClose={() => setSharing(null)} /> : null}
      {renaming ? <RenameDialog workspace={renaming} onClose={() => setRenaming(null)} /> : null}
    </div>
  );
}
