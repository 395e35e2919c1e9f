// Starts the real server on a random port against a fresh database (PGlite in memory, or a new database on the
// PostgreSQL of DATABASE_URL) and gives tests real tRPC clients with their own cookie jars.
import { randomUUID } from 'node:crypto';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import pg from 'pg';
import superjson from 'superjson';
import { expect } from 'vitest';
import { createApp, type App, type AppOptions } from '../src/app.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { loadConfig, type Config } from '../src/env.ts';
import { createBwrapSandbox, type BwrapSandbox } from '../src/sandbox/bwrap.ts';
import type { AppRouter } from '../src/trpc/root.ts';
import { testEnv } from './env.ts';

export type Backend = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it). */
export const backends: Backend[] = testEnv.databaseUrl ? ['pglite', 'postgres'] : ['pglite'];

/** A new, empty database on the PostgreSQL of DATABASE_URL (no migrations run), and a way to drop it. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = testEnv.databaseUrl;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `tandem_test_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

export interface TestDatabase {
  database: Database;
  url: string | undefined;
  dispose(): Promise<void>;
}

export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const database = await openDatabase({});
    return { database, url: undefined, dispose: () => database.close() };
  }
  const { url, drop } = await freshPostgres();
  const database = await openDatabase({ databaseUrl: url });
  return {
    database,
    url,
    dispose: async () => {
      await database.close();
      await drop();
    },
  };
}

/** The rows of a raw `db.execute` result, which Drizzle types loosely for both drivers. */
export const rowsOf = (result: unknown) => (result as { rows: Record<string, unknown>[] }).rows;

export interface TestServer {
  app: App;
  url: string;
  config: Config;
  close(): Promise<void>;
}

let shared: BwrapSandbox | undefined;

/** One sandbox (and one start-up self-check) for all the test servers of a file, unless a test configures its own. */
function sharedSandbox(config: Config): BwrapSandbox {
  shared ??= createBwrapSandbox({ ...config.sandbox, dataDir: config.dataDir });
  return shared;
}

/** The environment that points a test server at a replay model server (`startReplayServer` in @tandem/core/testing). */
export const replayModelEnv = (llm: { url: string }) => ({
  TANDEM_LLM_PROVIDER: 'openai-compatible',
  TANDEM_LLM_BASE_URL: `${llm.url}/v1`,
  TANDEM_LLM_API_KEY: 'test-key',
  TANDEM_LLM_MODEL: 'replay-model',
});

export async function startTestServer(
  backend: Backend,
  options: AppOptions & { env?: Record<string, string> } = {},
): Promise<TestServer> {
  const testDb = await openTestDatabase(backend);
  const config = loadConfig({
    NODE_ENV: 'test',
    TANDEM_LOG_LEVEL: 'silent',
    // Tests close servers with tasks still streaming: those hand over at once instead of holding the close.
    TANDEM_SHUTDOWN_DRAIN_MS: '0',
    ...(testEnv.redisUrl ? { REDIS_URL: testEnv.redisUrl } : {}),
    ...options.env,
  });
  const app = await createApp(config, {
    db: testDb.database,
    namespace: randomUUID(),
    limits: {
      signInPerIp: { points: 10_000, duration: 60 },
      signUpPerIp: { points: 10_000, duration: 60 },
      ...options.limits,
    },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.sync ? { sync: options.sync } : {}),
    ...(options.git ? { git: options.git } : {}),
    ...(options.security ? { security: options.security } : {}),
    ...(options.quality ? { quality: options.quality } : {}),
    ...(options.webDist ? { webDist: options.webDist } : {}),
    ...(options.docsDist ? { docsDist: options.docsDist } : {}),
    ...(options.sandbox
      ? { sandbox: options.sandbox }
      : Object.keys(options.env ?? {}).some((name) => name.startsWith('TANDEM_SANDBOX_'))
        ? {}
        : { sandbox: sharedSandbox(config) }),
  });
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    config,
    close: async () => {
      await app.close();
      await testDb.dispose();
    },
  };
}

/**
 * Instances of the app sharing one fresh PostgreSQL database (DATABASE_URL) and the Redis of REDIS_URL, as a
 * scaled-out deployment runs them. Each `start` adds an instance and resolves with it and its URL.
 */
export async function startCluster(env: Record<string, string> = {}) {
  const shared = await openTestDatabase('postgres');
  const url = shared.url ?? '';
  const namespace = randomUUID();
  const apps: App[] = [];
  const config = loadConfig({
    NODE_ENV: 'test',
    TANDEM_LOG_LEVEL: 'silent',
    TANDEM_SHUTDOWN_DRAIN_MS: '0',
    DATABASE_URL: url,
    REDIS_URL: testEnv.redisUrl ?? '',
    ...env,
  });
  return {
    apps,
    async start(options: AppOptions = {}): Promise<{ app: App; url: string }> {
      const app = await createApp(config, {
        db: await openDatabase({ databaseUrl: url }),
        namespace,
        ...options,
      });
      apps.push(app);
      return { app, url: await app.listen(0, '127.0.0.1') };
    },
    /** Closes one instance (and its database pool) before the others. */
    async stop(app: App) {
      apps.splice(apps.indexOf(app), 1);
      await app.close();
      await app.deps.database.close();
    },
    async close() {
      for (const app of apps.splice(0)) {
        await app.close();
        await app.deps.database.close();
      }
      await shared.dispose();
    },
  };
}

/** A cookie jar that follows Set-Cookie like a browser would (enough for one host). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export function makeClient(url: string, jar = new CookieJar(), headers: Record<string, string> = {}) {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: () => ({ ...headers, ...(jar.cookies.size ? { cookie: jar.header() } : {}) }),
        fetch: async (input, init) => {
          const response = await fetch(input as string, init);
          jar.store(response);
          return response;
        },
      }),
    ],
  });
  return { trpc: client, jar };
}

export type Client = ReturnType<typeof makeClient>;

let counter = 0;
export async function signedUpClient(url: string, name = 'User') {
  const c = makeClient(url);
  counter += 1;
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${counter}-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'correct horse battery';
  const user = await c.trpc.auth.signUp.mutate({ email, password, name });
  return { ...c, user, email, password };
}

export interface ErrorData {
  code: string;
  httpStatus: number;
  retryAfter?: number;
  issues?: { path: string; message: string }[];
  details?: Record<string, unknown>;
  requestId?: string;
}

/** Awaits a call that must fail and returns its typed error data. */
export async function expectError(promise: Promise<unknown>, code: string): Promise<ErrorData> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const data = (error as TRPCClientError<AppRouter>).data as ErrorData;
  expect(data.code).toBe(code);
  return data;
}

/** Raw POST to a procedure, for malformed bodies and header games that the typed client cannot produce. */
export function rawPost(url: string, procedure: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}
