// The servers under test, each started fresh in its own process: Tandem (PGlite on disk, and PostgreSQL when
// DATABASE_URL is set), Hocuspocus and the classic y-websocket server. A target knows how to make a room and a client.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onCleanup } from './cleanup.ts';
import { connectClient, type SyncClient } from './clients.ts';
import { throwawayDatabase } from './postgres.ts';
import { startOptions } from '../../apps/server/build.ts';
import { compiled, startServer, type ProcessStats, type ServerProcess } from './server-process.ts';

export interface Running {
  stats(): ProcessStats;
  /** A new, empty room (a workspace for Tandem) that the clients of this run may join. */
  newRoom(): Promise<string>;
  /** See Server.restart; rooms made before it keep working, newRoom does not. */
  restart?(): Promise<void>;
  connect(room: string): SyncClient;
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  /** Whether documents survive the last client leaving (only then a cold load can be measured). */
  persistent: boolean;
  start(): Promise<Running>;
}

const servers = path.join(import.meta.dirname, 'servers');

/** A server normally starts on a database that exists: creating one (initdb, migrations) is a separate run. */
async function prepare(entry: string, env: Record<string, string>): Promise<void> {
  const prepared = spawnSync(process.execPath, [await compiled(entry)], {
    env: { ...process.env, ...env, BENCH_PREPARE_ONLY: '1' },
    encoding: 'utf8',
  });
  if (prepared.status !== 0) throw new Error(`preparing the database failed:\n${prepared.stderr}`);
}

function tandem(name: string, databaseUrl: string | undefined): Target {
  return {
    name,
    persistent: true,
    async start() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'tandem-bench-'));
      const removeDir = onCleanup({ sync: () => rmSync(dataDir, { recursive: true, force: true }) });
      let db: Awaited<ReturnType<typeof throwawayDatabase>> | undefined;
      try {
        db = databaseUrl ? await throwawayDatabase(databaseUrl) : undefined;
        const entry = path.join(servers, 'tandem-server.ts');
        const env = { BENCH_DATA_DIR: dataDir, BENCH_DATABASE_URL: db?.url ?? '' };
        await prepare(entry, env);
        const options = startOptions();
        let server = await startServer(entry, env, options);
        try {
          // Loaded only here: the harness pulls in the whole server, which the other targets do not need.
          const { signedUpClient } = await import('../../apps/server/test/harness.ts');
          const owner = await signedUpClient(server.url, 'Bench');
          const cookie = owner.jar.header();
          let n = 0;
          const database = db;
          return {
            stats: () => server.stats(),
            newRoom: async () => (await owner.trpc.workspace.create.mutate({ name: `bench ${++n}` })).id,
            restart: async () => {
              await server.stop();
              server = await startServer(entry, env, options);
            },
            connect: (room) => connectClient({ protocol: 'y-websocket', baseUrl: server.url, room, cookie }),
            stop: async () => {
              await server.stop();
              await database?.drop();
              await removeDir();
            },
          };
        } catch (error) {
          await server.stop();
          throw error;
        }
      } catch (error) {
        await db?.drop();
        await removeDir();
        throw error;
      }
    },
  };
}

/**
 * A server whose rooms are names, run with its defaults; a persistent one keeps its documents in a data folder of
 * its own and runs with Tandem's Node options.
 */
function named(
  name: string,
  entry: string,
  protocol: 'y-websocket' | 'hocuspocus',
  persistent = false,
): Target {
  return {
    name,
    persistent,
    async start() {
      const dataDir = persistent ? mkdtempSync(path.join(tmpdir(), 'tandem-bench-')) : '';
      const removeDir = onCleanup({
        sync: () => dataDir && rmSync(dataDir, { recursive: true, force: true }),
      });
      const env = { BENCH_DATA_DIR: dataDir };
      const file = path.join(servers, entry);
      let server: ServerProcess;
      try {
        if (persistent) await prepare(file, env);
        server = await startServer(file, env, persistent ? startOptions() : []);
      } catch (error) {
        await removeDir();
        throw error;
      }
      let n = 0;
      return {
        stats: () => server.stats(),
        newRoom: () => Promise.resolve(`bench-${++n}`),
        connect: (room) => connectClient({ protocol, baseUrl: server.url, room }),
        stop: async () => {
          await server.stop();
          await removeDir();
        },
      };
    },
  };
}

export function targets(databaseUrl: string | undefined): Target[] {
  return [
    tandem('tandem (pglite)', undefined),
    ...(databaseUrl ? [tandem('tandem (postgres)', databaseUrl)] : []),
    named('hocuspocus 4', 'hocuspocus-server.ts', 'hocuspocus'),
    named('hocuspocus 4 + pglite', 'hocuspocus-pglite-server.ts', 'hocuspocus', true),
    named('y-websocket 1.5', 'y-websocket-server.ts', 'y-websocket'),
  ];
}
