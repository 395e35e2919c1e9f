// Process entry: configuration, start, graceful shutdown on SIGTERM/SIGINT, and an exit when the embedded database
// is gone (a supervisor then starts the server again on the same files, which lose nothing).
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
function shutdown(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  app.close().then(
    () => process.exit(exitCode),
    (error: unknown) => {
      app.deps.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (!stopping) app.deps.logger.info({ signal }, 'shutting down');
    shutdown(0);
  });
}

// Nothing in this process can bring it back, and every request would fail until a restart; /readyz alone would
// take the server out of rotation without restarting it.
void app.deps.database.lost.then((error) => {
  app.deps.logger.fatal(
    { err: error },
    'the database stopped; shutting down so that the server can be restarted',
  );
  shutdown(1);
});
