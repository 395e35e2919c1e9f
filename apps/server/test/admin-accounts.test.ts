// The admin console's accounts work through the real server: password reset links (single use, expiring, replaced
// by a newer one, hashed at rest, ending every session of the account, audited, refused to non-admins) and the
// audit log with names, filters and a CSV export.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordResets } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  makeClient,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';

type User = Awaited<ReturnType<typeof signedUpClient>>;

describe.each(backends)('password reset links on %s', (backend) => {
  let server: TestServer;
  let admin: User;

  beforeAll(async () => {
    server = await startTestServer(backend);
    admin = await signedUpClient(server.url, 'Admin');
  });
  afterAll(async () => {
    await server.close();
  });

  it('lets the account set a new password once, ends its other sessions, and audits both steps', async () => {
    const bob = await signedUpClient(server.url, 'Bob');
    await expectError(bob.trpc.admin.users.resetLink.mutate({ userId: admin.user.id }), 'FORBIDDEN');

    const link = await admin.trpc.admin.users.resetLink.mutate({ userId: bob.user.id });
    expect(link.url).toBe(`${server.url}/reset/${link.token}`);
    expect(link.expiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    // Only the token's hash is stored.
    const rows = await server.app.deps.db
      .select()
      .from(passwordResets)
      .where(eq(passwordResets.userId, bob.user.id));
    expect(rows.map((row) => row.tokenHash)).toEqual([createHash('sha256').update(link.token).digest('hex')]);

    const browser = makeClient(server.url);
    expect(await browser.trpc.auth.resetLink.query({ token: link.token })).toMatchObject({
      name: 'Bob',
      email: bob.email,
    });
    const user = await browser.trpc.auth.resetPassword.mutate({
      token: link.token,
      password: 'a new long passphrase',
    });
    expect(user.id).toBe(bob.user.id);
    // This browser is signed in; Bob's earlier session is over; only the new password works.
    expect((await browser.trpc.auth.me.query())?.id).toBe(bob.user.id);
    expect(await bob.trpc.auth.me.query()).toBeNull();
    await expectError(
      makeClient(server.url).trpc.auth.signIn.mutate({ email: bob.email, password: bob.password }),
      'INVALID_CREDENTIALS',
    );
    await makeClient(server.url).trpc.auth.signIn.mutate({
      email: bob.email,
      password: 'a new long passphrase',
    });

    // Once only.
    await expectError(
      makeClient(server.url).trpc.auth.resetPassword.mutate({
        token: link.token,
        password: 'yet another one!',
      }),
      'RESET_LINK_INVALID',
    );
    await expectError(
      makeClient(server.url).trpc.auth.resetLink.query({ token: link.token }),
      'RESET_LINK_INVALID',
    );

    const audit = await admin.trpc.admin.audit.list.query({ limit: 20 });
    expect(
      audit
        .filter((row) => row.targetId === bob.user.id && row.action.startsWith('user.'))
        .map((row) => [row.action, row.actorId]),
    ).toEqual([
      ['user.password_reset', bob.user.id],
      ['user.reset_link', admin.user.id],
    ]);
  });

  it('refuses an expired link, one a newer link replaced, and a disabled account', async () => {
    const carol = await signedUpClient(server.url, 'Carol');
    const first = await admin.trpc.admin.users.resetLink.mutate({ userId: carol.user.id, expiresInHours: 1 });
    const second = await admin.trpc.admin.users.resetLink.mutate({ userId: carol.user.id });
    const anyone = makeClient(server.url);
    await expectError(anyone.trpc.auth.resetLink.query({ token: first.token }), 'RESET_LINK_INVALID');

    await server.app.deps.db
      .update(passwordResets)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(passwordResets.tokenHash, createHash('sha256').update(second.token).digest('hex')));
    await expectError(
      anyone.trpc.auth.resetPassword.mutate({ token: second.token, password: 'a new long passphrase' }),
      'RESET_LINK_INVALID',
    );

    const third = await admin.trpc.admin.users.resetLink.mutate({ userId: carol.user.id });
    await admin.trpc.admin.users.setDisabled.mutate({ userId: carol.user.id, disabled: true });
    await expectError(
      anyone.trpc.auth.resetPassword.mutate({ token: third.token, password: 'a new long passphrase' }),
      'ACCOUNT_DISABLED',
    );
    await expectError(admin.trpc.admin.users.resetLink.mutate({ userId: 'nobody' }), 'NOT_FOUND');
  });

  it('spends a link once when two requests race for it', async () => {
    const dave = await signedUpClient(server.url, 'Dave');
    const link = await admin.trpc.admin.users.resetLink.mutate({ userId: dave.user.id });
    const results = await Promise.allSettled(
      ['first long password', 'second long password'].map((password) =>
        makeClient(server.url).trpc.auth.resetPassword.mutate({ token: link.token, password }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('lists the audit log with names, filters it by actor, action family and time, and exports it as CSV', async () => {
    const erin = await signedUpClient(server.url, 'Erin, "the =tester"');
    const ws = await erin.trpc.workspace.create.mutate({ name: 'Audit, ltd' });
    await erin.trpc.workspace.rename.mutate({ workspaceId: ws.id, name: 'Audit two' });
    await admin.trpc.admin.users.resetLink.mutate({ userId: erin.user.id });

    const mine = await admin.trpc.admin.audit.list.query({ actorId: erin.user.id, limit: 10 });
    expect(mine.map((row) => row.action)).toEqual(['workspace.rename', 'workspace.create', 'auth.sign_up']);
    expect(mine[0]).toMatchObject({
      actorName: 'Erin, "the =tester"',
      actorEmail: erin.email,
      workspaceName: 'Audit two',
    });

    const family = await admin.trpc.admin.audit.list.query({ action: 'workspace.', actorId: erin.user.id });
    expect(family.map((row) => row.action)).toEqual(['workspace.rename', 'workspace.create']);
    const links = await admin.trpc.admin.audit.list.query({ action: 'user.reset_link', limit: 200 });
    expect(links.find((row) => row.targetId === erin.user.id)).toMatchObject({
      actorName: 'Admin',
      targetName: 'Erin, "the =tester"',
    });
    const at = mine[1]?.at ?? new Date();
    const fromCreate = await admin.trpc.admin.audit.list.query({ actorId: erin.user.id, since: at });
    expect(fromCreate.map((row) => row.action)).toEqual(['workspace.rename', 'workspace.create']);
    const beforeCreate = await admin.trpc.admin.audit.list.query({
      actorId: erin.user.id,
      until: at.toISOString(),
    });
    expect(beforeCreate.map((row) => row.action)).toEqual(['auth.sign_up']);

    const exported = await admin.trpc.admin.audit.csv.query({ actorId: erin.user.id });
    expect(exported.rows).toBe(3);
    const lines = exported.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,action,what,actor,actor email,workspace,target,ip,details,request id');
    expect(lines[1]).toContain(',workspace.rename,Renamed a workspace,"Erin, ""the =tester""",');
    expect(lines[1]).toContain(',Audit two,');
    await expectError(erin.trpc.admin.audit.csv.query({}), 'FORBIDDEN');
  });
});
