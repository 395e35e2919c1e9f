// The process's RoomManager: documents stored in the database, fanned out to other instances when there are any, with
// its activity reported to Prometheus and the log.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AuthorshipHooks,
  type DocStorage,
  type FoldStoredDoc,
  type RoomBus,
  RoomManager,
  type SyncLimits,
  WriteAheadStorage,
  replayLog,
  workspaceDocLayout,
} from '@tandem/core';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import type { Metrics } from '../http/metrics.ts';
import { PgDocStorage } from './pg-storage.ts';
import { FileAppendLog } from './update-log.ts';

export async function createRooms(
  database: Database,
  /** Fan-out to other instances; none for a single process. */
  bus: RoomBus | undefined,
  metrics: Metrics,
  logger: Logger,
  limits: Partial<SyncLimits> | undefined,
  fold?: FoldStoredDoc,
  authorship?: AuthorshipHooks,
) {
  const storage = bus ? directStorage(database) : await documentStorage(database, logger);
  const rooms = new RoomManager({
    storage: storage.storage,
    ...(bus ? { bus } : {}),
    ...(fold ? { fold } : {}),
    ...(authorship ? { authorship } : {}),
    // Content is held to the workspace limit the file API uses (`maxWorkspaceBytes`); the encoded document also
    // carries history and CRDT overhead, bounded separately.
    limits: { maxDocumentBytes: 160 * 1024 * 1024, ...limits },
    layout: workspaceDocLayout,
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
      roomLoaded: (_doc, loadMs) => metrics.yjsRoomLoadSeconds.observe(loadMs / 1000),
      error: (docName, operation, error) => logger.error({ err: error, docName, operation }, 'sync error'),
    },
  });
  return {
    rooms,
    /** On the embedded database, stored documents for archive workers to read and write themselves. */
    direct: storage.direct,
    /** Stores every update acknowledged so far (the write-ahead log's backlog); a backup runs it first. */
    flush: () => storage.flush(),
    /** After the rooms have closed: stores what is still on its way and lets go of the log. */
    close: () => storage.close(),
  };
}

function directStorage(database: Database) {
  const storage = new PgDocStorage(database);
  return {
    storage: storage as DocStorage,
    direct: storage.direct(() => Promise.resolve()),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/**
 * An embedded database on disk gets the write-ahead log in its folder (an update is durable once in the log, and
 * goes on into the database once the edits pause). Whatever a killed process left in the log is replayed into the
 * database first. A log with unreadable bytes in it is copied aside before it is emptied, so nothing is thrown away
 * unseen.
 */
async function documentStorage(database: Database, logger: Logger) {
  if (database.kind !== 'pglite' || !database.dataDir) return directStorage(database);
  const file = path.join(database.dataDir, 'updates.log');
  const { log, records, unreadBytes } = FileAppendLog.open(file);
  const store = new PgDocStorage(database);
  try {
    let skipped = 0;
    const replayed = await replayLog(store, records, (error) => {
      skipped++;
      logger.warn({ err: error }, 'skipped an update log record that does not decode');
    });
    if (unreadBytes > 0 || skipped > 0) {
      const copy = `${file}.damaged-${Date.now()}`;
      copyFileSync(file, copy);
      logger.warn({ unreadBytes, skipped, copy }, 'the update log had unreadable parts; a copy was kept');
    }
    if (replayed > 0) logger.info({ replayed }, 'stored the updates a stopped process had only logged');
    log.clear();
  } catch (error) {
    log.close();
    throw error;
  }
  const storage = new WriteAheadStorage(store, log, {
    onError: (error, docName) => logger.error({ err: error, docName }, 'storing logged updates failed'),
  });
  return {
    storage: storage as DocStorage,
    direct: store.direct((docName) => storage.settled(docName)),
    flush: () => storage.flush(),
    close: async () => {
      await storage.close();
      log.close();
    },
  };
}
