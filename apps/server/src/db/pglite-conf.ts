// How Tandem configures its embedded PostgreSQL; on its own so that the benchmarks can run PGlite the same way.

/**
 * PostgreSQL's buffer cache is resident from the start under PGlite (every MB of it is a MB of the process), and a
 * workspace database's hot set (update tails, snapshots being loaded) is small, with the operating system caching
 * the files underneath: 4 MB instead of 16 kept the server about 14 MB smaller with the sync bench's latencies, 10 MB
 * initial sync included, unchanged.
 * Each new 16 MB WAL segment was written full of zeros first (about 100 ms in which no other statement ran, once
 * for every 16 MB stored); the zeros only reserve disk space ahead, and every WAL record carries its own checksum.
 * PGlite serves one connection, but PostgreSQL sizes its shared memory (process slots, lock and predicate-lock
 * tables) for max_connections, 100 by default: 16 made that 3 MB smaller and the process 4 MB. The lock table still
 * holds about 1,900 locks (64 for each of 30 slots, the background ones included); migrating a new database from
 * scratch in one transaction takes 157.
 */
export const PGLITE_CONF: readonly string[] = [
  'shared_buffers=4MB',
  'wal_init_zero=off',
  'max_connections=16',
];
