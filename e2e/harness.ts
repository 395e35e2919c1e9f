// End-to-end harness: the real server as a child process, a scripted model server, Debian's Chromium, and
// small HTTP helpers for the setup a test does not want to click through.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type { AppRouter } from '@tandem/server/router';
import { startReplayServer, type ReplayServer, type ReplayServerOptions } from '@tandem/core/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import superjson, { type SuperJSONResult } from 'superjson';
import { startOptions } from '../apps/server/build.ts';
import { e2eEnv } from './env.ts';

export { replay, searchReplaceBlock } from '@tandem/core/testing';

const e2eDir = path.dirname(fileURLToPath(import.meta.url));
const serverDir = path.resolve(e2eDir, '../apps/server');
/** Where screenshots go; CI keeps this folder, git ignores it. */
export const artifactsDir = path.join(e2eDir, 'artifacts');

/** The session cookie the server sets (apps/server/src/auth/lucia.ts). */
const SESSION_COOKIE = 'tandem_session';

/** What `startTandem` needs to talk to a model: an OpenAI-compatible base URL (ending in `/v1`) and a model id. */
export interface LlmConfig {
  baseUrl: string;
  model: string;
}

export interface TandemOptions {
  /** A model to use; without it the server has none (and finds no Ollama either). */
  llm?: LlmConfig;
  /** Extra server environment, applied last (e.g. `TANDEM_TASK_CONCURRENCY`). */
  env?: Record<string, string>;
  /**
   * A PostgreSQL database this server shares with others (a cluster); the caller creates and drops it. Without it
   * the server gets a fresh database of its own (see `startTandem`).
   */
  databaseUrl?: string;
  /** A fixed port, so a restarted instance comes back where a proxy in front expects it; random by default. */
  port?: number;
}

export interface Tandem {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the web app is served at `/`. */
  url: string;
  /** The server process's id (a benchmark reads its CPU time from /proc). */
  pid: number;
  /** Everything the server printed so far (JSON log lines and stderr), for failure messages. */
  logs(): string;
  /** SIGTERM, wait for exit, remove the data dir (and the PostgreSQL database). Rejects if the exit was not clean. */
  stop(): Promise<void>;
}

// Variables from a developer's shell that would change what the test server is; the harness decides these.
const inheritedButOurs = [
  'TANDEM_PUBLIC_URL',
  'TANDEM_LLM_PROVIDER',
  'TANDEM_LLM_BASE_URL',
  'TANDEM_LLM_API_KEY',
  'TANDEM_LLM_MODEL',
  'TANDEM_OLLAMA_URL',
  'INIT_CWD',
];

/**
 * Starts the real server as `pnpm start` runs it (the built `dist/main.js` in apps/server) on a random port with a
 * fresh data dir and no Redis, so rate limits are in-memory and new each run. With DATABASE_URL set it runs on a new
 * database created on that PostgreSQL (and dropped by `stop`), so every instance starts empty: the first
 * account signed up is its admin, as on a real fresh install. Unset: embedded PGlite in the data dir.
 */
export async function startTandem(options: TandemOptions = {}): Promise<Tandem> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-e2e-'));
  const database =
    options.databaseUrl === undefined && e2eEnv.databaseUrl
      ? await freshDatabase(e2eEnv.databaseUrl)
      : undefined;
  const cleanup = async () => {
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  };

  const inherited = Object.entries(process.env).filter(([name]) => !inheritedButOurs.includes(name));
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(inherited),
    NODE_ENV: 'production',
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
    TANDEM_DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl ?? database?.url ?? '',
    REDIS_URL: '',
    TANDEM_LOG_LEVEL: 'info',
    // Servers stop at the end of a test with tasks perhaps still streaming: hand them over at once.
    TANDEM_SHUTDOWN_DRAIN_MS: '0',
    // Nothing listens on port 9 (discard), so Ollama detection finds nothing quickly.
    TANDEM_OLLAMA_URL: 'http://127.0.0.1:9',
    ...(options.llm
      ? {
          TANDEM_LLM_PROVIDER: 'openai-compatible',
          TANDEM_LLM_BASE_URL: options.llm.baseUrl,
          TANDEM_LLM_MODEL: options.llm.model,
          TANDEM_LLM_API_KEY: 'e2e-key',
        }
      : {}),
    ...options.env,
  };

  const child = spawn(process.execPath, [...startOptions(), 'dist/main.js'], {
    cwd: serverDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) =>
        reject(new Error(`Tandem exited with ${code} before listening:\n${output}`)),
      );
      child.once('error', reject);
    });
  } catch (error) {
    child.kill('SIGKILL');
    await cleanup();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    url,
    pid: child.pid ?? 0,
    logs: () => output,
    stop: () =>
      (stopped ??= (async () => {
        child.kill('SIGTERM');
        // main.ts forces exit after 10 s; past that something is stuck and a kill is kinder than a hung run.
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        await cleanup();
        if (code !== 0) throw new Error(`Tandem did not shut down cleanly (exit ${code}):\n${tail(output)}`);
      })()),
  };
}

