// Builds the whole server (Express + tRPC over HTTP and WebSocket) around injected dependencies, so tests run the
// real thing on a random port and main.ts only adds process concerns.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { AppError, defaultWebhookRetryDelaysMs, isAppError, type SpikeRules } from '@tandem/core';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLucia } from './auth/lucia.ts';
import { openDatabase, type Database } from './db/client.ts';
import type { AppDeps } from './deps.ts';
import type { Config } from './env.ts';
import { ArchivePool, type ArchivePoolOptions } from './archive/archive-pool.ts';
import { fileRoutes } from './http/file-routes.ts';
import { exportReadiness, healthRoutes, probePaths, readinessChecks } from './http/health.ts';
import { docsSite, webApp } from './http/static.ts';
import { httpErrorHandler, sendError } from './http/http-errors.ts';
import { refuseMalformedRequest, refuseMalformedUpgrade } from './http/malformed-url.ts';
import { metricsAccess } from './http/metrics-access.ts';
import { createMetrics } from './http/metrics.ts';
import { checkOrigin, connectSources } from './http/origin.ts';
import { effectiveLimits } from './http/limit-rules.ts';
import { RateLimits, type LimitConfig } from './http/rate-limit.ts';
import { clientIp, requestIdFor } from './http/request-id.ts';
import { createLogger } from './logger.ts';
import { classifyError } from './trpc/errors.ts';
import { AccessEvents } from './access/events.ts';
import { LiveAccess } from './access/live.ts';
import { createChannels } from './bus/channels.ts';
import { Transport } from './bus/transport.ts';
import { lazySecretBox } from './secrets.ts';
import { serverRoot } from './server-root.ts';
import { followLimitChanges } from './services/limits.ts';
import { sealStoredSecrets } from './services/settings.ts';
import { DocAuthorship } from './git/authorship.ts';
import { GitRunner, type GitRunnerOptions } from './git/git-runner.ts';
import { createRooms } from './sync/rooms.ts';
import { SNAPSHOT_PART_BYTES } from './sync/pg-storage.ts';
import { createBwrapSandbox, type BwrapSandbox } from './sandbox/bwrap.ts';
import { createCheckRunQueue } from './checks/run-queue.ts';
import { CheckRunTracker, executeSubmittedRun } from './checks/runs.ts';
import { SecurityMonitor } from './security/monitor.ts';
import { WebhookQueue } from './security/webhook-queue.ts';
import { getWebhookConfig } from './services/security.ts';
import { executeTask } from './tasks/execute.ts';
import { commentsForPrompt } from './review/service.ts';
import { defaultLeaseMs, keepLeases } from './tasks/leases.ts';
import { sweepSurvival } from './tasks/quality.ts';
import { startControlServer } from './backup/control.ts';
import { createTaskRunner } from './tasks/runner.ts';
import { createSyncEndpoint, type SyncEndpoint, type SyncEndpointOptions } from './sync/endpoint.ts';
import { appRouter } from './trpc/root.ts';
import { sharedEncoder } from './trpc/shared-output.ts';
import { createContext, createSocketContext } from './trpc/trpc.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

// Metric labels stay bounded: unknown paths are counted together.
const knownRoutes = new Set(['/', '/livez', '/healthz', '/readyz', '/metrics']);

const builtWebDist = path.join(serverRoot, '../web/dist');
// `pnpm docs:build` writes the docs site beside the apps; the container image keeps the same relative place.
const builtDocsDist = path.join(serverRoot, '../../docs/dist');

export interface AppOptions {
  /** An already open database (tests share one); otherwise opened from the config. */
  db?: Database;
  logger?: Logger;
  limits?: Partial<LimitConfig>;
  /** Worker threads and queue for archive uploads and downloads. */
  archives?: ArchivePoolOptions;
  /** Overrides TANDEM_REDIS_NAMESPACE (tests run many apps in one process on one Redis). */
  namespace?: string;
  sync?: SyncEndpointOptions;
  /** The built web app to serve (tests point it at a fixture); defaults to apps/web/dist. */
  webDist?: string;
  /** The built docs site served at /docs; defaults to docs/dist. */
  docsDist?: string;
  /** A sandbox shared by several app instances (tests), instead of one built from the config. */
  sandbox?: BwrapSandbox;
  /** Task lease length and how often to look for stranded tasks (tests shorten or lengthen them). */
  tasks?: { leaseMs?: number; sweepMs?: number };
  /** The clock of day-long rules (task survival) and how often survival is decided (tests move the clock). */
  quality?: { clock?: () => Date; sweepMs?: number };
  /** Git job concurrency and deadlines, and repository limits (tests make them small). */
  git?: GitRunnerOptions;
  /** Security alert thresholds and webhook retry delays and timeout (tests make them small). */
  security?: {
    spikeRules?: SpikeRules;
    webhookDelaysMs?: readonly number[];
    webhookTimeoutMs?: number;
  };
}

