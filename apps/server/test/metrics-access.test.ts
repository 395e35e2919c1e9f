// Who may read /metrics: loopback by default, a bearer token, or a listener of its own.
import { describe, expect, it } from 'vitest';
import { startTestServer } from './harness.ts';

describe('/metrics', () => {
  it('answers loopback clients by default, but not what came through a proxy', async () => {
    const server = await startTestServer('pglite', { env: { TANDEM_TRUST_PROXY: 'loopback' } });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
      for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
        const response = await fetch(`${server.url}/metrics`, { headers: { [header]: '203.0.113.9' } });
        expect(response.status).toBe(403);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
      }
    } finally {
      await server.close();
    }
  });

  it('requires the bearer token when one is set', async () => {
    const token = 'metrics-token-0123456789';
    const server = await startTestServer('pglite', { env: { TANDEM_METRICS_TOKEN: token } });
    try {
      const none = await fetch(`${server.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('tandem_http_request_duration_seconds');
    } finally {
      await server.close();
    }
  });

  it('moves to its own listener with TANDEM_METRICS_PORT, where the token still applies', async () => {
    const token = 'metrics-token-0123456789';
    const server = await startTestServer('pglite', {
      env: { TANDEM_METRICS_PORT: '0', TANDEM_METRICS_HOST: '127.0.0.1', TANDEM_METRICS_TOKEN: token },
    });
    try {
      expect(
        (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(404);
      const address = server.app.metricsServer?.address();
      if (!address || typeof address === 'string') throw new Error('the metrics listener is not listening');
      const metricsUrl = `http://127.0.0.1:${address.port}/metrics`;
      expect((await fetch(metricsUrl)).status).toBe(401);
      const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('process_cpu_user_seconds_total');
    } finally {
      await server.close();
    }
  });

  it('refuses a short token at start', async () => {
    await expect(startTestServer('pglite', { env: { TANDEM_METRICS_TOKEN: 'short' } })).rejects.toThrow(
      /TANDEM_METRICS_TOKEN/,
    );
  });
});
