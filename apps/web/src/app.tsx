import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent } from 'react';
import { errorMessage } from './errors.ts';
import { useTRPC } from './trpc.ts';

export function App() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (me.isPending) return <main className="center">Loading…</main>;
  if (me.isError) return <main className="center">{errorMessage(me.error)}</main>;
  return me.data ? <Workspaces name={me.data.name} /> : <SignIn />;
}

function SignIn() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [form, setForm] = useState({ email: '', password: '', name: '' });
  const onDone = () => queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
  const signIn = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess: onDone }));
  const signUp = useMutation(trpc.auth.signUp.mutationOptions({ onSuccess: onDone }));
  const active = mode === 'signIn' ? signIn : signUp;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (mode === 'signIn') signIn.mutate({ email: form.email, password: form.password });
    else signUp.mutate(form);
  };

  return (
    <main className="center">
      <form className="card" onSubmit={submit} aria-labelledby="auth-title">
        <h1 id="auth-title">{mode === 'signIn' ? 'Sign in to Tandem' : 'Create your account'}</h1>
        {mode === 'signUp' && (
          <label>
            Name
            <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
          </label>
        )}
        <label>
          Email
          <input
            type="email"
            autoComplete="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
            required
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
            minLength={mode === 'signUp' ? 10 : undefined}
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            required
          />
        </label>
        {active.isError && (
          <p role="alert" className="error">
            {errorMessage(active.error)}
          </p>
        )}
        <button type="submit" disabled={active.isPending}>
          {mode === 'signIn' ? 'Sign in' : 'Sign up'}
        </button>
        <button
          type="button"
          className="link"
          onClick={() => setMode(mode === 'signIn' ? 'signUp' : 'signIn')}
        >
          {mode === 'signIn' ? 'No account yet? Sign up' : 'Have an account? Sign in'}
        </button>
      </form>
    </main>
  );
}

function Workspaces({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.workspace.list.queryOptions());
  const [newName, setNewName] = useState('');
  const create = useMutation(
    trpc.workspace.create.mutationOptions({
      onSuccess: () => {
        setNewName('');
        return queryClient.invalidateQueries({ queryKey: trpc.workspace.list.queryKey() });
      },
    }),
  );
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }),
  );

  return (
    <main className="page">
      <header className="bar">
        <strong>Tandem</strong>
        <span>
          {name}{' '}
          <button type="button" className="link" onClick={() => signOut.mutate()}>
            Sign out
          </button>
        </span>
      </header>
      <h1>Your workspaces</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name: newName });
        }}
      >
        <label className="sr-only" htmlFor="new-ws">
          New workspace name
        </label>
        <input
          id="new-ws"
          placeholder="New workspace name"
          value={newName}
          onChange={(e) => setNewName(e.target.value)}
          required
        />
        <button type="submit" disabled={create.isPending}>
          Create
        </button>
      </form>
      {create.isError && (
        <p role="alert" className="error">
          {errorMessage(create.error)}
        </p>
      )}
      {list.isPending && <p>Loading…</p>}
      {list.isError && <p role="alert">{errorMessage(list.error)}</p>}
      {list.data?.length === 0 && <p className="muted">No workspaces yet. Create one to start.</p>}
      <ul className="list">
        {list.data?.map((w) => (
          <li key={w.id}>
            <span>{w.name}</span>
            <span className="muted">
              {w.role} · {w.memberCount} member{w.memberCount === 1 ? '' : 's'}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}
