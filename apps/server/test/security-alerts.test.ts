// Security monitoring through the real server: failed sign-ins over HTTP raise spike alerts that admins see live
// and acknowledge; admin grants, role changes, disabled accounts' sign-ins and rate-limit storms raise their own; the
// webhook is signed, retried after a 5xx, and refused for private addresses unless the operator allows them.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '@tandem/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { settings } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  makeClient,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';
import { wsTrpc } from './trpc-ws.ts';

type User = Awaited<ReturnType<typeof signedUpClient>>;
type Change = { alertId: number; kind: string; action: string };

const eventually = (check: () => unknown) => vi.waitFor(check, { timeout: 10_000, interval: 50 });

/** The alert changes an admin receives, through the real WebSocket subscription. */
async function watchAlerts(url: string, admin: User) {
  const socket = wsTrpc(url, admin.jar.header());
  const changes: Change[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.trpc.admin.security.onChange.subscribe(undefined, {
      onStarted: () => resolve(),
      onData: (change) => changes.push(change),
      onError: reject,
    });
  });
  return { changes, close: () => socket.close() };
}

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A webhook receiver on loopback that answers each request with the next status of `statuses` (then 200), once
 * `gate` (open unless given) resolves.
 */
async function startReceiver(statuses: number[], gate: Promise<void> = Promise.resolve()) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      void gate.then(() => res.writeHead(statuses.shift() ?? 200).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/t0ken`;
  return {
    url,
    received,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(backends)('security alerts on %s', (backend) => {
  let server: TestServer;
  let admin: User;

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = await signedUpClient(server.url, 'Admin');
  });
  afterAll(async () => {
    await server.close();
  });

  it('raises failed sign-in spikes per address and per account, live, and acknowledges them', async () => {
    const live = await watchAlerts(server.url, admin);
    const victim = await signedUpClient(server.url, 'Victim');
    const guesser = makeClient(server.url);
    // Five wrong passwords for one account, then five unknown accounts: ten failures from one address.
    for (let i = 0; i < 10; i++) {
      const email = i < 5 ? victim.email : `nobody-${i}@example.com`;
      await expectError(
        guesser.trpc.auth.signIn.mutate({ email, password: 'wrong password!' }),
        'INVALID_CREDENTIALS',
      );
    }
    await eventually(() =>
      expect(live.changes.map((c) => c.kind).sort()).toEqual([
        'sign_in_failures_account',
        'sign_in_failures_ip',
      ]),
    );
    const open = await admin.trpc.admin.security.list.query();
    const byIp = open.find((a) => a.kind === 'sign_in_failures_ip');
    const byAccount = open.find((a) => a.kind === 'sign_in_failures_account');
    expect(byIp).toMatchObject({ subject: '127.0.0.1', count: 1, acknowledgedAt: null });
    expect(byAccount).toMatchObject({ subject: victim.email, count: 1, details: { failures: 5 } });

    // Another spike from the same address counts up the open alert instead of opening a second one.
    for (let i = 0; i < 10; i++) {
      await expectError(
        guesser.trpc.auth.signIn.mutate({ email: `again-${i}@example.com`, password: 'wrong password!' }),
        'INVALID_CREDENTIALS',
      );
    }
    await eventually(async () => {
      const alerts = await admin.trpc.admin.security.list.query();
      expect(alerts.filter((a) => a.kind === 'sign_in_failures_ip').map((a) => a.count)).toEqual([2]);
    });

    await admin.trpc.admin.security.acknowledge.mutate({ alertId: byIp!.id });
    await eventually(() =>
      expect(live.changes).toContainEqual({
        alertId: byIp!.id,
        kind: 'sign_in_failures_ip',
        action: 'acknowledged',
      }),
    );
    const after = await admin.trpc.admin.security.list.query();
    expect(after.map((a) => a.id)).not.toContain(byIp!.id);
    const all = await admin.trpc.admin.security.list.query({ includeAcknowledged: true, limit: 100 });
    expect(all.find((a) => a.id === byIp!.id)).toMatchObject({
      acknowledgedBy: admin.user.id,
      acknowledgedByName: 'Admin',
    });
    await expectError(admin.trpc.admin.security.acknowledge.mutate({ alertId: byIp!.id }), 'NOT_FOUND');

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/tandem_security_alerts_total\{kind="sign_in_failures_ip"\} 2/);
    live.close();
  });

  it('raises admin grants, role changes and a disabled account signing in; only admins see them', async () => {
    const bob = await signedUpClient(server.url, 'Bob');
    await expectError(bob.trpc.admin.security.list.query(), 'FORBIDDEN');
    await expectError(bob.trpc.admin.security.webhook.query(), 'FORBIDDEN');

    await admin.trpc.admin.users.setAdmin.mutate({ userId: bob.user.id, isAdmin: true });
    const ws = await admin.trpc.workspace.create.mutate({ name: 'Watched' });
    const invite = await admin.trpc.workspace.invite.create.mutate({ workspaceId: ws.id, role: 'reviewer' });
    await bob.trpc.workspace.invite.accept.mutate({ token: invite.token });
    await admin.trpc.workspace.members.setRole.mutate({
      workspaceId: ws.id,
      userId: bob.user.id,
      role: 'owner',
    });
    await admin.trpc.admin.users.setDisabled.mutate({ userId: bob.user.id, disabled: true });
    await expectError(
      makeClient(server.url).trpc.auth.signIn.mutate({ email: bob.email, password: bob.password }),
      'ACCOUNT_DISABLED',
    );
    await eventually(async () => {
      const alerts = await admin.trpc.admin.security.list.query();
      expect(alerts.find((a) => a.kind === 'admin_change')).toMatchObject({
        subject: bob.user.id,
        details: { granted: true, actorId: admin.user.id },
      });
      expect(alerts.find((a) => a.kind === 'role_change')).toMatchObject({
        details: { workspaceId: ws.id, userId: bob.user.id, from: 'reviewer', to: 'owner' },
      });
      expect(alerts.find((a) => a.kind === 'disabled_sign_in')).toMatchObject({ subject: bob.email });
    });
  });

  it('ends a live alert subscription with FORBIDDEN the moment its admin flag is revoked', async () => {
    const dave = await signedUpClient(server.url, 'Dave');
    await admin.trpc.admin.users.setAdmin.mutate({ userId: dave.user.id, isAdmin: true });
    const socket = wsTrpc(server.url, dave.jar.header());
    const ended = new Promise<unknown>((resolve, reject) => {
      const started = new Promise<void>((ready) => {
        socket.trpc.admin.security.onChange.subscribe(undefined, {
          onStarted: () => ready(),
          onError: resolve,
          onComplete: () => reject(new Error('completed without an error')),
        });
      });
      void started.then(() =>
        admin.trpc.admin.users.setAdmin.mutate({ userId: dave.user.id, isAdmin: false }),
      );
    });
    expect(await ended).toMatchObject({ data: { code: 'FORBIDDEN' } });
    socket.close();
  });

  it('refuses webhook URLs at private, loopback and link-local addresses with a typed error', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://10.1.2.3/hook',
      'http://[::1]:9/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:127.0.0.1]/hook',
      'http://localhost:9/hook',
    ]) {
      const error = await expectError(
        admin.trpc.admin.security.setWebhook.mutate({ url }),
        'WEBHOOK_URL_REFUSED',
      );
      expect(error.httpStatus, url).toBe(400);
    }
    await expectError(
      admin.trpc.admin.security.setWebhook.mutate({ url: 'ftp://example.com/hook' }),
      'BAD_INPUT',
    );
    expect(await admin.trpc.admin.security.webhook.query()).toEqual({ url: null, hasSecret: false });
  });
});

describe('security webhook delivery', () => {
  let server: TestServer;
  let admin: User;
  const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];

  beforeAll(async () => {
    server = await startTestServer('pglite', {
      env: { TANDEM_WEBHOOK_ALLOW_PRIVATE: '1' },
      limits: { signInPerIp: { points: 3, duration: 60 } },
      security: {
        webhookDelaysMs: [0, 50, 50],
        webhookTimeoutMs: 2_000,
        spikeRules: {
          signInFailuresPerIp: { count: 10, windowMs: 300_000 },
          signInFailuresPerAccount: { count: 5, windowMs: 300_000 },
          rateLimitRejections: { count: 3, windowMs: 60_000 },
        },
      },
    });
    admin = await signedUpClient(server.url, 'Admin');
  });
  afterAll(async () => {
    await server.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const receiver = async (statuses: number[], gate?: Promise<void>) => {
    const r = await startReceiver(statuses, gate);
    receivers.push(r);
    return r;
  };

  it('posts a signed alert, retrying after a 500 until the receiver takes it', async () => {
    const hook = await receiver([500]);
    const secret = 'a-long-signing-secret-for-tests';
    expect(await admin.trpc.admin.security.setWebhook.mutate({ url: hook.url, secret })).toEqual({
      url: hook.url,
      hasSecret: true,
    });
    // The secret is stored sealed and never returned.
    const [row] = await server.app.deps.db.select().from(settings).where(eq(settings.key, 'securityWebhook'));
    expect(JSON.stringify(row?.value)).not.toContain(secret);
    expect(JSON.stringify(await admin.trpc.admin.security.webhook.query())).not.toContain(secret);

    const bob = await signedUpClient(server.url, 'Bob');
    await admin.trpc.admin.users.setAdmin.mutate({ userId: bob.user.id, isAdmin: true });
    await eventually(() => expect(hook.received).toHaveLength(2));
    const [first, second] = hook.received;
    expect(second?.body).toBe(first?.body);
    for (const delivery of [first!, second!]) {
      const timestamp = String(delivery.headers['x-tandem-timestamp']);
      const signature = delivery.headers['x-tandem-signature'] as string | undefined;
      expect(verifyWebhookSignature(secret, timestamp, delivery.body, signature)).toBe(true);
      expect(verifyWebhookSignature('another-secret-of-length', timestamp, delivery.body, signature)).toBe(
        false,
      );
      expect(delivery.headers['x-tandem-event']).toBe('alert.raised');
    }
    expect(JSON.parse(second!.body)).toMatchObject({
      event: 'alert.raised',
      alert: { kind: 'admin_change', subject: bob.user.id, count: 1, details: { granted: true } },
    });
  });

  it('gives up after three attempts without holding any request up, and reports the test delivery', async () => {
    let open!: () => void;
    const hook = await receiver([503, 503, 503, 503], new Promise<void>((resolve) => (open = resolve)));
    await admin.trpc.admin.security.setWebhook.mutate({ url: hook.url, secret: 'another-signing-secret-0' });
    const carol = await signedUpClient(server.url, 'Carol');
    await admin.trpc.admin.users.setAdmin.mutate({ userId: carol.user.id, isAdmin: true });
    // The mutation has answered while the receiver still holds the first attempt.
    await eventually(() => expect(hook.received).toHaveLength(1));
    open();
    await eventually(() => expect(hook.received).toHaveLength(3));
    await server.app.deps.security.webhook.settled();
    expect(hook.received).toHaveLength(3);

    // The test delivery is one attempt; the receiver's 503 is reported, then a 200.
    expect(await admin.trpc.admin.security.testWebhook.mutate()).toMatchObject({
      ok: false,
      status: 503,
      attempts: 1,
    });
    expect(await admin.trpc.admin.security.testWebhook.mutate()).toMatchObject({
      ok: true,
      status: 200,
      attempts: 1,
    });
    expect(JSON.parse(hook.received.at(-1)!.body)).toMatchObject({ event: 'test' });
  });

  it('keeps the secret only for the same receiver, and clears everything when turned off', async () => {
    const hook = await receiver([]);
    await admin.trpc.admin.security.setWebhook.mutate({ url: hook.url, secret: 'kept-secret-0123456789' });
    expect(await admin.trpc.admin.security.setWebhook.mutate({ url: `${hook.url}/other` })).toMatchObject({
      hasSecret: true,
    });
    const elsewhere = await receiver([]);
    expect(await admin.trpc.admin.security.setWebhook.mutate({ url: elsewhere.url })).toMatchObject({
      hasSecret: false,
    });
    expect(await admin.trpc.admin.security.setWebhook.mutate({ url: null })).toEqual({
      url: null,
      hasSecret: false,
    });
    await expectError(admin.trpc.admin.security.testWebhook.mutate(), 'NOT_FOUND');
  });

  it('raises a rate-limit storm from repeated rejections', async () => {
    const stranger = makeClient(server.url);
    // The per-address sign-in limit is 3 here: the next three are rejected, which is a storm at this threshold.
    for (let i = 0; i < 6; i++) {
      await stranger.trpc.auth.signIn
        .mutate({ email: `storm-${i}@example.com`, password: 'wrong password!' })
        .catch(() => undefined);
    }
    await eventually(async () => {
      const alerts = await admin.trpc.admin.security.list.query();
      expect(alerts.find((a) => a.kind === 'rate_limit_storm')).toMatchObject({ subject: 'signInPerIp' });
    });
  });
});
