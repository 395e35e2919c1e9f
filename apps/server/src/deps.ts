// What every request handler may use; built once by createApp and passed down explicitly.
import type { RoomManager } from '@tandem/core';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { ArchivePool } from './archive/archive-pool.ts';
import type { DocAuthorship } from './git/authorship.ts';
import type { GitRunner } from './git/git-runner.ts';
import type { Auth } from './auth/lucia.ts';
import type { Database, Db } from './db/client.ts';
import type { Config } from './env.ts';
import type { RateLimits } from './http/rate-limit.ts';
import type { Metrics } from './http/metrics.ts';
import type { AccessEvents } from './access/events.ts';
import type { LiveAccess } from './access/live.ts';
import type { Channels } from './bus/channels.ts';
import type { SecretBox } from './secrets.ts';
import type { TaskRunner } from './tasks/runner.ts';
import type { BwrapSandbox } from './sandbox/bwrap.ts';
import type { CheckRunQueue } from './checks/run-queue.ts';
import type { CheckRunTracker } from './checks/runs.ts';
import type { SecurityMonitor } from './security/monitor.ts';

export interface AppDeps {
  config: Config;
  /** This process in task leases: tasks it holds carry its id, and others leave them alone while it renews them. */
  instance: { id: string; leaseMs: number };
  /** Seals and opens secrets stored in the database (keys loaded on first use). */
  secrets: () => SecretBox;
  /** The open database (kind, ping, close). */
  database: Database;
  db: Db;
  auth: Auth;
  limits: RateLimits;
  logger: Logger;
  metrics: Metrics;
  redis: Redis | undefined;
  /** Typed messages between instances (in-process without Redis). */
  channels: Channels;
  /** Live workspace documents: every server-side file edit goes through `rooms.transact`. */
  rooms: RoomManager;
  runner: TaskRunner;
  /** Access changes that live connections must follow (roles, removals, archived workspaces, ended sessions). */
  access: AccessEvents;
  /** Open connections and subscriptions, re-checked when an access event concerns them. */
  live: LiveAccess;
  /** Runs commands on work trees in bubblewrap with hard limits; refuses when isolation is not proven. */
  sandbox: BwrapSandbox;
  /** Human-started check runs executing on this instance. */
  checkRuns: CheckRunTracker;
  /** Where submitted check runs execute: here, or on any instance with free sandbox slots (with Redis). */
  checkRunQueue: CheckRunQueue;
  /** Worker threads that pack and unpack archives, off the event loop. */
  archives: ArchivePool;
  /** Git jobs on worker threads, each with a deadline (git/git-runner.ts). */
  git: GitRunner;
  /** Who wrote which items of the workspace documents (git co-authors). */
  authorship: DocAuthorship;
  /** Security alerts: raised from events, stored, shown live, posted to the admin's webhook. */
  security: SecurityMonitor;
  /** The time, for rules that span hours or days (the survival of accepted changes): tests move it forward. */
  clock: () => Date;
}
