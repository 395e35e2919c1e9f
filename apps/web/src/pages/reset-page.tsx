// Setting a new password with a one-time link an admin issued: says whose account it is, asks for the new password
// twice, and signs this browser in.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { useLocation } from 'wouter';
import { AuthCard } from '../components/auth-card.tsx';
import { Button, Field, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';

const MIN_PASSWORD = 10;

export function ResetPage({ token }: { token: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const link = useQuery(trpc.auth.resetLink.queryOptions({ token }, { retry: false }));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        navigate('/', { replace: true });
      },
    }),
  );
  if (link.isPending) return <PageState title="Opening the reset link…" busy />;
  if (link.isError) {
    return (
      <PageState title="This reset link cannot be used" tone="error">
        <p>{errorMessage(link.error)}</p>
        <Button className="mt-4" onClick={() => navigate('/', { replace: true })}>
          Go to sign in
        </Button>
      </PageState>
    );
  }
  const tooShort = password.length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : undefined;
  const mismatch = again !== password ? 'The two passwords differ.' : undefined;
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!tooShort && !mismatch) reset.mutate({ token, password });
  };
  return (
    <AuthCard titleId="reset-title" onSubmit={submit}>
      <div className="grid gap-1">
        <h1 id="reset-title" className="text-xl font-semibold">
          Set a new password
        </h1>
        <p className="text-sm text-zinc-600">
          For {link.data.name} ({link.data.email}). Setting it signs you out everywhere else and signs you in
          here.
        </p>
      </div>
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        hint={`At least ${MIN_PASSWORD} characters.`}
        error={submitted ? tooShort : undefined}
      />
      <Field
        label="New password again"
        type="password"
        autoComplete="new-password"
        value={again}
        onChange={(e) => setAgain(e.target.value)}
        error={submitted ? mismatch : undefined}
      />
      {reset.isError && (
        <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
          {errorMessage(reset.error)}
        </p>
      )}
      <Button type="submit" variant="primary" busy={reset.isPending}>
        Set password and sign in
      </Button>
    </AuthCard>
  );
}
