// Which address rate limits and the audit log see (X-Forwarded-For only past trusted proxies), and who a sign-in
// lock shuts out.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectError,
  makeClient,
  rowsOf,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';

const signInFrom = (url: string, ip: string, email: string, password: string) =>
  makeClient(url, undefined, { 'x-forwarded-for': ip }).trpc.auth.signIn.mutate({ email, password });

describe('X-Forwarded-For', () => {
  it('is ignored without TANDEM_TRUST_PROXY: every address shares the connection’s bucket', async () => {
    const server = await startTestServer('pglite', { limits: { signInPerIp: { points: 2, duration: 60 } } });
    try {
      const user = await signedUpClient(server.url, 'Plain');
      await expectError(
        signInFrom(server.url, '203.0.113.1', user.email, 'wrong password'),
        'INVALID_CREDENTIALS',
      );
      await expectError(
        signInFrom(server.url, '203.0.113.2', user.email, 'wrong password'),
        'INVALID_CREDENTIALS',
      );
      await expectError(signInFrom(server.url, '198.51.100.3', user.email, user.password), 'RATE_LIMITED');
    } finally {
      await server.close();
    }
  });

  it('names the client behind a trusted proxy: separate buckets, and the audit log has its address', async () => {
    const server = await startTestServer('pglite', {
      env: { TANDEM_TRUST_PROXY: 'loopback' },
      limits: { signInPerIp: { points: 2, duration: 60 } },
    });
    try {
      const user = await signedUpClient(server.url, 'Proxied');
      await expectError(
        signInFrom(server.url, '203.0.113.1', user.email, 'wrong password'),
        'INVALID_CREDENTIALS',
      );
      await expectError(
        signInFrom(server.url, '203.0.113.1', user.email, 'wrong password'),
        'INVALID_CREDENTIALS',
      );
      await expectError(signInFrom(server.url, '203.0.113.1', user.email, user.password), 'RATE_LIMITED');
      // Only the entry the trusted proxy wrote counts; what the client put left of it is not believed.
      await signInFrom(server.url, '203.0.113.1, 198.51.100.3', user.email, user.password);
      const rows = rowsOf(
        await server.app.deps.db.execute(
          sql`select action, ip from audit_log where action like 'auth.sign_in%'`,
        ),
      );
      expect(rows.map((r) => `${String(r.action)} ${String(r.ip)}`).sort()).toEqual([
        'auth.sign_in 198.51.100.3',
        'auth.sign_in_failed 203.0.113.1',
        'auth.sign_in_failed 203.0.113.1',
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('sign-in lock', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', {
      env: { TANDEM_TRUST_PROXY: 'loopback' },
      limits: {
        signInFailuresPerAccountIp: { points: 3, duration: 60 },
        signInFailuresPerAccount: { points: 6, duration: 60 },
      },
    });
  });
  afterAll(() => server.close());

  it('shuts out the guessing address, not the owner signing in from another', async () => {
    const owner = await signedUpClient(server.url, 'Target');
    const attacker = '203.0.113.66';
    for (let i = 0; i < 3; i++) {
      await expectError(
        signInFrom(server.url, attacker, owner.email, `guess ${i} wrong`),
        'INVALID_CREDENTIALS',
      );
    }
    await expectError(signInFrom(server.url, attacker, owner.email, owner.password), 'RATE_LIMITED');
    const signedIn = await signInFrom(server.url, '198.51.100.20', owner.email, owner.password);
    expect(signedIn.email).toBe(owner.email);
    await expectError(signInFrom(server.url, attacker, owner.email, 'another guess'), 'RATE_LIMITED');
  });

  it('counts an IPv6 /64 as one address, so rotating through it does not reset the lock', async () => {
    const owner = await signedUpClient(server.url, 'Six');
    for (const host of ['a', 'b', 'c']) {
      await expectError(
        signInFrom(server.url, `2001:db8:1:2::${host}`, owner.email, 'wrong pw'),
        'INVALID_CREDENTIALS',
      );
    }
    await expectError(signInFrom(server.url, '2001:db8:1:2::d', owner.email, owner.password), 'RATE_LIMITED');
    expect((await signInFrom(server.url, '2001:db8:9:9::1', owner.email, owner.password)).email).toBe(
      owner.email,
    );
  });

  it('still caps guesses spread over many addresses', async () => {
    const owner = await signedUpClient(server.url, 'Spread');
    for (let i = 0; i < 6; i++) {
      await expectError(
        signInFrom(server.url, `203.0.113.${i + 1}`, owner.email, 'wrong pw'),
        'INVALID_CREDENTIALS',
      );
    }
    await expectError(signInFrom(server.url, '198.51.100.20', owner.email, owner.password), 'RATE_LIMITED');
  });
});
