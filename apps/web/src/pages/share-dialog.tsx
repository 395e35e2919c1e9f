// Sharing a workspace: make an invite link with a role, see and revoke open invites, change or remove members.
import type { MemberRole } from '@tandem/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../components/dialog.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, roleTone, Spinner } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { withArticle } from '../roles.ts';
import type { Me } from '../session.ts';
import { timeAgo } from '../time.ts';
import { useTRPC } from '../trpc.ts';
import { WorkspaceFeatureFlags } from '../workspace/feature-flags.tsx';
import { ReviewPolicy } from '../workspace/review-policy.tsx';

const roles: MemberRole[] = ['owner', 'editor', 'reviewer'];
const roleHelp: Record<MemberRole, string> = {
  owner: 'everything, including sharing',
  editor: 'edits files, runs and decides AI tasks',
  reviewer: 'watches live, read-only',
};

export function ShareDialog({
  workspace,
  me,
  onClose,
}: {
  workspace: { id: string; name: string };
  me: Me;
  onClose: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const workspaceId = workspace.id;
  const [role, setRole] = useState<MemberRole>('editor');
  // Links made while this dialog is open, by invite id: the server keeps only a hash of each token, so a URL
  // can be shown only to the person who just made it, and every one of them stays visible.
  const [links, setLinks] = useState<ReadonlyMap<string, string>>(new Map());
  const [copied, setCopied] = useState<string | null>(null);
  const members = useQuery(trpc.workspace.members.list.queryOptions({ workspaceId }));
  const invites = useQuery(trpc.workspace.invite.list.queryOptions({ workspaceId }));
  const onError = (title: string) => (error: unknown) =>
    toast({ title, description: errorMessage(error), tone: 'error' });
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.workspace.members.list.queryKey({ workspaceId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.workspace.invite.list.queryKey({ workspaceId }) }),
    ]);
  const createInvite = useMutation(
    trpc.workspace.invite.create.mutationOptions({
      onSuccess: (invite) => {
        setLinks((prev) => new Map([...prev, [invite.inviteId, invite.url]]));
        setCopied(null);
        void refresh();
      },
      onError: onError('Could not create the invite'),
    }),
  );
  const revoke = useMutation(
    trpc.workspace.invite.revoke.mutationOptions({
      onSuccess: refresh,
      onError: onError('Could not revoke'),
    }),
  );
  const setMemberRole = useMutation(
    trpc.workspace.members.setRole.mutationOptions({
      onSuccess: refresh,
      onError: onError('Could not change the role'),
    }),
  );
  const remove = useMutation(
    trpc.workspace.members.remove.mutationOptions({
      onSuccess: refresh,
      onError: onError('Could not remove'),
    }),
  );

  const copy = async (inviteId: string, url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(inviteId);
    } catch {
      toast({ title: 'Copy the link by hand', description: 'The browser did not allow clipboard access.' });
    }
  };

  return (
    <Dialog
      open
      wide
      onOpenChange={(open) => !open && onClose()}
      title={`Share ${workspace.name}`}
      description="Invite links work once and expire after 7 days."
    >
      <section aria-labelledby="invite-heading" className="grid gap-2">
        <h3 id="invite-heading" className="text-sm font-semibold">
          Invite link
        </h3>
        <div className="flex flex-wrap items-center gap-2">
          <label className="flex items-center gap-2 text-sm">
            Role
            <select
              value={role}
              onChange={(e) => setRole(e.target.value as MemberRole)}
              className="h-9 rounded-md border border-zinc-300 bg-white px-2 text-sm"
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r} — {roleHelp[r]}
                </option>
              ))}
            </select>
          </label>
          <Button
            variant="primary"
            busy={createInvite.isPending}
            onClick={() => createInvite.mutate({ workspaceId, role })}
          >
            Create link
          </Button>
        </div>
        {invites.data && invites.data.length > 0 ? (
          <ul aria-label="Open invites" className="grid gap-2 text-sm">
            {invites.data.map((invite) => {
              const url = links.get(invite.id);
              return (
                <li key={invite.id} className="grid gap-1 rounded-md border border-zinc-200 p-2">
                  <div className="flex items-center gap-2">
                    <Badge tone={roleTone[invite.role]}>{invite.role}</Badge>
                    <span className="flex-1 text-zinc-600">
                      expires {new Date(invite.expiresAt).toLocaleString()}
                    </span>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => revoke.mutate({ workspaceId, inviteId: invite.id })}
                    >
                      Revoke
                    </Button>
                  </div>
                  {url ? (
                    <div className="flex items-center gap-2 rounded-md bg-indigo-50 p-2">
                      <input
                        readOnly
                        aria-label={`Invite link for ${withArticle(invite.role)}`}
                        value={url}
                        onFocus={(e) => e.target.select()}
                        className="h-8 min-w-0 flex-1 rounded border border-indigo-200 bg-white px-2 font-mono text-xs"
                      />
                      <Button size="sm" onClick={() => void copy(invite.id, url)}>
                        {copied === invite.id ? 'Copied' : 'Copy'}
                      </Button>
                    </div>
                  ) : (
                    <p className="text-xs text-zinc-600">
                      The link was shown when it was made; revoke it and make a new one if it is lost.
                    </p>
                  )}
                </li>
              );
            })}
          </ul>
        ) : null}
      </section>
      <section aria-labelledby="members-heading" className="grid gap-2">
        <h3 id="members-heading" className="text-sm font-semibold">
          Members
        </h3>
        {members.isPending ? (
          <Spinner />
        ) : members.isError ? (
          <p role="alert" className="text-sm text-red-800">
            {errorMessage(members.error)}
          </p>
        ) : (
          <ul aria-label="Members" className="divide-y divide-zinc-200 rounded-md border border-zinc-200">
            {members.data.map((m) => (
              <li key={m.userId} className="flex items-center gap-2 px-3 py-2 text-sm">
                <div className="grid min-w-0 flex-1">
                  <span className="font-medium">
                    {m.name}
                    {m.userId === me.id ? ' (you)' : ''}
                  </span>
                  <span className="truncate text-xs text-zinc-600">
                    {m.email === null ? '' : `${m.email} · `}joined {timeAgo(m.joinedAt)}
                  </span>
                </div>
                <select
                  aria-label={`Role of ${m.name}`}
                  value={m.role}
                  onChange={(e) =>
                    setMemberRole.mutate({
                      workspaceId,
                      userId: m.userId,
                      role: e.target.value as MemberRole,
                    })
                  }
                  className="h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm"
                >
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Remove ${m.name}`}
                  onClick={() => remove.mutate({ workspaceId, userId: m.userId })}
                >
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <ReviewPolicy workspaceId={workspaceId} />
      <WorkspaceFeatureFlags workspaceId={workspaceId} />
    </Dialog>
  );
}