/**
 * A rolling restart as a deployment does it: each instance in turn gets SIGTERM, exits cleanly and starts again on
 * its port (so the proxy in front finds it), with `pauseMs` before each stop and each start. Replaces the entries
 * of `instances` in place; `onStep` hears each step as it begins, `stopped` once the instance has exited and `up`
 * once it is ready again (for a benchmark's timeline).
 */
export async function rollingRestart(
  instances: Tandem[],
  ports: number[],
  options: TandemOptions,
  pauseMs = 1_000,
  onStep: (step: 'stop' | 'stopped' | 'start' | 'up', index: number) => void = () => undefined,
): Promise<void> {
  const pause = () => new Promise((resolve) => setTimeout(resolve, pauseMs));
  for (const [index, port] of ports.entries()) {
    await pause();
    const instance = instances[index];
    if (!instance) throw new Error(`no instance ${index}`);
    onStep('stop', index);
    await instance.stop();
    onStep('stopped', index);
    await pause();
    onStep('start', index);
    instances[index] = await startTandem({ ...options, port });
    onStep('up', index);
  }
}

function tail(text: string, chars = 8_000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

export async function freshDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tandem_e2e_${randomUUID().replaceAll('-', '')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}

export interface Llm {
  /** The scripted model: `server.enqueue([replay.text('…')])` answers the next chat request. */
  server: ReplayServer;
  /** Pass as `startTandem({ llm })`. */
  llm: LlmConfig;
  close(): Promise<void>;
}

/** A loopback OpenAI-compatible model server (core's replay server) and the settings that point Tandem at it. */
export async function startLlm(options: ReplayServerOptions = {}): Promise<Llm> {
  const server = await startReplayServer(options);
  const model = options.models?.[0] ?? 'replay-model';
  return { server, llm: { baseUrl: `${server.url}/v1`, model }, close: () => server.close() };
}

/** Debian's Chromium, headless; never a browser Playwright downloaded. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: e2eEnv.chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A failed tRPC call: the HTTP status, the domain error code from `error.data.code`, and the message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface TrpcResponse {
  result?: { data?: SuperJSONResult };
  error?: { json?: { message?: string; data?: { code?: string } } };
}

/** Sends one procedure call in tRPC v11's HTTP shape and unwraps the superjson result. */
async function send(
  url: string,
  cookie: string,
  procedure: string,
  input: unknown,
  kind: 'query' | 'mutation',
): Promise<{ response: Response; value: unknown }> {
  const payload = JSON.stringify(superjson.serialize(input));
  const headers: Record<string, string> = { origin: url, ...(cookie ? { cookie } : {}) };
  const response =
    kind === 'query'
      ? await fetch(`${url}/trpc/${procedure}?input=${encodeURIComponent(payload)}`, { headers })
      : await fetch(`${url}/trpc/${procedure}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: payload,
        });
  const body = (await response.json()) as TrpcResponse;
  const data = body.result?.data;
  if (!response.ok || !data) {
    const error = body.error?.json;
    throw new ApiError(
      response.status,
      error?.data?.code ?? 'UNKNOWN',
      `${procedure}: ${error?.message ?? `HTTP ${response.status}`}`,
    );
  }
  return { response, value: superjson.deserialize(data) };
}

/**
 * One tRPC procedure over plain HTTP, as the browser sends it: superjson envelope, our Origin, the given
 * cookie (`name=value`, or '' for none). Resolves with the deserialized result (the server's
 * `result.data.json`, with Dates revived); throws ApiError otherwise. The result type is the caller's claim.
 * Example: `await call<{ id: string }>(url, cookie, 'workspace.create', { name: 'Demo' }, 'mutation')`.
 */
export async function call<T = unknown>(
  url: string,
  cookie: string,
  procedure: string,
  input: unknown,
  kind: 'query' | 'mutation',
): Promise<T> {
  const { value } = await send(url, cookie, procedure, input, kind);
  return value as T;
}

/** A typed tRPC client acting as the user whose cookie it carries, for setup with checked inputs and results. */
export function client(url: string, cookie: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: () => ({ origin: url, ...(cookie ? { cookie } : {}) }),
      }),
    ],
  });
}

export interface SignedUp {
  user: { id: string; email: string; name: string; isAdmin: boolean };
  /** `tandem_session=…`: the Cookie header value, and what `userContext` puts into the browser. */
  cookie: string;
  email: string;
  password: string;
}

/** Creates an account over HTTP and returns its session cookie. Email defaults to a unique one per call. */
export async function signUp(
  url: string,
  options: { name: string; email?: string; password?: string },
): Promise<SignedUp> {
  const email =
    options.email ??
    `${options.name.toLowerCase().replace(/\W/g, '') || 'user'}-${randomUUID().slice(0, 8)}@example.com`;
  const password = options.password ?? 'correct horse battery';
  const { response, value } = await send(
    url,
    '',
    'auth.signUp',
    { email, password, name: options.name },
    'mutation',
  );
  const session = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
  if (!session) throw new Error('auth.signUp set no session cookie');
  return { user: value as SignedUp['user'], cookie: session, email, password };
}

/**
 * A new browser context (1440x900, `baseURL` = the server) already signed in with `cookie`, so `page.goto('/')`
 * opens the app as that user. Pass '' for a signed-out context.
 */
export async function userContext(browser: Browser, url: string, cookie: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: url });
  if (cookie) {
    const eq = cookie.indexOf('=');
    await context.addCookies([
      { name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url, httpOnly: true, sameSite: 'Lax' },
    ]);
  }
  return context;
}

/**
 * Runs axe (WCAG 2.0/2.1 A and AA) on the page as it is now and throws if anything serious or critical is
 * found, listing each violation with its first three targets. Minor and moderate findings are returned.
 */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length > 0) {
    const lines = blocking.map((v) => {
      const targets = v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target));
      return `- ${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n    ${targets.join('\n    ')}`;
    });
    throw new Error(`${label}: ${blocking.length} accessibility violation(s)\n${lines.join('\n')}`);
  }
  return results;
}

/**
 * Runs every axe rule (WCAG 2.0/2.1/2.2 A and AA and axe's best practices) and throws on any finding, whatever its
 * impact, listing each with its first three targets.
 */
export async function expectNoAxeFindings(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).analyze();
  if (results.violations.length > 0) {
    const lines = results.violations.map((v) => {
      const targets = v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target));
      return `- ${v.id} (${v.impact ?? 'unknown'}): ${v.help}\n    ${targets.join('\n    ')}`;
    });
    throw new Error(`${label}: ${results.violations.length} axe finding(s)\n${lines.join('\n')}`);
  }
  return results;
}

/** Screenshot (of the whole page, or with `fullPage: false` of the window) to `e2e/artifacts/<name>.png`; returns
 * the path. */
export async function saveScreenshot(
  page: Page,
  name: string,
  { fullPage = true }: { fullPage?: boolean } = {},
): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * Polls `fn` until it returns something truthy without throwing, and returns that. On timeout throws with the
 * last error (or the last falsy value), so a failing wait says what it was waiting for.
 */
export async function until<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : `last value ${String(last)}`;
      throw new Error(`until: gave up after ${timeoutMs} ms (${reason})`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
