// A throwaway database on the PostgreSQL of DATABASE_URL, as the server test harness makes one, dropped afterwards.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { assertNotInterrupted, onCleanup } from './cleanup.ts';

export async function throwawayDatabase(
  baseUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tandem_bench_${randomUUID().replaceAll('-', '')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  assertNotInterrupted();
  await run(`create database "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const drop = onCleanup({ async: () => run(`drop database if exists "${name}" with (force)`) });
  return { url: url.toString(), drop };
}
