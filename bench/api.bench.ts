// API overhead on loopback with the embedded database: what one request costs before any real work.
import { createApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/env.ts';
import { makeClient } from '../apps/server/test/harness.ts';
import { percentiles, report, round } from './stats.ts';

export async function run() {
  const app = await createApp(
    loadConfig({ NODE_ENV: 'test', TANDEM_LOG_LEVEL: 'silent', TANDEM_DATA_DIR: '' }),
    {
      db: await (await import('../apps/server/src/db/client.ts')).openDatabase({}),
      limits: { signInPerIp: { points: 1e6, duration: 60 }, mutationsPerUser: { points: 1e6, duration: 60 } },
    },
  );
  const url = await app.listen(0, '127.0.0.1');
  try {
    const c = makeClient(url);
    await c.trpc.auth.signUp.mutate({
      email: 'bench@example.com',
      password: 'long enough pw',
      name: 'Bench',
    });

    const time = async (n: number, fn: () => Promise<unknown>) => {
      for (let i = 0; i < Math.min(50, n); i++) await fn(); // warm-up
      const samples: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const s = performance.now();
        await fn();
        samples.push(performance.now() - s);
      }
      const total = performance.now() - t0;
      const p = percentiles(samples);
      return {
        requests: n,
        p50_ms: round(p.p50),
        p99_ms: round(p.p99),
        max_ms: round(p.max),
        per_s: round((n / total) * 1000, 0),
      };
    };

    const results = {
      'auth.me (session lookup)': await time(2000, () => c.trpc.auth.me.query()),
      'workspace.list': await time(1000, () => c.trpc.workspace.list.query()),
      'workspace.create (tx + audit)': await time(500, () => c.trpc.workspace.create.mutate({ name: 'w' })),
      'auth.signIn (argon2id)': await time(20, () =>
        c.trpc.auth.signIn.mutate({ email: 'bench@example.com', password: 'long enough pw' }),
      ),
    };
    report('api', results);
  } finally {
    await app.close();
    await app.deps.database.close();
  }
}
