// Joining through an invite link: sign in or up first if needed, then accept and go straight to the workspace.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useLocation } from 'wouter';
import { Button, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { withArticle } from '../roles.ts';
import type { Me } from '../session.ts';
import { useTRPC } from '../trpc.ts';
import { AuthPage } from './auth-page.tsx';

export function InvitePage({ token, me }: { token: string; me: Me | null }) {
  if (!me) return <SignInToJoin token={token} />;
  return <AcceptInvite token={token} />;
}

/** Signed out: say which workspace and role the link is for (and who sent it) before asking to sign in. */
function SignInToJoin({ token }: { token: string }) {
  const trpc = useTRPC();
  const [, navigate] = useLocation();
  const preview = useQuery(trpc.workspace.invite.preview.queryOptions({ token }, { retry: false }));
  if (preview.isPending) return <PageState title="Opening the invite…" busy />;
  if (preview.isError) {
    return (
      <PageState title="This invite cannot be used" tone="error">
        <p>{errorMessage(preview.error)}</p>
        <p className="mt-2">Ask the workspace owner for a new link.</p>
        <Button className="mt-4" onClick={() => navigate('/')}>
          Go to sign in
        </Button>
      </PageState>
    );
  }
  const { workspaceName, role, invitedBy } = preview.data;
  return (
    <AuthPage
      title={`Join ${workspaceName}`}
      intro={`${invitedBy ?? 'A workspace owner'} invited you to ${workspaceName} as ${withArticle(role)}. Sign in, or create an account, to join.`}
    />
  );
}

function AcceptInvite({ token }: { token: string }) {
  const trpc = useTRPC();
  const [, navigate] = useLocation();
  const accept = useMutation(
    trpc.workspace.invite.accept.mutationOptions({
      onSuccess: (result) => navigate(`/w/${result.workspaceId}`, { replace: true }),
    }),
  );
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    accept.mutate({ token });
  }, [accept, token]);
  if (accept.isError) {
    return (
      <PageState title="This invite cannot be used" tone="error">
        <p>{errorMessage(accept.error)}</p>
        <p className="mt-2">Ask the workspace owner for a new link.</p>
        <Button className="mt-4" onClick={() => navigate('/')}>
          Go to your workspaces
        </Button>
      </PageState>
    );
  }
  return <PageState title="Joining the workspace…" busy />;
}
