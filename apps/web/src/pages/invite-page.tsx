// Joining through an invite link: sign in or up first if needed, then accept and go straight to the workspace.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useLocation } from 'wouter';
import { Button, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import type { Me } from '../session.ts';
import { useTRPC } from '../trpc.ts';
import { AuthPage } from './auth-page.tsx';

export function InvitePage({ token, me }: { token: string; me: Me | null }) {
  if (!me)
    return <AuthPage intro="Sign in or create an account to join the workspace you were invited to." />;
  return <AcceptInvite token={token} />;
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
