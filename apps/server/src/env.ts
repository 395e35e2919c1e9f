// The only place that reads process.env: everything else receives a typed Config.
import path from 'node:path';
import { parseAllowedHosts } from '@tandem/core';
import { z } from 'zod';
import {
  defaultLimits,
  limitVariable,
  parseLimitRule,
  type LimitConfig,
  type LimitName,
} from './http/limit-rules.ts';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.ts';

const limitNames = Object.keys(defaultLimits) as LimitName[];

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  TANDEM_DATA_DIR: z.string().default('./.tandem'),
  TANDEM_PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  TANDEM_REDIS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only')
    .default('default'),
  TANDEM_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  TANDEM_LLM_PROVIDER: z.enum(['openai-compatible', 'anthropic']).optional(),
  TANDEM_LLM_BASE_URL: z.url().optional(),
  TANDEM_LLM_API_KEY: z.string().optional(),
  TANDEM_LLM_MODEL: z.string().optional(),
  TANDEM_OLLAMA_URL: z.url().default('http://127.0.0.1:11434'),
  TANDEM_TASK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  TANDEM_SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  TANDEM_TRUST_PROXY: z.string().optional(),
  TANDEM_SANDBOX_BWRAP: z.string().min(1).default('bwrap'),
  TANDEM_SANDBOX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  TANDEM_SANDBOX_CGROUP_ROOT: z.string().min(1).default('/sys/fs/cgroup'),
  TANDEM_SANDBOX_CACHE_DIR: z.string().optional(),
  /** Where bwrap and the tools around it are looked up. */
  PATH: z.string().default('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
  TANDEM_METRICS_TOKEN: z
    .string()
    .min(16, 'use at least 16 characters (e.g. `openssl rand -hex 32`)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  TANDEM_METRICS_PORT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  TANDEM_METRICS_HOST: z.string().default('127.0.0.1'),
  TANDEM_SECRET_KEY: z.string().optional(),
  TANDEM_GIT_ALLOWED_HOSTS: z.string().optional(),
  TANDEM_SECRET_KEY_PREVIOUS: z.string().optional(),
  TANDEM_WEBHOOK_ALLOW_PRIVATE: z.enum(['0', '1']).default('0'),
  /** Set by pnpm to the directory the command was typed in; relative paths are meant from there. */
  INIT_CWD: z.string().optional(),
  ...Object.fromEntries(limitNames.map((name) => [limitVariable(name), z.string().optional()])),
});

/** Every environment variable the server reads, for deployment recipes to be checked against. */
export const configVariables: readonly string[] = Object.keys(schema.shape);