export interface App {
  server: Server;
  deps: AppDeps;
  sync: SyncEndpoint;
  /** The listener of /metrics when TANDEM_METRICS_PORT is set (listening once `listen` resolved). */
  metricsServer: Server | undefined;
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Graceful stop: refuse new connections, let in-flight requests finish, give running tasks `drainMs` (default
   * `TANDEM_SHUTDOWN_DRAIN_MS`) before handing them back to the queue, close sockets and the database.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  // ioredis is loaded only when there is a Redis to talk to (see the task runner for BullMQ).
  const redis = config.redisUrl
    ? new (await import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 2 })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  const metrics = createMetrics();
  const transport = new Transport(redis);
  const channels = createChannels(transport, {
    onInvalid: (channel) => logger.warn({ channel }, 'dropped a message that does not fit its channel'),
  });
  // Yjs updates reach this process's sockets from the room itself; the channel carries them to other instances.
  const roomBus = redis
    ? {
        publish: (docName: string, bytes: Uint8Array) =>
          channels.yjs.publish(docName, bytes, { local: false }),
        subscribe: (docName: string, handler: (bytes: Uint8Array) => void) =>
          channels.yjs.subscribe(docName, handler),
      }
    : undefined;
  const authorship = new DocAuthorship(() => db.db, logger);
  const roomSet = await createRooms(
    db,
    roomBus,
    metrics,
    logger,
    options.sync?.limits,
    // Only ever called once a room has loaded, after `archives` exists.
    (stored, onError) => archives.fold(stored, onError, SNAPSHOT_PART_BYTES),
    authorship,
  );
  const archives = new ArchivePool({ direct: roomSet.direct, ...options.archives });
  // `deps` is complete before any event is reported (the first request, task or sandbox run comes later).
  const security = new SecurityMonitor(
    () => deps,
    new WebhookQueue({
      allowPrivate: config.security.webhookAllowPrivate,
      timeoutMs: options.security?.webhookTimeoutMs ?? 5_000,
      delaysMs: options.security?.webhookDelaysMs ?? defaultWebhookRetryDelaysMs,
      maxQueued: 100,
      logger,
      config: () => getWebhookConfig(deps),
    }),
    options.security?.spikeRules,
  );
  const secure = (config.publicUrl ?? '').startsWith('https:');
  const namespace = options.namespace ?? config.redisNamespace;
  const runner = await createTaskRunner({
    // `deps` is complete by the time any task runs.
    execute: (taskId, signal) =>
      executeTask(
        { ...deps, comments: (id, commentIds) => commentsForPrompt(deps, id, commentIds) },
        taskId,
        signal,
      ),
    concurrency: config.taskConcurrency,
    cancels: channels.taskCancel,
    logger,
    redisUrl: config.redisUrl,
    namespace,
  });
  // The self-check starts now and runs in the background; runs wait for it, /readyz shows it.
  const sandbox =
    options.sandbox ??
    createBwrapSandbox({
      ...config.sandbox,
      dataDir: config.dataDir,
      metrics: {
        runs: metrics.sandboxRuns,
        duration: metrics.sandboxDuration,
        refused: {
          inc: (labels: { reason: string }) => {
            metrics.sandboxRefused.inc(labels);
            security.report({ type: 'sandbox_refused', reason: labels.reason });
          },
        },
      },
      logger,
    });
  const leaseMs = options.tasks?.leaseMs ?? defaultLeaseMs;
  // Takes runs only once `deps` exists (started below).
  const checkRunQueue = await createCheckRunQueue({
    execute: (runId) => executeSubmittedRun(deps, runId),
    concurrency: config.sandbox.concurrency,
    logger,
    redisUrl: config.redisUrl,
    namespace,
  });
  const deps: AppDeps = {
    config,
    instance: { id: randomUUID(), leaseMs },
    secrets: lazySecretBox(config),
    database: db,
    db: db.db,
    auth: createLucia(db, { secure }),
    limits: new RateLimits(effectiveLimits(config.limits, options.limits), {
      redis,
      namespace,
      onRejected: (limit) => security.report({ type: 'rate_limited', limit }),
    }),
    logger,
    metrics,
    redis,
    channels,
    access: new AccessEvents(channels.access),
    live: new LiveAccess((error) => logger.error({ err: error }, 'access re-check failed')),
    rooms: roomSet.rooms,
    runner,
    sandbox,
    checkRuns: new CheckRunTracker(),
    checkRunQueue,
    archives,
    git: new GitRunner(options.git),
    authorship,
    security,
    clock: options.quality?.clock ?? (() => new Date()),
  };
  await deps.live.start(deps.access);
  await checkRunQueue.start();
  const stopLimits = await followLimitChanges(deps, (error) =>
    logger.error({ err: error }, 'rate limits could not be read again'),
  );

  // A malformed TANDEM_SECRET_KEY stops the start, not the first task.
  if (config.secretKey || config.secretKeyPrevious) deps.secrets();
  try {
    await sealStoredSecrets(deps);
  } catch (error) {
    // The server still serves everything else; the admin can enter the key again.
    logger.error({ err: error }, 'a stored secret could not be sealed with the current secret key');
  }
  const leases = keepLeases(deps, runner, options.tasks?.sweepMs ?? Math.floor(leaseMs / 2));
  await leases.start();
  // Survival verdicts are also decided before each quality report; this keeps them within a sweep of the day's end.
  const survivalSweep = setInterval(
    () => {
      sweepSurvival(deps, deps.clock()).catch((error: unknown) =>
        logger.warn({ err: error }, 'the survival sweep failed'),
      );
    },
    options.quality?.sweepMs ?? 10 * 60_000,
  );
  survivalSweep.unref();

  const sync = createSyncEndpoint(deps, options.sync);

  // The embedded database on disk is open in this process only: backups are taken through it (backup/control.ts).
  const dump = db.dump;
  const control =
    dump && db.dataDir
      ? await startControlServer(
          db.dataDir,
          {
            dumpDatabase: async () => {
              await roomSet.flush();
              return dump();
            },
          },
          logger,
        )
      : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The web app connects back to its own origin over WebSocket, and nowhere else.
          connectSrc: [(req) => connectSources(req, config.publicUrl)],
          // Helmet's default plus blob:, for previews of image files built from the bytes in the live document.
          imgSrc: ["'self'", 'data:', 'blob:'],
          upgradeInsecureRequests: secure ? [] : null,
        },
      },
      strictTransportSecurity: secure,
    }),
  );
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = requestIdFor(req);
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => probePaths.has(req.url) || req.url === '/metrics' },
    }),
  );
  app.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = req.path.startsWith('/trpc') ? '/trpc' : knownRoutes.has(req.path) ? req.path : 'other';
      end({ route, status: res.statusCode });
    });
    next();
  });

  const readiness = readinessChecks({ database: db, redis, sandbox });
  exportReadiness(metrics.registry, readiness, logger);
  app.use(healthRoutes(readiness, logger));
  const serveMetrics: express.RequestHandler = async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
  let metricsServer: Server | undefined;
  if (config.metrics.port === undefined) {
    app.get('/metrics', metricsAccess(config.metrics, false), serveMetrics);
  } else {
    app.get('/metrics', (_req, res) => {
      sendError(res, new AppError('NOT_FOUND', 'Metrics are served on their own port.'));
    });
    const metricsApp = express();
    metricsApp.disable('x-powered-by');
    metricsApp.get('/metrics', metricsAccess(config.metrics, true), serveMetrics);
    metricsServer = createServer(metricsApp);
  }

  // Refuse a declared oversized body before any procedure (even auth) runs; tRPC's own limit covers chunked bodies.
  app.use('/trpc', (req, res, next) => {
    if (Number(req.headers['content-length'] ?? 0) <= MAX_BODY_BYTES) {
      next();
      return;
    }
    metrics.errors.inc({ code: 'PAYLOAD_TOO_LARGE' });
    res.status(413).json({
      error: {
        json: {
          code: -32013,
          message: `Request body is larger than ${MAX_BODY_BYTES} bytes`,
          data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 },
        },
      },
    });
  });
  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: MAX_BODY_BYTES,
      createContext: ({ req, res }) =>
        createContext(deps, {
          req,
          res,
          requestId: typeof req.id === 'string' ? req.id : requestIdFor(req),
          ip: clientIp(req, config.trustProxy),
        }),
      onError: ({ error, path: procedure, ctx }) => {
        metrics.errors.inc({ code: classifyError(error).code });
        const cause = error.cause;
        if (!isAppError(cause) && error.code === 'INTERNAL_SERVER_ERROR') {
          logger.error({ err: cause ?? error, requestId: ctx?.requestId, procedure }, 'unhandled error');
        }
      },
      responseMeta: ({ errors }) => {
        const retryAfter = errors
          .map((e) => (isAppError(e.cause) ? e.cause.retryAfter : undefined))
          .find((v) => v !== undefined);
        return retryAfter === undefined ? {} : { headers: { 'Retry-After': String(retryAfter) } };
      },
    }),
  );

  app.use('/api', fileRoutes(deps));

  const docsDist = options.docsDist ?? builtDocsDist;
  if (existsSync(docsDist)) {
    // `/docs` itself: the site's pages link relative to `/docs/`.
    app.get('/docs', (req, res, next) => {
      // Express matches `/docs/` here too (trailing slashes are optional); that one is the site's index.
      if (req.path.endsWith('/')) {
        next();
        return;
      }
      const query = req.url.indexOf('?');
      res.redirect(301, `/docs/${query === -1 ? '' : req.url.slice(query)}`);
    });
    app.use('/docs', docsSite(docsDist));
  } else {
    app.get(['/docs', '/docs/{*splat}'], (_req, res) => {
      res
        .status(404)
        .type('text')
        .send('The documentation is not built. Run `pnpm docs:build` (`pnpm start` does) and reload.');
    });
  }

  const webDist = options.webDist ?? builtWebDist;
  if (existsSync(webDist)) {
    app.use(webApp(webDist));
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Tandem server is running. Build the web app with `pnpm start` to use it here.');
    });
  }

  // Errors from Express itself (undecodable route parameters, body parsers) are the client's: typed 4xx, not 500.
  app.use(httpErrorHandler(deps));

  const server = createServer((req, res) => {
    if (!refuseMalformedRequest(req, res)) app(req, res);
  });
  metrics.wsConnections.set({ endpoint: 'trpc' }, 0);
  metrics.wsConnections.set({ endpoint: 'yjs' }, 0);
  const trpcWss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  // The socket of each upgrade request, for its connection's context (which registers it with LiveAccess).
  const trpcSockets = new WeakMap<IncomingMessage, WebSocket>();
  const trpcWs = applyWSSHandler({
    wss: trpcWss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    experimental_encoder: sharedEncoder,
    createContext: ({ req }) =>
      createSocketContext(deps, {
        req,
        ws: trpcSockets.get(req),
        requestId: requestIdFor(req),
        ip: clientIp(req, config.trustProxy),
      }),
  });
  trpcWss.on('connection', (ws) => {
    metrics.wsConnections.inc({ endpoint: 'trpc' });
    ws.on('close', () => {
      metrics.wsConnections.dec({ endpoint: 'trpc' });
      metrics.wsDisconnects.inc({ endpoint: 'trpc' });
    });
  });

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (refuseMalformedUpgrade(req.url, socket)) return;
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      checkOrigin(req, config.publicUrl);
    } catch {
      refuse(socket, 403, 'Forbidden');
      return;
    }
    if (pathname === '/trpc') {
      trpcWss.handleUpgrade(req, socket, head, (ws) => {
        trpcSockets.set(req, ws);
        trpcWss.emit('connection', ws, req);
      });
      return;
    }
    const yjs = /^\/yjs\/([^/]+)$/.exec(pathname);
    if (yjs?.[1]) {
      sync.handleUpgrade(req, socket, head, decodeURIComponent(yjs[1]));
      return;
    }
    refuse(socket, 404, 'Not Found');
  });

  let closing: Promise<void> | undefined;
  const close = (closeOptions: { drainMs?: number } = {}) => {
    closing ??= (async () => {
      await control?.close();
      trpcWs.broadcastReconnectNotification();
      for (const client of trpcWss.clients) client.terminate();
      trpcWss.close();
      // Running tasks get a grace period to finish, then go back to the queue for another instance (or this one
      // once restarted); leases are renewed meanwhile, so no sweep elsewhere takes them for stranded.
      await runner.drain(closeOptions.drainMs ?? config.shutdownDrainMs);
      await leases.stop();
      clearInterval(survivalSweep);
      await runner.close();
      // Waiting runs stay queued for the other instances; the ones running here are cancelled.
      await checkRunQueue.pause();
      await deps.checkRuns.close();
      await checkRunQueue.close();
      // Pending document writes are flushed before the database closes.
      await sync.close();
      await roomSet.close();
      await deps.git.close();
      await deps.authorship.settled();
      await security.settled();
      security.webhook.close();
      deps.live.stop();
      await stopLimits();
      transport.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
        server.closeIdleConnections();
      });
      await new Promise<void>((resolve) => {
        if (!metricsServer?.listening) {
          resolve();
          return;
        }
        metricsServer.close(() => resolve());
        metricsServer.closeIdleConnections();
      });
      await deps.archives.close();
      redis?.disconnect();
      if (ownsDb) await db.close();
    })();
    return closing;
  };

  return {
    server,
    deps,
    sync,
    metricsServer,
    close,
    listen: async (port = config.port, host = config.host) => {
      if (metricsServer) await listenOn(metricsServer, config.metrics.port ?? 0, config.metrics.host);
      return listenOn(server, port, host);
    },
  };
}

function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' ? 'localhost' : host;
      resolve(`http://${shownHost}:${address.port}`);
    });
  });
}
