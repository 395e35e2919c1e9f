// The probes through the real server: liveness never looks at dependencies, readiness reports each one and turns
// 503 while one is down, and answers within a bound even then.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, startTestServer, type TestServer } from './harness.ts';
import { testEnv } from './env.ts';

interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; ms: number; kind?: string; error?: string }>;
}

async function readiness(url: string) {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe.each(backends)('health on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server.close());

  it('answers /livez and its alias /healthz', async () => {
    for (const probe of ['/livez', '/healthz']) {
      const response = await fetch(`${server.url}${probe}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(await response.json()).toEqual({ ok: true });
    }
  });

  it('is ready with a detail per dependency (Redis when it is configured)', async () => {
    const { status, body } = await readiness(server.url);
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.checks.database).toMatchObject({ ok: true, kind: backend });
    expect(body.checks.database?.ms).toBeGreaterThanOrEqual(0);
    expect(Object.keys(body.checks).sort()).toEqual(
      testEnv.redisUrl ? ['database', 'redis', 'sandbox'] : ['database', 'sandbox'],
    );
    if (testEnv.redisUrl) expect(body.checks.redis).toMatchObject({ ok: true });
  });
});

describe('health without Redis', () => {
  it('checks the database and the sandbox, not Redis', async () => {
    const server = await startTestServer('pglite', { env: { REDIS_URL: '' } });
    try {
      const { status, body } = await readiness(server.url);
      expect(status).toBe(200);
      expect(Object.keys(body.checks)).toEqual(['database', 'sandbox']);
    } finally {
      await server.close();
    }
  });
});

describe('the sandbox in readiness', () => {
  it('shows the self-check once it has run', async () => {
    const server = await startTestServer('pglite');
    try {
      await server.app.deps.sandbox.ready;
      const { status, body } = await readiness(server.url);
      expect(status).toBe(200);
      expect(body.checks.sandbox).toMatchObject({ ok: true, available: true, degraded: false });
      const selfCheck = (body.checks.sandbox as unknown as { selfCheck: { name: string; ok: boolean }[] })
        .selfCheck;
      expect(selfCheck.map((check) => check.name)).toContain('no-network-loopback');
      expect(selfCheck.every((check) => check.ok)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('reports a missing bwrap as degraded without taking the instance out of rotation', async () => {
    const server = await startTestServer('pglite', { env: { TANDEM_SANDBOX_BWRAP: '/nonexistent/bwrap' } });
    try {
      await server.app.deps.sandbox.ready;
      const { status, body } = await readiness(server.url);
      expect(status).toBe(200);
      expect(body.ok).toBe(true);
      expect(body.checks.sandbox).toMatchObject({ ok: true, available: false, degraded: true });
      expect((body.checks.sandbox as unknown as { reason: string }).reason).toMatch(/bwrap/);
    } finally {
      await server.close();
    }
  });
});

/**
 * A TCP relay to the real Redis that the test can freeze and thaw, as a hung Redis or a network partition would:
 * connections stay open, bytes stop flowing, then everything held back is delivered in order. (Cutting the
 * connections instead sent every client of the app into reconnect loops that made its shutdown wait on them.)
 */
async function redisRelay(target: URL) {
  let frozen = false;
  const held: (() => void)[] = [];
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk: Buffer) => {
      if (frozen) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const sockets = new Set<Socket>();
  const listener: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((listener.address() as { port: number }).port);
  return {
    url: url.toString(),
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const send of held.splice(0)) send();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => resolve());
      }),
  };
}

describe.runIf(testEnv.redisUrl)('readiness while Redis is unreachable', () => {
  it('answers 503 within its bound, names Redis, and recovers when Redis is back', async () => {
    const relay = await redisRelay(new URL(testEnv.redisUrl ?? ''));
    const server = await startTestServer('pglite', { env: { REDIS_URL: relay.url } });
    try {
      expect((await readiness(server.url)).status).toBe(200);
      relay.freeze();

      const started = Date.now();
      const { status, body } = await readiness(server.url);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(status).toBe(503);
      expect(body.ok).toBe(false);
      expect(body.checks.database).toMatchObject({ ok: true });
      expect(body.checks.redis).toMatchObject({ ok: false });
      expect(['timed out', 'failed']).toContain(body.checks.redis?.error);
      // Liveness does not depend on Redis: an orchestrator must not restart the instance for an outage elsewhere.
      expect((await fetch(`${server.url}/livez`)).status).toBe(200);

      relay.thaw();
      await vi.waitFor(async () => expect((await readiness(server.url)).status).toBe(200), {
        timeout: 10_000,
      });
    } finally {
      // Redis back first: the task queue's close waits for Redis.
      relay.thaw();
      await server.close();
      await relay.close();
    }
  });
});
