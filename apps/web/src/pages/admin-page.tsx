// The admin console: users (admin flag, disable), workspaces, the audit log, instance settings (model
// provider with a write-only key, quotas and budgets), security alerts and task quality per model. Loaded on demand; the server checks the admin flag.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { auditActionLabel, auditDetailsText, maxLimitPoints, maxLimitWindowSeconds } from '@tandem/core';
import type { AppRouter } from '@tandem/server/router';
import type { inferRouterOutputs } from '@trpc/server';
import { Tabs } from 'radix-ui';
import { useState, type SyntheticEvent } from 'react';
import { AppHeader } from '../components/app-header.tsx';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, Field, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import type { Me } from '../session.ts';
import { timeAgo } from '../time.ts';
import { useTRPC } from '../trpc.ts';
import { InstanceFeatureFlags } from '../workspace/feature-flags.tsx';
import { Quality } from './admin-quality.tsx';
import { Security } from './admin-security.tsx';

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
            <Tabs.Trigger value="security" className={tab}>
              Security
            </Tabs.Trigger>
            <Tabs.Trigger value="quality" className={tab}>
              Quality
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
          <Tabs.Content value="security">
            <Security />
          </Tabs.Content>
          <Tabs.Content value="quality">
            <Quality />
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
  const [resetFor, setResetFor] = useState<{ name: string; url: string; expiresAt: Date } | null>(null);
  const resetLink = useMutation(
    trpc.admin.users.resetLink.mutationOptions({
      onSuccess: (link) => setResetFor({ name: link.user.name, url: link.url, expiresAt: link.expiresAt }),
      onError: options.onError,
    }),
  );
  if (users.isPending) return <PageState title="Loading users…" busy />;
  if (users.isError)
    return (
      <PageState title="Could not load users" tone="error">
        {errorMessage(users.error)}
      </PageState>
    );
  return (
    <div className="grid gap-3">
      {resetFor ? (
        <section
          aria-label="Password reset link"
          className="grid gap-2 rounded-lg border border-indigo-200 bg-indigo-50 p-3 text-sm"
        >
          <p>
            Give this link to {resetFor.name}; it works once, until {resetFor.expiresAt.toLocaleString()}, and
            replaces any earlier link. Using it signs {resetFor.name} out everywhere.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <input
              readOnly
              aria-label={`Reset link for ${resetFor.name}`}
              value={resetFor.url}
              onFocus={(e) => e.currentTarget.select()}
              className="h-8 min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 font-mono text-xs"
            />
            <Button size="sm" onClick={() => void navigator.clipboard.writeText(resetFor.url)}>
              Copy
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setResetFor(null)}>
              Done
            </Button>
          </div>
        </section>
      ) : null}
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
                <Button
                  size="sm"
                  variant="ghost"
                  busy={resetLink.isPending && resetLink.variables.userId === u.id}
                  onClick={() => resetLink.mutate({ userId: u.id })}
                  aria-label={`Password reset link for ${u.name}`}
                >
                  Reset link
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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

const actionFamilies = [
  'auth.',
  'admin.',
  'user.',
  'workspace.',
  'invite.',
  'member.',
  'settings.',
  'task.',
  'git.',
  'check.',
];

