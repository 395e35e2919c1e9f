// Child-process entry: the real Tandem app, unchanged, on PGlite in BENCH_DATA_DIR as a restarted server finds it
// (or the PostgreSQL database named by BENCH_DATABASE_URL), with rate limits raised so the load generator and not a
// limiter sets the pace. main.ts cannot be used as is: it offers no way to raise limits (sign-up allows 20 per IP
// per hour). With BENCH_PREPARE_ONLY it creates and migrates the database, then exits.
import { createApp } from '../../../apps/server/src/app.ts';
import { openDatabase } from '../../../apps/server/src/db/client.ts';
import { loadConfig } from '../../../apps/server/src/env.ts';
import { announce } from './announce.ts';

const unlimited = { points: 1_000_000, duration: 60 };
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;

const database = await openDatabase({ databaseUrl, dataDir: process.env.BENCH_DATA_DIR });
if (process.env.BENCH_PREPARE_ONLY) {
  await database.close();
  process.exit(0);
}
const app = await createApp(
  loadConfig({
    NODE_ENV: 'production',
    TANDEM_LOG_LEVEL: 'warn',
    TANDEM_DATA_DIR: process.env.BENCH_DATA_DIR ?? '',
    // The git benchmark's remote is on loopback.
    ...(process.env.BENCH_GIT_ALLOWED_HOSTS
      ? { TANDEM_GIT_ALLOWED_HOSTS: process.env.BENCH_GIT_ALLOWED_HOSTS }
      : {}),
  }),
  {
    db: database,
    limits: {
      signInPerIp: unlimited,
      signInFailuresPerAccount: unlimited,
      signUpPerIp: unlimited,
      mutationsPerUser: unlimited,
    },
    sync: { limits: { messagesPerSecond: 100_000, messageBurst: 100_000 } },
  },
);
const url = await app.listen(0, '127.0.0.1');

announce(url, { database: database.kind }, async () => {
  await app.close();
  await database.close();
});
