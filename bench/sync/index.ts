// The sync benchmark's parts, for reuse by other benchmarks or ad-hoc runs; `sync.bench.ts` is the entry point.
export { connectClient, type ClientOptions, type Protocol, type SyncClient } from './clients.ts';
export { onCleanup } from './cleanup.ts';
export { mapLimit, paced, sleep, until, withTimeout } from './load.ts';
export { throwawayDatabase } from './postgres.ts';
export {
  fanOut,
  fileContent,
  initialSync,
  manyRooms,
  type FanOutLoad,
  type InitialSyncLoad,
  type RoomsLoad,
  type Server,
} from './scenarios.ts';
export { startServer, type ProcessStats, type ServerProcess } from './server-process.ts';
export { targets, type Running, type Target } from './targets.ts';
