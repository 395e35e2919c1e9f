// Child-process entry: the real Tandem app, unchanged, on in-memory PGlite (or the PostgreSQL database named by
// BENCH_DATABASE_URL), with rate limits raised so the load generator and not a limiter sets the pace. main.ts cannot
// be used as is: it offers no way to raise limits (sign-up allows 20 per IP per hour) and keeps PGlite on disk.
import { createApp } from '../../../apps/server/src/app.ts';
import { openDatabase } from '../../../apps/server/src/db/client.ts';
import { loadConfig } from '../../../apps/server/src/env.ts';
import { announce } from './announce.ts';

const unlimited = { points: 1_000_000, duration: 60 };
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;

const database = await openDatabase({ databaseUrl });
const app = await createApp(
  loadConfig({
    NODE_ENV: 'production',
    TANDEM_LOG_LEVEL: 'warn',
    TANDEM_DATA_DIR: process.env.BENCH_DATA_DIR ?? '',
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