function Audit() {
  const trpc = useTRPC();
  const toast = useToast();
  const users = useQuery(trpc.admin.users.list.queryOptions());
  const [actorId, setActorId] = useState('');
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  // Dates are whole days in the browser's time zone; `until` includes its day.
  const filter = {
    ...(actorId ? { actorId } : {}),
    ...(action ? { action } : {}),
    ...(since ? { since: new Date(`${since}T00:00`) } : {}),
    ...(until ? { until: new Date(new Date(`${until}T00:00`).getTime() + 86_400_000) } : {}),
  };
  const list = useQuery(trpc.admin.audit.list.queryOptions({ limit: 100, ...filter }));
  const queryClient = useQueryClient();
  const [exporting, setExporting] = useState(false);
  const exportCsv = async () => {
    setExporting(true);
    try {
      const file = await queryClient.query(trpc.admin.audit.csv.queryOptions(filter, { staleTime: 0 }));
      const url = URL.createObjectURL(new Blob([file.csv], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      link.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      toast({ title: 'Could not export the audit log', description: errorMessage(error), tone: 'error' });
    } finally {
      setExporting(false);
    }
  };
  const control = 'h-8 rounded-md border border-zinc-300 bg-white px-2 text-sm';
  return (
    <div className="grid gap-3">
      <form
        aria-label="Filter the audit log"
        className="flex flex-wrap items-end gap-3 text-sm"
        onSubmit={(e) => e.preventDefault()}
      >
        <label className="grid gap-1">
          Who
          <select value={actorId} onChange={(e) => setActorId(e.target.value)} className={control}>
            <option value="">Anyone</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.email})
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          What
          <select value={action} onChange={(e) => setAction(e.target.value)} className={control}>
            <option value="">Every action</option>
            {actionFamilies.map((family) => (
              <option key={family} value={family}>
                {family}*
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          From
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} className={control} />
        </label>
        <label className="grid gap-1">
          To
          <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} className={control} />
        </label>
        <Button size="sm" busy={exporting} onClick={() => void exportCsv()}>
          Export CSV
        </Button>
      </form>
      {list.isPending ? (
        <PageState title="Loading the audit log…" busy />
      ) : list.isError ? (
        <PageState title="Could not load the audit log" tone="error">
          {errorMessage(list.error)}
        </PageState>
      ) : list.data.length === 0 ? (
        <PageState title="Nothing recorded that matches" />
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-zinc-200 bg-white">
          <caption className="sr-only">Audit log, newest first</caption>
          <thead className="bg-zinc-50">
            <tr>
              <th className={th}>When</th>
              <th className={th}>What</th>
              <th className={th}>Who</th>
              <th className={th}>Where</th>
              <th className={th}>Details</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {list.data.map((row) => (
              <tr key={row.id}>
                <td className={td} title={new Date(row.at).toISOString()}>
                  {timeAgo(row.at)}
                </td>
                <td className={td}>
                  {auditActionLabel(row.action)}
                  <span className="block font-mono text-xs text-zinc-600">{row.action}</span>
                </td>
                <td className={td}>
                  {row.actorName ?? (row.actorId ? 'a deleted account' : 'the system')}
                  {row.ip ? <span className="block text-xs text-zinc-600">from {row.ip}</span> : null}
                </td>
                <td className={td}>
                  {row.workspaceName ?? '—'}
                  {row.targetName ? (
                    <span className="block text-xs text-zinc-600">for {row.targetName}</span>
                  ) : null}
                </td>
                <td className={`${td} max-w-xs break-words text-xs`}>{auditDetailsText(row.meta)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
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
      <PricesForm initial={settings.data.prices} />
      <InstanceFeatureFlags initial={settings.data.features} />
      <RateLimits />
    </div>
  );
}

type PriceRow = { key: number; model: string; input: string; output: string };

/**
 * The price table, edited as a whole: saving replaces it (`setPrices`), so a model removed here has no price
 * and its tasks' cost shows as unknown.
 */
function PricesForm({
  initial,
}: {
  initial: Readonly<Record<string, { inputPerMTok: number; outputPerMTok: number }>>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [rows, setRows] = useState<PriceRow[]>(() =>
    Object.entries(initial)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([model, price], key) => ({
        key,
        model,
        input: String(price.inputPerMTok),
        output: String(price.outputPerMTok),
      })),
  );
  const [nextKey, setNextKey] = useState(rows.length);
  const save = useMutation(
    trpc.admin.settings.setPrices.mutationOptions({
      onSuccess: async () => {
        toast({ title: 'Prices saved', tone: 'success' });
        await queryClient.invalidateQueries(trpc.admin.settings.get.queryFilter());
      },
    }),
  );
  const update = (key: number, change: Partial<PriceRow>) =>
    setRows((all) => all.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const price = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
  const problem = (row: PriceRow): string | undefined => {
    const name = row.model.trim();
    if (!name) return 'Enter a model name.';
    if (rows.some((other) => other.key !== row.key && other.model.trim() === name))
      return 'This model is listed twice.';
    for (const value of [price(row.input), price(row.output)])
      if (!Number.isFinite(value) || value < 0) return 'Prices are numbers of 0 or more.';
    return undefined;
  };
  const ok = rows.every((row) => !problem(row));
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (!ok) return;
    save.mutate(
      Object.fromEntries(
        rows.map((row) => [
          row.model.trim(),
          { inputPerMTok: price(row.input), outputPerMTok: price(row.output) },
        ]),
      ),
    );
  };
  const input = 'h-8 w-full rounded-md border border-zinc-300 px-2 text-sm';
  return (
    <form
      onSubmit={submit}
      aria-labelledby="prices-heading"
      className="grid content-start gap-3 rounded-lg border border-zinc-200 bg-white p-4 md:col-span-2"
    >
      <h2 id="prices-heading" className="font-semibold">
        Model prices
      </h2>
      <p className="text-xs text-zinc-600">
        USD per million tokens, by model name. A dated or tagged name (<code>gpt-4o-2024-08-06</code>) uses
        its family&apos;s price; a model not listed has an unknown cost and counts nothing against USD
        budgets.
      </p>
      <table className="w-full" aria-labelledby="prices-heading">
        <thead>
          <tr>
            <th className={th}>Model</th>
            <th className={th}>Input</th>
            <th className={th}>Output</th>
            <th className={th}>
              <span className="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const error = problem(row);
            const label = row.model.trim() || 'new model';
            return (
              <tr key={row.key} className="align-top">
                <td className="px-3 py-1">
                  <input
                    aria-label="Model name"
                    className={input}
                    value={row.model}
                    aria-invalid={error ? true : undefined}
                    onChange={(e) => update(row.key, { model: e.target.value })}
                  />
                  {error ? <p className="mt-1 text-xs text-red-800">{error}</p> : null}
                </td>
                <td className="px-3 py-1">
                  <input
                    aria-label={`Input price for ${label}`}
                    inputMode="decimal"
                    className={input}
                    value={row.input}
                    onChange={(e) => update(row.key, { input: e.target.value })}
                  />
                </td>
                <td className="px-3 py-1">
                  <input
                    aria-label={`Output price for ${label}`}
                    inputMode="decimal"
                    className={input}
                    value={row.output}
                    onChange={(e) => update(row.key, { output: e.target.value })}
                  />
                </td>
                <td className="px-3 py-1 text-right">
                  <Button
                    size="sm"
                    onClick={() => setRows((all) => all.filter((other) => other.key !== row.key))}
                    aria-label={`Remove ${label}`}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {save.isError ? (
        <p role="alert" className="text-sm text-red-800">
          {errorMessage(save.error)}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button
          onClick={() => {
            setRows((all) => [...all, { key: nextKey, model: '', input: '0', output: '0' }]);
            setNextKey((k) => k + 1);
          }}
        >
          Add model
        </Button>
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!ok}>
          Save prices
        </Button>
      </div>
    </form>
  );
}

const limitLabels: Record<string, string> = {
  signInPerIp: 'Sign-in attempts per address',
  signInFailuresPerAccountIp: 'Failed sign-ins per account and address',
  signInFailuresPerAccount: 'Failed sign-ins per account',
  signUpPerIp: 'Sign-ups per address',
  mutationsPerUser: 'Changes per user',
  tasksPerUser: 'Tasks per user',
  downloadsPerUser: 'Archive downloads per user',
};

/** `3600` → `1 h`, `900` → `15 min`, `90` → `90 s`: the largest unit that divides the window. */
function windowText(seconds: number): string {
  for (const [size, unit] of [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'min'],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size} ${unit}`;
  }
  return `${seconds} s`;
}

const sourceText = {
  default: 'default',
  environment: 'environment',
  startup: 'set at start',
  console: 'console',
} as const;

type Limit = inferRouterOutputs<AppRouter>['admin']['settings']['limits'][number];

/**
 * The rate limits in force, each with where it comes from. An admin changes one here (on every instance at once,
 * stored as the console's override) or resets it to the environment's value (its variable, else the default).
 */
function RateLimits() {
  const trpc = useTRPC();
  const limits = useQuery(trpc.admin.settings.limits.queryOptions());
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <section
      aria-labelledby="limits-heading"
      className="grid content-start gap-3 rounded-lg border border-zinc-200 bg-white p-4 md:col-span-2"
    >
      <h2 id="limits-heading" className="font-semibold">
        Rate limits
      </h2>
      <p className="text-xs text-zinc-600">
        A change here holds on every instance at once, until it is reset to the server&apos;s value (its
        variable, for example <code>30/1h</code>, else the default).
      </p>
      {limits.isPending ? (
        <p className="text-sm text-zinc-600">Loading…</p>
      ) : limits.isError ? (
        <p role="alert" className="text-sm text-red-800">
          {errorMessage(limits.error)}
        </p>
      ) : (
        <table className="w-full" aria-labelledby="limits-heading">
          <thead>
            <tr>
              <th className={th}>Limit</th>
              <th className={th}>Allowed</th>
              <th className={th}>From</th>
              <th className={th}>Variable</th>
              <th className={th}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {limits.data.map((limit) =>
              editing === limit.name ? (
                <LimitEditor key={limit.name} limit={limit} onDone={() => setEditing(null)} />
              ) : (
                <LimitRow key={limit.name} limit={limit} onEdit={() => setEditing(limit.name)} />
              ),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

function useSetLimits(onSaved: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.admin.settings.setLimits.mutationOptions({
      onSuccess: (rules) => {
        queryClient.setQueryData(trpc.admin.settings.limits.queryKey(), rules);
        toast({ title: 'Rate limit saved', tone: 'success' });
        onSaved();
      },
    }),
  );
}

function LimitRow({ limit, onEdit }: { limit: Limit; onEdit: () => void }) {
  const label = limitLabels[limit.name] ?? limit.name;
  const reset = useSetLimits(() => undefined);
  return (
    <tr>
      <td className={td}>{label}</td>
      <td className={td}>
        {limit.points} per {windowText(limit.duration)}
      </td>
      <td className={td}>
        <Badge
          tone={limit.source === 'console' ? 'amber' : limit.source === 'default' ? 'neutral' : 'indigo'}
        >
          {sourceText[limit.source]}
        </Badge>
      </td>
      <td className={`${td} font-mono text-xs`}>{limit.variable}</td>
      <td className={`${td} text-right`}>
        <div className="flex justify-end gap-2">
          <Button size="sm" onClick={onEdit} aria-label={`Change ${label}`}>
            Change
          </Button>
          {limit.source === 'console' ? (
            <Button
              size="sm"
              busy={reset.isPending}
              aria-label={`Reset ${label}`}
              title={`Back to ${limit.fallback.points} per ${windowText(limit.fallback.duration)} (${sourceText[limit.fallback.source]})`}
              onClick={() => reset.mutate({ limits: { [limit.name]: null } })}
            >
              Reset
            </Button>
          ) : null}
        </div>
        {reset.isError ? (
          <p role="alert" className="text-xs text-red-800">
            {errorMessage(reset.error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

/** Positive whole numbers within the server's bounds (core `limitRuleSchema`), checked before sending. */
function LimitEditor({ limit, onDone }: { limit: Limit; onDone: () => void }) {
  const label = limitLabels[limit.name] ?? limit.name;
  const [form, setForm] = useState({ points: String(limit.points), duration: String(limit.duration) });
  const save = useSetLimits(onDone);
  const points = Number(form.points);
  const duration = Number(form.duration);
  const errors = {
    points:
      Number.isInteger(points) && points >= 1 && points <= maxLimitPoints
        ? undefined
        : `A whole number from 1 to ${maxLimitPoints.toLocaleString('en')}.`,
    duration:
      Number.isInteger(duration) && duration >= 1 && duration <= maxLimitWindowSeconds
        ? undefined
        : `Seconds, from 1 to ${maxLimitWindowSeconds.toLocaleString('en')} (30 days).`,
  };
  const ok = !errors.points && !errors.duration;
  return (
    <tr>
      <td className={td}>{label}</td>
      <td className={td} colSpan={3}>
        <form
          id={`limit-${limit.name}`}
          className="flex flex-wrap items-start gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (ok) save.mutate({ limits: { [limit.name]: { points, duration } } });
          }}
        >
          <Field
            label={`Allowed ${label.toLowerCase()}`}
            inputMode="numeric"
            value={form.points}
            error={errors.points}
            onChange={(e) => setForm({ ...form, points: e.target.value })}
          />
          <Field
            label="Per window of seconds"
            inputMode="numeric"
            value={form.duration}
            error={errors.duration}
            hint={ok ? windowText(duration) : undefined}
            onChange={(e) => setForm({ ...form, duration: e.target.value })}
          />
        </form>
        {save.isError ? (
          <p role="alert" className="text-sm text-red-800">
            {errorMessage(save.error)}
          </p>
        ) : null}
      </td>
      <td className={`${td} text-right`}>
        <div className="flex justify-end gap-2">
          <Button size="sm" onClick={onDone}>
            Cancel
          </Button>
          <Button
            size="sm"
            type="submit"
            form={`limit-${limit.name}`}
            variant="primary"
            busy={save.isPending}
            disabled={!ok}
          >
            Save
          </Button>
        </div>
      </td>
    </tr>
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
  const check = useMutation(trpc.admin.settings.testLlm.mutationOptions());
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
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save model settings
        </Button>
        <Button busy={check.isPending} onClick={() => check.mutate()}>
          Test connection
        </Button>
      </div>
      <ConnectionResult check={check} />
    </form>
  );
}

type EndpointCheck = inferRouterOutputs<AppRouter>['admin']['settings']['testLlm'];

function ConnectionResult({
  check,
}: {
  check: { data: EndpointCheck | undefined; error: unknown; isError: boolean };
}) {
  if (check.isError)
    return (
      <p role="alert" className="text-sm text-red-800">
        {errorMessage(check.error)}
      </p>
    );
  const result = check.data;
  if (!result) return null;
  return result.ok ? (
    <p role="status" className="text-sm text-emerald-800">
      Connected to {result.baseUrl} in {result.latencyMs} ms.{' '}
      {result.modelListed
        ? `It offers ${result.model}.`
        : `Its model list does not name ${result.model}; check the model name.`}
    </p>
  ) : (
    <p role="alert" className="text-sm text-red-800">
      Connection failed ({result.code}
      {result.status === null ? '' : `, HTTP ${result.status}`}): {result.message}
    </p>
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
