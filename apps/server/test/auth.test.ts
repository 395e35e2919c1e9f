import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authSessions, users } from '../src/db/schema.ts';
import {
  backends,
  expectError,
  makeClient,
  rawPost,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';

describe.each(backends)('accounts on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server.close());

  it('makes the first account an admin, later ones not, and reports the current user', async () => {
    // A fresh instance says so to anyone, so the first visitor is offered the admin account.
    expect(await makeClient(server.url).trpc.auth.instance.query()).toEqual({ needsAdmin: true });
    const first = await signedUpClient(server.url, 'First');
    expect(await makeClient(server.url).trpc.auth.instance.query()).toEqual({ needsAdmin: false });
    const second = await signedUpClient(server.url, 'Second');
    expect(first.user.isAdmin).toBe(true);
    expect(second.user.isAdmin).toBe(false);
    expect(await first.trpc.auth.me.query()).toMatchObject({
      email: first.email,
      name: 'First',
      isAdmin: true,
    });
    expect(await makeClient(server.url).trpc.auth.me.query()).toBeNull();
  });

  it('sets an HttpOnly SameSite=Lax session cookie that is not Secure on plain http', async () => {
    const response = await rawPost(
      server.url,
      'auth.signUp',
      JSON.stringify({ json: { email: 'cookie@example.com', password: 'long enough pw', name: 'C' } }),
    );
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^tandem_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('refuses a duplicate email with EMAIL_TAKEN, whatever its case', async () => {
    const a = await signedUpClient(server.url, 'Dup');
    const data = await expectError(
      makeClient(server.url).trpc.auth.signUp.mutate({
        email: a.email.toUpperCase(),
        password: 'another long pw',
        name: 'Other',
      }),
      'EMAIL_TAKEN',
    );
    expect(data.httpStatus).toBe(409);
    const rows = await server.app.deps.db.select().from(users).where(eq(users.email, a.email));
    expect(rows).toHaveLength(1);
  });

  it('signs in with the right password and refuses a wrong one with the same answer as an unknown email', async () => {
    const a = await signedUpClient(server.url, 'Signin');
    const fresh = makeClient(server.url);
    const user = await fresh.trpc.auth.signIn.mutate({ email: a.email, password: a.password });
    expect(user.id).toBe(a.user.id);
    expect((await fresh.trpc.auth.me.query())?.id).toBe(a.user.id);

    const wrong = makeClient(server.url);
    const e1 = await expectError(
      wrong.trpc.auth.signIn.mutate({ email: a.email, password: 'nope nope' }),
      'INVALID_CREDENTIALS',
    );
    const e2 = await expectError(
      wrong.trpc.auth.signIn.mutate({ email: 'nobody@example.com', password: 'nope nope' }),
      'INVALID_CREDENTIALS',
    );
    expect(e1.httpStatus).toBe(401);
    expect(e2.httpStatus).toBe(401);
    expect(wrong.jar.cookies.size).toBe(0);
  });

  it('spends the same password-hashing time for unknown emails as for wrong passwords', async () => {
    const a = await signedUpClient(server.url, 'Timing');
    const c = makeClient(server.url);
    const once = async (email: string) => {
      const t0 = performance.now();
      await c.trpc.auth.signIn.mutate({ email, password: 'wrong password' }).catch(() => undefined);
      return performance.now() - t0;
    };
    // Interleaved, so a machine that gets busier or quieter meanwhile weighs on both alike; medians of seven.
    const knownSamples: number[] = [];
    const unknownSamples: number[] = [];
    for (let i = 0; i < 7; i++) {
      knownSamples.push(await once(a.email));
      unknownSamples.push(await once('ghost@example.com'));
    }
    const median = (samples: number[]) => samples.sort((x, y) => x - y)[3] ?? 0;
    const known = median(knownSamples);
    const unknown = median(unknownSamples);
    // Without the dummy hash an unknown email answers an order of magnitude faster than a real verification.
    expect(unknown).toBeGreaterThan(known * 0.5);
  });

  it('signs out: the old cookie no longer works', async () => {
    const a = await signedUpClient(server.url, 'Out');
    const stolen = a.jar.header();
    await a.trpc.auth.signOut.mutate();
    expect(a.jar.cookies.size).toBe(0);
    const replay = makeClient(server.url, undefined, { cookie: stolen });
    expect(await replay.trpc.auth.me.query()).toBeNull();
    await expectError(replay.trpc.workspace.list.query(), 'UNAUTHENTICATED');
  });

  it('signs out everywhere: every session of the user dies', async () => {
    const a = await signedUpClient(server.url, 'Every');
    const other = makeClient(server.url);
    await other.trpc.auth.signIn.mutate({ email: a.email, password: a.password });
    await a.trpc.auth.signOutEverywhere.mutate();
    expect(await other.trpc.auth.me.query()).toBeNull();
    const left = await server.app.deps.db
      .select()
      .from(authSessions)
      .where(eq(authSessions.userId, a.user.id));
    expect(left).toHaveLength(0);
  });

  it('treats forged and expired session cookies as signed out', async () => {
    const forged = makeClient(server.url, undefined, { cookie: 'tandem_session=forgedforgedforgedforged' });
    expect(await forged.trpc.auth.me.query()).toBeNull();
    await expectError(forged.trpc.workspace.create.mutate({ name: 'x' }), 'UNAUTHENTICATED');

    const a = await signedUpClient(server.url, 'Expired');
    await server.app.deps.db
      .update(authSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(authSessions.userId, a.user.id));
    expect(await a.trpc.auth.me.query()).toBeNull();
  });

  it('extends a session that is used after half its lifetime', async () => {
    const a = await signedUpClient(server.url, 'Extend');
    const soon = new Date(Date.now() + 24 * 3600 * 1000);
    await server.app.deps.db
      .update(authSessions)
      .set({ expiresAt: soon })
      .where(eq(authSessions.userId, a.user.id));
    const before = a.jar.header();
    expect(await a.trpc.auth.me.query()).not.toBeNull();
    expect(a.jar.header()).toBe(before); // same session id, cookie refreshed
    const [row] = await server.app.deps.db
      .select()
      .from(authSessions)
      .where(eq(authSessions.userId, a.user.id));
    expect(row!.expiresAt.getTime()).toBeGreaterThan(soon.getTime() + 20 * 24 * 3600 * 1000);
  });

  it('refuses the still-stored session of a user disabled in the database', async () => {
    const a = await signedUpClient(server.url, 'Kept');
    const me = await a.trpc.auth.me.query();
    expect(me).toMatchObject({ id: a.user.id, name: 'Kept', email: a.email, isAdmin: false });
    // Disabled straight in the database: the session row stays, the user behind it does not count.
    await server.app.deps.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, a.user.id));
    expect(await a.trpc.auth.me.query()).toBeNull();
    await expectError(a.trpc.workspace.create.mutate({ name: 'x' }), 'UNAUTHENTICATED');
  });

  it('disabling a user kills their sessions and refuses sign-in; enabling restores it', async () => {
    const admin = await signedUpClient(server.url, 'Admin');
    await server.app.deps.db.update(users).set({ isAdmin: true }).where(eq(users.id, admin.user.id));
    const victim = await signedUpClient(server.url, 'Victim');
    await admin.trpc.admin.users.setDisabled.mutate({ userId: victim.user.id, disabled: true });
    expect(await victim.trpc.auth.me.query()).toBeNull();
    await expectError(
      makeClient(server.url).trpc.auth.signIn.mutate({ email: victim.email, password: victim.password }),
      'ACCOUNT_DISABLED',
    );
    await admin.trpc.admin.users.setDisabled.mutate({ userId: victim.user.id, disabled: false });
    const again = makeClient(server.url);
    await again.trpc.auth.signIn.mutate({ email: victim.email, password: victim.password });
    expect(await again.trpc.auth.me.query()).not.toBeNull();
  });

  it('keeps admin procedures to admins', async () => {
    const plain = await signedUpClient(server.url, 'Plain');
    await expectError(plain.trpc.admin.users.list.query(), 'FORBIDDEN');
    await expectError(
      plain.trpc.admin.users.setAdmin.mutate({ userId: plain.user.id, isAdmin: true }),
      'FORBIDDEN',
    );
  });
});

describe('secure cookies behind TLS', () => {
  it('marks the session cookie Secure when the public URL is https', async () => {
    const server = await startTestServer('pglite', {
      env: { TANDEM_PUBLIC_URL: 'https://tandem.example.com' },
    });
    try {
      const response = await rawPost(
        server.url,
        'auth.signUp',
        JSON.stringify({ json: { email: 'tls@example.com', password: 'long enough pw', name: 'T' } }),
      );
      expect(response.headers.getSetCookie()[0]).toMatch(/; Secure/);
    } finally {
      await server.close();
    }
  });
});
