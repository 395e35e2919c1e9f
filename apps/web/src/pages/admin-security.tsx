// The admin console's Security tab: open security alerts, live through `admin.security.onChange` (raised or
// acknowledged on any instance), each with Acknowledge; and the webhook new alerts are posted to, with its
// write-only signing secret and a test delivery.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { useToast } from '../components/toast.tsx';
import { Badge, Button, Field, PageState } from '../components/ui.tsx';
import { errorMessage } from '../errors.ts';
import { timeAgo } from '../time.ts';
import { trpcClient, useTRPC } from '../trpc.ts';

const th = 'px-3 py-2 text-left text-xs font-semibold text-zinc-600 uppercase';
const td = 'px-3 py-2 text-sm';

export function Security() {
  return (
    <div className="grid gap-6">
      <Alerts />
      <WebhookForm />
    </div>
  );
}

function Alerts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const alerts = useQuery(trpc.admin.security.list.queryOptions());
  useEffect(() => {
    const sub = trpcClient.admin.security.onChange.subscribe(undefined, {
      onData: () => void queryClient.invalidateQueries({ queryKey: trpc.admin.security.list.pathKey() }),
    });
    return () => sub.unsubscribe();
  }, [queryClient, trpc]);
  const acknowledge = useMutation(
    trpc.admin.security.acknowledge.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.security.list.pathKey() }),
      onError: (error) =>
        toast({ title: 'Could not acknowledge', description: errorMessage(error), tone: 'error' }),
    }),
  );
  if (alerts.isPending) return <PageState title="Loading alerts…" busy />;
  if (alerts.isError)
    return (
      <PageState title="Could not load alerts" tone="error">
        {errorMessage(alerts.error)}
      </PageState>
    );
  return (
    <section aria-labelledby="alerts-heading" className="grid gap-2">
      <h2 id="alerts-heading" className="font-semibold">
        Open alerts
      </h2>
      {alerts.data.length === 0 ? (
        <p className="text-sm text-zinc-600">No open alerts.</p>
      ) : (
        <table className="w-full overflow-hidden rounded-lg border border-zinc-200 bg-white">
          <caption className="sr-only">Open security alerts</caption>
          <thead className="bg-zinc-50">
            <tr>
              <th className={th}>Alert</th>
              <th className={th}>Subject</th>
              <th className={th}>Times</th>
              <th className={th}>Last seen</th>
              <th className={th}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {alerts.data.map((alert) => (
              <tr key={alert.id} className="border-t border-zinc-100">
                <td className={td}>
                  <Badge tone="amber">{alert.label}</Badge>
                </td>
                <td className={`${td} font-mono text-xs break-all`}>{alert.subject}</td>
                <td className={td}>{alert.count}</td>
                <td className={td}>
                  <time dateTime={alert.lastSeen.toISOString()} title={alert.lastSeen.toLocaleString()}>
                    {timeAgo(alert.lastSeen)}
                  </time>
                </td>
                <td className={`${td} text-right`}>
                  <Button
                    size="sm"
                    aria-label={`Acknowledge ${alert.label}: ${alert.subject}`}
                    busy={acknowledge.isPending && acknowledge.variables.alertId === alert.id}
                    onClick={() => acknowledge.mutate({ alertId: alert.id })}
                  >
                    Acknowledge
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function WebhookForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const webhook = useQuery(trpc.admin.security.webhook.queryOptions());
  const [edits, setEdits] = useState<{ url?: string; secret: string }>({ secret: '' });
  const save = useMutation(
    trpc.admin.security.setWebhook.mutationOptions({
      onSuccess: async () => {
        setEdits({ secret: '' });
        toast({ title: 'Webhook saved', tone: 'success' });
        await queryClient.invalidateQueries({ queryKey: trpc.admin.security.webhook.queryKey() });
      },
    }),
  );
  const test = useMutation(trpc.admin.security.testWebhook.mutationOptions());
  if (webhook.isPending) return <PageState title="Loading the webhook…" busy />;
  if (webhook.isError)
    return (
      <PageState title="Could not load the webhook" tone="error">
        {errorMessage(webhook.error)}
      </PageState>
    );
  const url = edits.url ?? webhook.data.url ?? '';
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    save.mutate({ url: url.trim() || null, secret: edits.secret ? edits.secret : undefined });
  };
  return (
    <form
      onSubmit={submit}
      aria-labelledby="webhook-heading"
      className="grid max-w-xl content-start gap-3 rounded-lg border border-zinc-200 bg-white p-4"
    >
      <h2 id="webhook-heading" className="font-semibold">
        Alert webhook
      </h2>
      <p className="text-xs text-zinc-600">
        New alerts are posted here as JSON, signed with <code>X-Tandem-Signature</code> (HMAC-SHA256 of the
        timestamp and body).
        {webhook.data.hasSecret
          ? ' A signing secret is stored; it is never shown.'
          : ' No signing secret stored.'}
      </p>
      <Field
        label="Webhook URL"
        type="url"
        placeholder="https://hooks.example.com/tandem"
        value={url}
        onChange={(e) => setEdits({ ...edits, url: e.target.value })}
      />
      <Field
        label="Signing secret"
        type="password"
        autoComplete="off"
        placeholder={
          webhook.data.hasSecret ? 'Leave empty to keep the stored secret' : 'At least 16 characters'
        }
        value={edits.secret}
        onChange={(e) => setEdits({ ...edits, secret: e.target.value })}
      />
      {save.isError ? (
        <p role="alert" className="text-sm text-red-800">
          {errorMessage(save.error)}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save webhook
        </Button>
        <Button busy={test.isPending} disabled={!webhook.data.url} onClick={() => test.mutate()}>
          Send a test alert
        </Button>
      </div>
      {test.isError ? (
        <p role="alert" className="text-sm text-red-800">
          {errorMessage(test.error)}
        </p>
      ) : test.data ? (
        test.data.ok ? (
          <p role="status" className="text-sm text-emerald-800">
            Delivered: the receiver answered HTTP {test.data.status}.
          </p>
        ) : (
          <p role="alert" className="text-sm text-red-800">
            Not delivered
            {test.data.status === undefined
              ? `: ${test.data.error ?? 'no answer'}`
              : `: HTTP ${test.data.status}`}
            .
          </p>
        )
      ) : null}
    </form>
  );
}
