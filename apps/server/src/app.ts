// Builds the whole server (Express + tRPC over HTTP and WebSocket) around injected dependencies, so tests run the
// real thing on a random port and main.ts only adds process concerns.
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { isAppError } from '@tandem/core';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import express, { type ErrorRequestHandler } from 'express';
import helmet from 'helmet';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { WebSocketServer } from 'ws';
import { createLucia } from './auth/lucia.ts';
import { openDatabase, type Database } from './db/client.ts';
import type { AppDeps } from './deps.ts';
import type { Config } from './env.ts';
import { ArchivePool, type ArchivePoolOptions } from './archive/archive-pool.ts';
import { fileRoutes } from './http/file-routes.ts';
import { createMetrics } from './http/metrics.ts';
import { checkOrigin } from './http/origin.ts';
import { defaultLimits, RateLimits, type LimitConfig } from './http/rate-limit.ts';
import { clientIp, requestIdFor } from './http/request-id.ts';
import { classifyError } from './trpc/errors.ts';
import { PubSub } from './pubsub.ts';
import { AccessEvents } from './sync/access-events.ts';
import { serverRoot } from './server-root.ts';
import { createRooms } from './sync/rooms.ts';
import { executeTask } from './tasks/execute.ts';
import { createTaskRunner } from './tasks/runner.ts';
import { createSyncEndpoint, type SyncEndpoint, type SyncEndpointOptions } from './sync/endpoint.ts';
import { appRouter } from './trpc/root.ts';
import { sharedEncoder } from './trpc/shared-output.ts';
import { createContext } from './trpc/trpc.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

// Metric labels stay bounded: unknown paths are counted together.
const knownRoutes = new Set(['/', '/healthz', '/readyz', '/metrics']);

const webDist = path.join(serverRoot, '../web/dist');

export interface AppOptions {
  /** An already open database (tests share one); otherwise opened from the config. */
  db?: Database;
  logger?: Logger;
  limits?: Partial<LimitConfig>;
  /** Worker threads and queue for archive uploads and downloads. */
  archives?: ArchivePoolOptions;
  /** Separates the Redis keys (rate limits, task queue) of app instances that share one Redis but not one database (tests). */
  namespace?: string;
  sync?: SyncEndpointOptions;
}

export interface App {
  server: Server;
  deps: AppDeps;
  sync: SyncEndpoint;
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Graceful stop: refuse new connections, let in-flight requests finish, close sockets and the database. */
  close(): Promise<void>;
}

function createLogger(config: Config): Logger {
  if (config.env === 'development') {
    return pino({ level: config.logLevel, transport: { target: 'pino-pretty' } });
  }
  return pino({ level: config.logLevel });
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
  const pubsub = new PubSub(redis);
  const archives = new ArchivePool(options.archives);
  const roomSet = await createRooms(db, redis, metrics, logger, options.sync?.limits, (stored, onError) =>
    archives.fold(stored, onError),
  );
  const secure = (config.publicUrl ?? '').startsWith('https:');
  const namespace = options.namespace ?? 'default';
  const runner = await createTaskRunner({
    // `deps` is complete by the time any task runs.
    execute: (taskId, signal) => executeTask(deps, taskId, signal),
    concurrency: config.taskConcurrency,
    pubsub,
    logger,
    redisUrl: config.redisUrl,
    namespace,
  });
  const deps: AppDeps = {
    config,
    database: db,
    db: db.db,
    auth: createLucia(db, { secure }),
    limits: new RateLimits({ ...defaultLimits, ...options.limits }, { redis, namespace }),
    logger,
    metrics,
    redis,
    pubsub,
    access: new AccessEvents(pubsub),
    rooms: roomSet.rooms,
    runner,
    archives,
  };

  const sync = await createSyncEndpoint(deps, deps.access, options.sync);

  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // The web app connects back to its own origin over WebSocket.
          connectSrc: ["'self'", 'ws:', 'wss:'],
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
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
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

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await db.ping();
      res.json({ ok: true, database: db.kind });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json({ ok: false, database: db.kind });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

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
          ip: clientIp(req),
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

  if (existsSync(webDist)) {
    app.use(express.static(webDist, { index: false, maxAge: '1h' }));
    app.get('/{*splat}', (_req, res) => {
      res.sendFile(path.join(webDist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Tandem server is running. Build the web app with `pnpm start` to use it here.');
    });
  }

  const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    logger.error({ err: error, requestId: req.id }, 'express error');
    if (!res.headersSent)
      res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error' } });
  };
  app.use(errorHandler);

  const server = createServer(app);
  metrics.wsConnections.set({ endpoint: 'trpc' }, 0);
  metrics.wsConnections.set({ endpoint: 'yjs' }, 0);
  const trpcWss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const trpcWs = applyWSSHandler({
    wss: trpcWss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    experimental_encoder: sharedEncoder,
    createContext: ({ req }) => createContext(deps, { req, requestId: requestIdFor(req), ip: clientIp(req) }),
  });
  trpcWss.on('connection', (ws) => {
    metrics.wsConnections.inc({ endpoint: 'trpc' });
    ws.on('close', () => metrics.wsConnections.dec({ endpoint: 'trpc' }));
  });

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      checkOrigin(req, config.publicUrl);
    } catch {
      refuse(socket, 403, 'Forbidden');
      return;
    }
    if (pathname === '/trpc') {
      trpcWss.handleUpgrade(req, socket, head, (ws) => trpcWss.emit('connection', ws, req));
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
  const close = () => {
    closing ??= (async () => {
      trpcWs.broadcastReconnectNotification();
      for (const client of trpcWss.clients) client.terminate();
      trpcWss.close();
      await runner.close();
      // Pending document writes are flushed before the database closes.
      await sync.close();
      await roomSet.close();
      pubsub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
        server.closeIdleConnections();
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
    close,
    listen: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          const shownHost = host === '0.0.0.0' ? 'localhost' : host;
          resolve(`http://${shownHost}:${address.port}`);
        });
      }),
  };
}
