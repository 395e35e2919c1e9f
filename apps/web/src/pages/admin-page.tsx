// The admin console: users (admin flag, disable), workspaces, the audit log and instance settings (model
// provider with a write-only key, quotas and budgets). Loaded on demand; the server checks the admin flag.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Tabs } from 'radix-ui';
import { useState, type SyntheticEvent } from 'react';
import { AppHeader } from '../components/app-header.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, Field, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import type { Me } from '../session.ts';
import { timeAgo } from '../time.ts';
import { useTRPC } from '../trpc.ts';

const tab =
  'h-9 border-b-2 border-transparent px-3 text-sm text-zinc-700 data-[state=active]:border-indigo-600 data-[state=active]:font-semibold data-[state=active]:text-zinc-900';
const th = 'px-3 py-2 text-left text-xs font-semibold text-zinc-600 uppercase';
const td = 'px-3 py-2 text-sm';

export default function AdminPage({ me }: { me: Me }) {
  if (!me.isAdmin) {
    return (
      <div className="flex h-full flex-col">
        <AppHeader me={me} />
        <PageState title="Admins only" tone="error">
          This console is for instance admins. An admin can grant the flag here, or on the server with{' '}
          <code>pnpm --filter @tandem/server admin you@example.com</code>.
        </PageState>
      </div>
    );
  }
  return (
    <div className="flex min-h-full flex-col">
      <AppHeader me={me}>
        <h1 className="text-sm font-semibold">Admin console</h1>
      </AppHeader>
      <main className="mx-auto w-full max-w-5xl p-6">
        <Tabs.Root defaultValue="users" className="grid gap-4">
          <Tabs.List aria-label="Admin sections" className="flex border-b border-zinc-200">
            <Tabs.Trigger value="users" className={tab}>
              Users
            </Tabs.Trigger>
            <Tabs.Trigger value="workspaces" className={tab}>
              Workspaces
            </Tabs.Trigger>
            <Tabs.Trigger value="audit" className={tab}>
              Audit log
            </Tabs.Trigger>
            <Tabs.Trigger value="settings" className={tab}>
              Settings
            </Tabs.Trigger>
          </Tabs.List>
          <Tabs.Content value="users">
            <Users me={me} />
          </Tabs.Content>
          <Tabs.Content value="workspaces">
            <Workspaces />
          </Tabs.Content>
          <Tabs.Content value="audit">
            <Audit />
          </Tabs.Content>
          <Tabs.Content value="settings">
            <Settings />
          </Tabs.Content>
        </Tabs.Root>
      </main>
    </div>
  );
}

