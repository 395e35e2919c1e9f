// The process's RoomManager: documents stored in the database, fanned out through Redis when configured, with
// its activity reported to Prometheus and the log.
import { RoomManager, type SyncLimits } from '@tandem/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { Metrics } from '../http/metrics.ts';
import { PgDocStorage } from './pg-storage.ts';
import { RedisRoomBus } from './redis-bus.ts';

export function createRooms(
  database: Database,
  redis: Redis | undefined,
  metrics: Metrics,
  logger: Logger,
  limits: Partial<SyncLimits> | undefined,
) {
  const bus = redis ? new RedisRoomBus(redis) : undefined;
  const rooms = new RoomManager({
    storage: new PgDocStorage(database),
    ...(bus ? { bus } : {}),
    // A document carries CRDT overhead on top of the workspace's own 100 MiB file limit.
    limits: { maxDocumentBytes: 160 * 1024 * 1024, ...limits },
    metrics: {
      messageReceived: (_doc, kind, bytes) => {
        metrics.yjsMessages.inc({ kind });
        metrics.yjsBytes.inc(bytes);
      },
      persisted: (_doc, updates, _bytes, appendMs) => {
        metrics.yjsUpdates.inc(updates);
        metrics.yjsPersistSeconds.observe(appendMs / 1000);
      },
      refused: (_doc, reason) => metrics.yjsRefused.inc({ reason }),
      error: (docName, operation, error) => logger.error({ err: error, docName, operation }, 'sync error'),
    },
  });
  return { rooms, closeBus: () => bus?.close() };
}
