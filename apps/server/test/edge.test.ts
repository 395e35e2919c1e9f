// What the server does with hostile or broken requests: typed errors, nothing changed, nothing leaked.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/app.ts';
import { appRouter } from '../src/trpc/root.ts';
import {
  backends,
  expectError,
  makeClient,
  rawPost,
  signedUpClient,
  startTestServer,
  type TestServer,
} from './harness.ts';

async function tableCounts(server: TestServer) {
  // Both drivers return the rows under `rows`.
  const result: unknown = await server.app.deps.db.execute(sql`
    select 'users' as t, count(*)::int as n from users union all
    select 'workspaces', count(*)::int from workspaces union all
    select 'members', count(*)::int from members union all
    select 'invites', count(*)::int from invites`);
  return (result as { rows: { t: string; n: number }[] }).rows;
}

describe.each(backends)('the edge on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server.close());

  it('answers malformed JSON with PARSE_ERROR and changes nothing', async () => {
    const before = await tableCounts(server);
    const response = await rawPost(server.url, 'auth.signUp', '{"json": {"email": ');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe('PARSE_ERROR');
    expect(await tableCounts(server)).toEqual(before);
  });

  it('refuses bodies over the limit with PAYLOAD_TOO_LARGE', async () => {
    const name = 'x'.repeat(MAX_BODY_BYTES + 10);
    const response = await rawPost(server.url, 'workspace.create', JSON.stringify({ json: { name } }));
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers wrong or missing input on every procedure with BAD_INPUT and changes nothing', async () => {
    const owner = await signedUpClient(server.url, 'Prober');
    await owner.trpc.workspace.create.mutate({ name: 'probe' });
    const before = await tableCounts(server);
    const procedures = Object.entries(
      appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[]; type: string } }>,
    );
    // Subscriptions answer over HTTP as an SSE stream; their inputs go through the same zod schemas.
    const withInput = procedures.filter(
      ([, p]) => p._def.inputs.length > 0 && p._def.type !== 'subscription',
    );
    expect(withInput.length).toBeGreaterThan(15);
    // Procedures whose every field is optional accept `{}`; all others must name what is missing.
    const allOptional = new Set([
      'workspace.list',
      'admin.audit.list',
      'admin.audit.csv',
      'admin.settings.setPrices',
      'admin.settings.setFeatures',
      'admin.security.list',
      'admin.quality',
    ]);
    for (const [path, procedure] of withInput) {
      const inputs: unknown[] = [42, 'text', []];
      if (!allOptional.has(path))
        inputs.push({}, { workspaceId: 'not-a-uuid', name: 7, email: [], role: 'god' });
      for (const input of inputs) {
        const json = encodeURIComponent(JSON.stringify({ json: input }));
        const response =
          procedure._def.type === 'query'
            ? await fetch(`${server.url}/trpc/${path}?input=${json}`, {
                headers: { cookie: owner.jar.header() },
              })
            : await rawPost(server.url, path, JSON.stringify({ json: input }), {
                cookie: owner.jar.header(),
              });
        const body = (await response.json()) as { error?: { json: { data: { code: string } } } };
        expect({ path, input, status: response.status, code: body.error?.json.data.code }).toEqual({
          path,
          input,
          status: 400,
          code: 'BAD_INPUT',
        });
      }
    }
    expect(await tableCounts(server)).toEqual(before);
  });

  it('refuses cross-origin and cross-site mutations with CSRF_REJECTED', async () => {
    const user = await signedUpClient(server.url, 'Csrf');
    const evil = makeClient(server.url, user.jar, { origin: 'https://evil.example' });
    const data = await expectError(evil.trpc.workspace.create.mutate({ name: 'pwned' }), 'CSRF_REJECTED');
    expect(data.httpStatus).toBe(403);
    const site = makeClient(server.url, user.jar, { 'sec-fetch-site': 'cross-site' });
    await expectError(site.trpc.auth.signOut.mutate(), 'CSRF_REJECTED');
    // Same origin is fine, and queries are not state-changing.
    const same = makeClient(server.url, user.jar, { origin: server.url, 'sec-fetch-site': 'same-origin' });
    await same.trpc.workspace.create.mutate({ name: 'fine' });
    expect((await evil.trpc.workspace.list.query()).map((w) => w.name)).toEqual(['fine']);
  });

  it('answers an unknown procedure with NOT_FOUND', async () => {
    const response = await rawPost(server.url, 'nope.nothing', '{}');
    expect(response.status).toBe(404);
  });

  it('serves health, readiness and Prometheus metrics, and echoes request ids', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({
      ok: true,
      checks: { database: { ok: true, kind: backend } },
    });
    await makeClient(server.url).trpc.auth.me.query();
    await expectError(makeClient(server.url).trpc.workspace.list.query(), 'UNAUTHENTICATED');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /tandem_trpc_duration_seconds_count\{path="auth.me",type="query",ok="true"\} [1-9]/,
    );
    expect(metrics).toMatch(/tandem_errors_total\{code="UNAUTHENTICATED"\} [1-9]/);
    expect(metrics).toMatch(/tandem_http_request_duration_seconds_bucket/);
    const response = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe('rate limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', {
      limits: {
        signInPerIp: { points: 100, duration: 60 },
        signInFailuresPerAccount: { points: 3, duration: 60 },
        signUpPerIp: { points: 100, duration: 60 },
        mutationsPerUser: { points: 5, duration: 60 },
      },
    });
  });
  afterAll(() => server.close());

  it('locks an account after repeated failures, even for the right password, with retry-after', async () => {
    const user = await signedUpClient(server.url, 'Locked');
    const c = makeClient(server.url);
    for (let i = 0; i < 3; i++) {
      await expectError(
        c.trpc.auth.signIn.mutate({ email: user.email, password: 'bad password' }),
        'INVALID_CREDENTIALS',
      );
    }
    const data = await expectError(
      c.trpc.auth.signIn.mutate({ email: user.email, password: user.password }),
      'RATE_LIMITED',
    );
    expect(data.httpStatus).toBe(429);
    expect(data.retryAfter).toBeGreaterThan(0);
    const response = await rawPost(
      server.url,
      'auth.signIn',
      JSON.stringify({ json: { email: user.email, password: 'x' } }),
    );
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits mutations per user', async () => {
    const user = await signedUpClient(server.url, 'Busy');
    for (let i = 0; i < 5; i++) await user.trpc.workspace.create.mutate({ name: `w${i}` });
    await expectError(user.trpc.workspace.create.mutate({ name: 'one too many' }), 'RATE_LIMITED');
    expect(await user.trpc.workspace.list.query()).toHaveLength(5);
  });
});

describe('sign-up limit per IP', () => {
  it('refuses sign-ups beyond the limit', async () => {
    const server = await startTestServer('pglite', { limits: { signUpPerIp: { points: 2, duration: 60 } } });
    try {
      await signedUpClient(server.url, 'One');
      await signedUpClient(server.url, 'Two');
      await expectError(signedUpClient(server.url, 'Three'), 'RATE_LIMITED');
    } finally {
      await server.close();
    }
  });
});