function Users({ me }: { me: Me }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const users = useQuery(trpc.admin.users.list.queryOptions());
  const options = {
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.queryKey() }),
    onError: (error: unknown) =>
      toast({ title: 'Change refused', description: errorMessage(error), tone: 'error' }),
  };
  const setAdmin = useMutation(trpc.admin.users.setAdmin.mutationOptions(options));
  const setDisabled = useMutation(trpc.admin.users.setDisabled.mutationOptions(options));
  if (users.isPending) return <PageState title="Loading users…" busy />;
  if (users.isError)
    return (
      <PageState title="Could not load users" tone="error">
        {errorMessage(users.error)}
      </PageState>
    );
  return (
    <table className="w-full overflow-hidden rounded-lg border border-zinc-200 bg-white">
      <caption className="sr-only">Users</caption>
      <thead className="bg-zinc-50">
        <tr>
          <th className={th}>Name</th>
          <th className={th}>Email</th>
          <th className={th}>Joined</th>
          <th className={th}>Status</th>
          <th className={th}>Actions</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100">
        {users.data.map((u) => (
          <tr key={u.id}>
            <td className={td}>
              {u.name} {u.isAdmin ? <Badge tone="indigo">admin</Badge> : null}
            </td>
            <td className={td}>{u.email}</td>
            <td className={td}>{timeAgo(u.createdAt)}</td>
            <td className={td}>
              {u.disabledAt ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
            </td>
            <td className={`${td} flex gap-1`}>
              <Button
                size="sm"
                disabled={u.id === me.id}
                onClick={() => setAdmin.mutate({ userId: u.id, isAdmin: !u.isAdmin })}
                aria-label={`${u.isAdmin ? 'Revoke admin from' : 'Make admin'} ${u.name}`}
              >
                {u.isAdmin ? 'Revoke admin' : 'Make admin'}
              </Button>
              <Button
                size="sm"
                variant={u.disabledAt ? 'secondary' : 'danger'}
                disabled={u.id === me.id}
                onClick={() => setDisabled.mutate({ userId: u.id, disabled: !u.disabledAt })}
                aria-label={`${u.disabledAt ? 'Enable' : 'Disable'} ${u.name}`}
              >
                {u.disabledAt ? 'Enable' : 'Disable'}
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Workspaces() {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.workspaces.list.queryOptions());
  if (list.isPending) return <PageState title="Loading workspaces…" busy />;
  if (list.isError)
    return (
      <PageState title="Could not load workspaces" tone="error">
        {errorMessage(list.error)}
      </PageState>
    );
  if (list.data.length === 0) return <PageState title="No workspaces on this instance yet" />;
  return (
    <table className="w-full overflow-hidden rounded-lg border border-zinc-200 bg-white">
      <caption className="sr-only">Workspaces</caption>
      <thead className="bg-zinc-50">
        <tr>
          <th className={th}>Name</th>
          <th className={th}>Members</th>
          <th className={th}>Created</th>
          <th className={th}>Status</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100">
        {list.data.map((w) => (
          <tr key={w.id}>
            <td className={td}>{w.name}</td>
            <td className={td}>{w.memberCount}</td>
            <td className={td}>{timeAgo(w.createdAt)}</td>
            <td className={td}>
              {w.archivedAt ? <Badge>archived</Badge> : <Badge tone="green">active</Badge>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Audit() {
  const trpc = useTRPC();
  const list = useQuery(trpc.admin.audit.list.queryOptions({ limit: 100 }));
  if (list.isPending) return <PageState title="Loading the audit log…" busy />;
  if (list.isError)
    return (
      <PageState title="Could not load the audit log" tone="error">
        {errorMessage(list.error)}
      </PageState>
    );
  if (list.data.length === 0) return <PageState title="Nothing recorded yet" />;
  return (
    <table className="w-full overflow-hidden rounded-lg border border-zinc-200 bg-white">
      <caption className="sr-only">Audit log, newest first</caption>
      <thead className="bg-zinc-50">
        <tr>
          <th className={th}>When</th>
          <th className={th}>Action</th>
          <th className={th}>Actor</th>
          <th className={th}>IP</th>
          <th className={th}>Details</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100">
        {list.data.map((row) => (
          <tr key={row.id}>
            <td className={td} title={new Date(row.at).toISOString()}>
              {timeAgo(row.at)}
            </td>
            <td className={`${td} font-mono text-xs`}>{row.action}</td>
            <td className={`${td} font-mono text-xs`}>{row.actorId ?? '—'}</td>
            <td className={td}>{row.ip ?? '—'}</td>
            <td className={`${td} max-w-xs truncate font-mono text-xs`} title={JSON.stringify(row.meta)}>
              {Object.keys(row.meta).length ? JSON.stringify(row.meta) : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Settings() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.admin.settings.get.queryOptions());
  if (settings.isPending) return <PageState title="Loading settings…" busy />;
  if (settings.isError)
    return (
      <PageState title="Could not load settings" tone="error">
        {errorMessage(settings.error)}
      </PageState>
    );
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <LlmForm initial={settings.data.llm} />
      <CostForm initial={settings.data.cost} />
    </div>
  );
}

type Provider = 'openai-compatible' | 'anthropic';

function LlmForm({
  initial,
}: {
  initial: {
    provider: Provider | null;
    baseUrl: string | null;
    model: string | null;
    hasApiKey: boolean;
    source: string;
  };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({
    provider: initial.provider ?? '',
    baseUrl: initial.baseUrl ?? '',
    model: initial.model ?? '',
    apiKey: '',
  });
  const save = useMutation(
    trpc.admin.settings.setLlm.mutationOptions({
      onSuccess: async () => {
        setForm((f) => ({ ...f, apiKey: '' }));
        toast({ title: 'Model settings saved', tone: 'success' });
        await queryClient.invalidateQueries();
      },
    }),
  );
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    save.mutate({
      provider: form.provider === '' ? null : (form.provider as Provider),
      baseUrl: form.baseUrl.trim() || null,
      model: form.model.trim() || null,
      apiKey: form.apiKey ? form.apiKey : undefined,
    });
  };
  return (
    <form
      onSubmit={submit}
      className="grid content-start gap-3 rounded-lg border border-zinc-200 bg-white p-4"
      aria-labelledby="llm-heading"
    >
      <h2 id="llm-heading" className="font-semibold">
        Model provider
      </h2>
      <p className="text-xs text-zinc-600">
        Now from {initial.source === 'admin' ? 'these settings' : 'the server environment'}.
        {initial.hasApiKey ? ' An API key is stored; it is never shown.' : ' No API key stored.'}
      </p>
      <label className="grid gap-1 text-sm font-medium">
        Provider
        <select
          value={form.provider}
          onChange={(e) => setForm({ ...form, provider: e.target.value })}
          className="h-9 rounded-md border border-zinc-300 bg-white px-2 text-sm font-normal"
        >
          <option value="">Not set (detect Ollama)</option>
          <option value="openai-compatible">OpenAI-compatible (OpenAI, Ollama, vLLM, OpenRouter…)</option>
          <option value="anthropic">Anthropic</option>
        </select>
      </label>
      <Field
        label="Base URL"
        placeholder="https://api.openai.com/v1"
        value={form.baseUrl}
        onChange={(e) => setForm({ ...form, baseUrl: e.target.value })}
      />
      <Field
        label="Model"
        placeholder="gpt-4.1-mini"
        value={form.model}
        onChange={(e) => setForm({ ...form, model: e.target.value })}
      />
      <Field
        label="API key"
        type="password"
        autoComplete="off"
        placeholder={initial.hasApiKey ? 'Leave empty to keep the stored key' : ''}
        value={form.apiKey}
        onChange={(e) => setForm({ ...form, apiKey: e.target.value })}
      />
      {save.isError ? (
        <p role="alert" className="text-sm text-red-800">
          {errorMessage(save.error)}
        </p>
      ) : null}
      <Button type="submit" variant="primary" busy={save.isPending}>
        Save model settings
      </Button>
    </form>
  );
}

function CostForm({
  initial,
}: {
  initial: { dailyTokenQuota: number; taskBudgetTokens: number; taskBudgetUsd: number };
}) {
  const trpc = useTRPC();
  const toast = useToast();
  const [form, setForm] = useState({
    dailyTokenQuota: String(initial.dailyTokenQuota),
    taskBudgetTokens: String(initial.taskBudgetTokens),
    taskBudgetUsd: String(initial.taskBudgetUsd),
  });
  const save = useMutation(
    trpc.admin.settings.setCost.mutationOptions({
      onSuccess: () => toast({ title: 'Limits saved', tone: 'success' }),
    }),
  );
  const numbers = {
    dailyTokenQuota: Number(form.dailyTokenQuota),
    taskBudgetTokens: Number(form.taskBudgetTokens),
    taskBudgetUsd: Number(form.taskBudgetUsd),
  };
  const invalid = (value: number, integer = true) =>
    !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))
      ? 'Enter a number of 0 or more (0 = no limit).'
      : undefined;
  const errors = {
    dailyTokenQuota: invalid(numbers.dailyTokenQuota),
    taskBudgetTokens: invalid(numbers.taskBudgetTokens),
    taskBudgetUsd: invalid(numbers.taskBudgetUsd, false),
  };
  const ok = !errors.dailyTokenQuota && !errors.taskBudgetTokens && !errors.taskBudgetUsd;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (ok) save.mutate(numbers);
      }}
      className="grid content-start gap-3 rounded-lg border border-zinc-200 bg-white p-4"
      aria-labelledby="cost-heading"
    >
      <h2 id="cost-heading" className="font-semibold">
        Quotas and budgets
      </h2>
      <Field
        label="Daily tokens per user"
        inputMode="numeric"
        value={form.dailyTokenQuota}
        error={errors.dailyTokenQuota}
        hint="0 = unlimited"
        onChange={(e) => setForm({ ...form, dailyTokenQuota: e.target.value })}
      />
      <Field
        label="Token budget per task"
        inputMode="numeric"
        value={form.taskBudgetTokens}
        error={errors.taskBudgetTokens}
        hint="0 = unlimited"
        onChange={(e) => setForm({ ...form, taskBudgetTokens: e.target.value })}
      />
      <Field
        label="USD budget per task"
        inputMode="decimal"
        value={form.taskBudgetUsd}
        error={errors.taskBudgetUsd}
        hint="0 = unlimited"
        onChange={(e) => setForm({ ...form, taskBudgetUsd: e.target.value })}
      />
      {save.isError ? (
        <p role="alert" className="text-sm text-red-800">
          {errorMessage(save.error)}
        </p>
      ) : null}
      <Button type="submit" variant="primary" busy={save.isPending} disabled={!ok}>
        Save limits
      </Button>
    </form>
  );
}
