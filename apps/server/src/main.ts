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

/** What closing takes beyond letting running tasks finish: flushing documents, closing sockets and the database. */
const CLOSE_MS = 10_000;

let stopping = false;
function shutdown(exitCode: number, drainMs = config.shutdownDrainMs): void {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(1), drainMs + CLOSE_MS);
  force.unref();
  app.close({ drainMs }).then(
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
  // Tasks cannot finish without it: they go back to the queue at once.
  shutdown(1, 0);
});
