// What every request handler may use; built once by createApp and passed down explicitly.
import type { RoomManager } from '@tandem/core';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { ArchivePool } from './archive/archive-pool.ts';
import type { Auth } from './auth/lucia.ts';
import type { Database, Db } from './db/client.ts';
import type { Config } from './env.ts';
import type { RateLimits } from './http/rate-limit.ts';
import type { Metrics } from './http/metrics.ts';
import type { PubSub } from './pubsub.ts';
import type { AccessEvents } from './sync/access-events.ts';
import type { TaskRunner } from './tasks/runner.ts';

export interface AppDeps {
  config: Config;
  /** The open database (kind, ping, close). */
  database: Database;
  db: Db;
  auth: Auth;
  limits: RateLimits;
  logger: Logger;
  metrics: Metrics;
  redis: Redis | undefined;
  pubsub: PubSub;
  /** Live workspace documents: every server-side file edit goes through `rooms.transact`. */
  rooms: RoomManager;
  runner: TaskRunner;
  /** Access changes that live connections must follow (roles, removals, revoked users). */
  access: AccessEvents;
  /** Worker threads that pack and unpack archives, off the event loop. */
  archives: ArchivePool;
}
