// How Tandem configures its embedded PostgreSQL; on its own so that the benchmarks can run PGlite the same way.

/**
 * PostgreSQL's buffer cache is resident from the start under PGlite (every MB of it is a MB of the process), and a
 * workspace database's hot set (update tails, snapshots being loaded) is small, with the operating system caching
 * the files underneath: 4 MB instead of 16 kept the server about 14 MB smaller with the sync bench's latencies, 10 MB
 * initial sync included, unchanged.
 * Each new 16 MB WAL segment was written full of zeros first (about 100 ms in which no other statement ran, once
 * for every 16 MB stored); the zeros only reserve disk space ahead, and every WAL record carries its own checksum.
 */
export const PGLITE_CONF: readonly string[] = ['shared_buffers=4MB', 'wal_init_zero=off'];
