// Sign in and sign up: fields checked as you go with the same schemas the server uses; server errors in words.
import type * as AuthSchemas from '@tandem/core/auth';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { AuthCard } from '../components/auth-card.tsx';
import { Button, Field } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { useTRPC } from '../trpc.ts';

type Mode = 'signIn' | 'signUp';
type Fields = { name: string; email: string; password: string };
type FieldErrors = Partial<Record<keyof Fields, string>>;

type Schemas = typeof AuthSchemas;

// The server's own schemas check the fields; zod loads after the page so the first paint stays small.
let loaded: Schemas | null = null;
const loading = import('@tandem/core/auth').then((m) => (loaded = m));

function useSchemas(): Schemas | null {
  const [schemas, setSchemas] = useState(loaded);
  useEffect(() => {
    if (!schemas) void loading.then(setSchemas);
  }, [schemas]);
  return schemas;
}

function validate(schemas: Schemas | null, mode: Mode, form: Fields): FieldErrors {
  if (!schemas) return {};
  const result =
    mode === 'signIn'
      ? schemas.signInInput.safeParse({ email: form.email, password: form.password })
      : schemas.signUpInput.safeParse(form);
  if (result.success) return {};
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path[0];
    if ((key === 'name' || key === 'email' || key === 'password') && !errors[key]) {
      errors[key] = friendly(key, issue.message);
    }
  }
  return errors;
}

function friendly(field: keyof Fields, message: string): string {
  if (field === 'email') return 'Enter an email address like you@example.com.';
  if (field === 'name') return 'Enter the name your teammates will see.';
  return message;
}

export function AuthPage({ intro, title }: { intro?: string; title?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // A fresh instance has no one to sign in: the first visitor creates the admin account.
  const instance = useQuery(trpc.auth.instance.queryOptions(undefined, { staleTime: Infinity }));
  const firstRun = instance.data?.needsAdmin === true;
  const [chosenMode, setMode] = useState<Mode>('signIn');
  const mode: Mode = firstRun ? 'signUp' : chosenMode;
  const [form, setForm] = useState<Fields>({ name: '', email: '', password: '' });
  const [touched, setTouched] = useState<Partial<Record<keyof Fields, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const onDone = () => queryClient.invalidateQueries();
  const signIn = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess: onDone }));
  const signUp = useMutation(trpc.auth.signUp.mutationOptions({ onSuccess: onDone }));
  const active = mode === 'signIn' ? signIn : signUp;
  const schemas = useSchemas();
  const errors = validate(schemas, mode, form);
  const shown = (key: keyof Fields) => (submitted || touched[key] ? errors[key] : undefined);

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    if (mode === 'signIn') signIn.mutate({ email: form.email, password: form.password });
    else signUp.mutate(form);
  };
  const field = (key: keyof Fields) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }),
    onBlur: () => setTouched({ ...touched, [key]: true }),
    error: shown(key),
  });
  const switchMode = () => {
    setMode(mode === 'signIn' ? 'signUp' : 'signIn');
    setSubmitted(false);
    setTouched({});
    signIn.reset();
    signUp.reset();
  };

  return (
    <AuthCard titleId="auth-title" onSubmit={submit}>
      <div className="grid gap-1">
        <h1 id="auth-title" className="text-xl font-semibold">
          {firstRun
            ? 'Create the admin account'
            : (title ?? (mode === 'signIn' ? 'Sign in to Tandem' : 'Create your account'))}
        </h1>
        {firstRun ? (
          <p className="text-sm text-zinc-600">
            This Tandem has no accounts yet. The first account runs the instance: it can invite people, manage
            users and set the AI model.
          </p>
        ) : null}
        {intro ? <p className="text-sm text-zinc-600">{intro}</p> : null}
      </div>
      {mode === 'signUp' && <Field label="Name" autoComplete="name" {...field('name')} />}
      <Field label="Email" type="email" autoComplete="email" {...field('email')} />
      <Field
        label="Password"
        type="password"
        autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
        hint={mode === 'signUp' ? 'At least 10 characters.' : undefined}
        {...field('password')}
      />
      {active.isError && (
        <p role="alert" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
          {errorMessage(active.error)}
        </p>
      )}
      <Button type="submit" variant="primary" busy={active.isPending}>
        {firstRun ? 'Create admin account' : mode === 'signIn' ? 'Sign in' : 'Sign up'}
      </Button>
      {firstRun ? null : (
        <button type="button" className="text-sm text-indigo-700 hover:underline" onClick={switchMode}>
          {mode === 'signIn' ? 'No account yet? Sign up' : 'Have an account? Sign in'}
        </button>
      )}
    </AuthCard>
  );
}