/** The default of each variable that has one, for the configuration table (README, docs) to be checked against. */
export const configDefaults: Readonly<Record<string, unknown>> = Object.fromEntries(
  Object.entries(schema.shape).flatMap(([name, type]) => {
    const parsed = (type as z.ZodType).safeParse(undefined);
    return parsed.success && parsed.data !== undefined ? [[name, parsed.data]] : [];
  }),
);

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** Origin used for invite links and the Origin check; undefined = derive from the request's Host. */
  publicUrl: string | undefined;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Separates this deployment's Redis keys (rate limits, task queue) from others sharing the same Redis. */
  redisNamespace: string;
  logLevel: string;
  /** Where a local Ollama is looked for when no model is configured. */
  ollamaUrl: string;
  /** Tasks one instance runs at the same time. */
  taskConcurrency: number;
  /** On SIGTERM, how long running tasks may go on before they are handed back to the queue (ms). */
  shutdownDrainMs: number;
  sandbox: {
    /** bwrap's name (looked up on `searchPath`) or absolute path. */
    bwrap: string;
    searchPath: string;
    /** Sandbox runs one instance runs at the same time; the rest wait in line. */
    concurrency: number;
    /** Where cgroup hierarchies are mounted; false: rlimits only. */
    cgroupRoot: string | false;
    /** Installed dependencies, by lockfile hash. */
    cacheDir: string;
  };
  /** Proxies whose X-Forwarded-For is believed; undefined = the socket's peer is the client. */
  trustProxy: TrustProxy | undefined;
  metrics: {
    /** Bearer token /metrics requires when set. */
    token: string | undefined;
    /** Serve /metrics on its own listener (and not on the app's port) when set. */
    port: number | undefined;
    host: string;
  };
  /** Base64 key that seals secrets at rest; unset: a key file in the data directory (see secrets.ts). */
  secretKey: string | undefined;
  /** Older keys (comma-separated) that still open secrets until they are sealed again. */
  secretKeyPrevious: string | undefined;
  security: {
    /** The security webhook may go to private, loopback and link-local addresses (a receiver on the same network). */
    webhookAllowPrivate: boolean;
  };
  git: {
    /** Hosts (names or addresses) git remotes may be on even when private or loopback. */
    allowedHosts: string[];
    /** PATH the git CLI and ssh are looked up on (ssh remotes). */
    searchPath: string;
  };
  /** Rate limits changed from their defaults by `TANDEM_LIMIT_*` variables. */
  limits: Partial<LimitConfig>;
  llm: {
    provider: 'openai-compatible' | 'anthropic' | undefined;
    baseUrl: string | undefined;
    apiKey: string | undefined;
    model: string | undefined;
  };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  let trustProxy: TrustProxy | undefined;
  try {
    trustProxy = parseTrustProxy(e.TANDEM_TRUST_PROXY);
  } catch (error) {
    throw new Error(`Invalid configuration: TANDEM_TRUST_PROXY: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const limits: Partial<LimitConfig> = {};
  for (const name of limitNames) {
    const variable = limitVariable(name);
    const value = source[variable];
    if (!value) continue;
    try {
      limits[name] = parseLimitRule(value);
    } catch (error) {
      throw new Error(`Invalid configuration: ${variable}: ${(error as Error).message}`, { cause: error });
    }
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.INIT_CWD ?? process.cwd(), e.TANDEM_DATA_DIR),
    publicUrl: e.TANDEM_PUBLIC_URL ? new URL(e.TANDEM_PUBLIC_URL).origin : undefined,
    databaseUrl: e.DATABASE_URL || undefined,
    redisUrl: e.REDIS_URL || undefined,
    redisNamespace: e.TANDEM_REDIS_NAMESPACE,
    logLevel: e.TANDEM_LOG_LEVEL,
    ollamaUrl: e.TANDEM_OLLAMA_URL,
    taskConcurrency: e.TANDEM_TASK_CONCURRENCY,
    shutdownDrainMs: e.TANDEM_SHUTDOWN_DRAIN_MS,
    trustProxy,
    sandbox: {
      bwrap: e.TANDEM_SANDBOX_BWRAP,
      searchPath: e.PATH,
      concurrency: e.TANDEM_SANDBOX_CONCURRENCY,
      cgroupRoot: e.TANDEM_SANDBOX_CGROUP_ROOT === 'off' ? false : e.TANDEM_SANDBOX_CGROUP_ROOT,
      cacheDir: path.resolve(
        e.INIT_CWD ?? process.cwd(),
        e.TANDEM_SANDBOX_CACHE_DIR ?? path.join(e.TANDEM_DATA_DIR, 'sandbox-cache'),
      ),
    },
    metrics: { token: e.TANDEM_METRICS_TOKEN, port: e.TANDEM_METRICS_PORT, host: e.TANDEM_METRICS_HOST },
    secretKey: e.TANDEM_SECRET_KEY || undefined,
    secretKeyPrevious: e.TANDEM_SECRET_KEY_PREVIOUS || undefined,
    git: { allowedHosts: parseAllowedHosts(e.TANDEM_GIT_ALLOWED_HOSTS), searchPath: e.PATH },
    security: { webhookAllowPrivate: e.TANDEM_WEBHOOK_ALLOW_PRIVATE === '1' },
    limits,
    llm: {
      provider: e.TANDEM_LLM_PROVIDER,
      baseUrl: e.TANDEM_LLM_BASE_URL,
      apiKey: e.TANDEM_LLM_API_KEY,
      model: e.TANDEM_LLM_MODEL,
    },
  };
}

/** The folder a command was started from: pnpm runs package scripts in the package, and says where in INIT_CWD. */
export const invocationDir = (): string => process.env.INIT_CWD ?? process.cwd();

/** This process's environment with `extra` on top, for a child process (a PostgreSQL client tool). */
export const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, ...extra });
