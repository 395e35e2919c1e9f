// Probes for orchestrators and load balancers. Liveness asks only whether the process answers (restarting it would
// not fix a database outage); readiness asks whether this instance can serve, so a balancer takes it out of rotation
// while a dependency is down and puts it back without a restart.
import express from 'express';
import type { Logger } from 'pino';
import type { SandboxStatus } from '@tandem/core';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/client.ts';

/** A probe answers well within an orchestrator's usual 1-5 s probe timeout, even when a dependency hangs. */
export const CHECK_TIMEOUT_MS = 1000;

/** A check resolves with extra detail for the JSON answer, or throws when the dependency is not usable. */
export type ReadinessCheck = () => Promise<Record<string, unknown>>;

export interface CheckResult {
  ok: boolean;
  ms: number;
  /** A short reason only: the answer is public, the full error goes to the log. */
  error?: string;
  [detail: string]: unknown;
}

export function readinessChecks(deps: {
  database: Database;
  redis: { ping(): Promise<string> } | undefined;
  sandbox?: { status(): SandboxStatus };
}): Record<string, ReadinessCheck> {
  const checks: Record<string, ReadinessCheck> = {
    database: async () => {
      await deps.database.ping();
      return { kind: deps.database.kind };
    },
  };
  // Redis carries rate limits, the task queue and cross-instance events, so an instance without it must not serve.
  const redis = deps.redis;
  if (redis) {
    checks.redis = async () => {
      await redis.ping();
      return {};
    };
  }
  // The sandbox is reported, never failed: an instance without it still serves editing, review and tasks, and only
  // check runs are refused (each with SANDBOX_UNAVAILABLE and the reason). Taking every instance out of rotation
  // because bwrap is missing would turn one missing feature into a full outage; `degraded` makes it visible instead.
  const sandbox = deps.sandbox;
  if (sandbox) {
    checks.sandbox = () => {
      const status = sandbox.status();
      return Promise.resolve({
        available: status.available,
        degraded: !status.available,
        ...(status.reason ? { reason: status.reason } : {}),
        limitsBy: status.limitsBy,
        selfCheck: status.checks,
      });
    };
  }
  return checks;
}

export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  logger: Logger,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<{ ok: boolean; checks: Record<string, CheckResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      try {
        const detail = await within(check(), timeoutMs);
        return [name, { ok: true, ...detail, ms: ms() }];
      } catch (error) {
        logger.warn({ err: error, check: name }, 'readiness check failed');
        return [name, { ok: false, ms: ms(), error: error instanceof TimeoutError ? 'timed out' : 'failed' }];
      }
    }),
  );
  const results = Object.fromEntries(entries);
  return { ok: entries.every(([, result]) => result.ok), checks: results };
}

class TimeoutError extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
  });
  // race() handles a late rejection of the check, so it cannot surface as an unhandled rejection.
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function healthRoutes(checks: Record<string, ReadinessCheck>, logger: Logger): express.Router {
  const router = express.Router();
  const live: express.RequestHandler = (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true });
  };
  router.get('/livez', live);
  // The older name, kept for probes and monitors already configured with it.
  router.get('/healthz', live);
  router.get('/readyz', async (_req, res) => {
    const result = await runChecks(checks, logger);
    res.setHeader('Cache-Control', 'no-store');
    res.status(result.ok ? 200 : 503).json(result);
  });
  return router;
}

/**
 * `tandem_dependency_up{dependency}`: the readiness checks, run when Prometheus scrapes, so alerts can say which
 * dependency is down rather than only that the instance left rotation.
 */
export function exportReadiness(
  registry: Registry,
  checks: Record<string, ReadinessCheck>,
  logger: Logger,
): void {
  new Gauge({
    name: 'tandem_dependency_up',
    help: 'Whether a dependency this instance needs answers its readiness check (1) or not (0)',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      const result = await runChecks(checks, logger);
      // A degraded dependency (the sandbox) answers without failing readiness, but it is not up.
      for (const [dependency, check] of Object.entries(result.checks)) {
        this.set({ dependency }, check.ok && check.degraded !== true ? 1 : 0);
      }
    },
  });
}

/** Probes poll every few seconds; logging each request would drown the log. */
export const probePaths = new Set(['/livez', '/healthz', '/readyz']);
