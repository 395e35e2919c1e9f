// Process entry: configuration, start, graceful shutdown on SIGTERM/SIGINT.
import { createApp } from './app.ts';
import { loadConfig } from './env.ts';

const config = loadConfig();
const app = await createApp(config);
const url = await app.listen();
app.deps.logger.info(
  { url, database: app.deps.database.kind, redis: Boolean(config.redisUrl) },
  'Tandem is listening',
);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    app.deps.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.deps.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
