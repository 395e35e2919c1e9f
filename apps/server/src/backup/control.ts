// The local control socket of a server on the embedded database: `<data dir>/control.sock`, an HTTP server on a Unix
// socket that only the data directory's owner can open (mode 0600). The embedded database can be open in one process
// only, so `backup` asks the running server for a copy through it instead of opening the files itself. Whoever can
// open the socket can read the data directory anyway: the file permissions are the access check.
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';

export const controlSocketPath = (dataDir: string) => path.join(dataDir, 'control.sock');

/** The longest Unix socket path Linux takes (sun_path is 108 bytes, NUL included). */
const MAX_SOCKET_PATH = 107;

/** False when the data directory's path is too long for a socket: a server there runs without one. */
export const controlSocketFits = (dataDir: string) =>
  Buffer.byteLength(controlSocketPath(dataDir)) <= MAX_SOCKET_PATH;

export interface ControlHandlers {
  /** The database's files as a tar, with every acknowledged edit stored first. */
  dumpDatabase(): Promise<Uint8Array>;
}

export interface ControlServer {
  close(): Promise<void>;
}

export async function startControlServer(
  dataDir: string,
  handlers: ControlHandlers,
  logger: Logger,
): Promise<ControlServer | undefined> {
  const socket = controlSocketPath(dataDir);
  if (!controlSocketFits(dataDir)) {
    logger.warn(
      { socket },
      'the data directory path is too long for the control socket; backups need the server stopped',
    );
    return undefined;
  }
  // One backup at a time: each holds a copy of the database in memory.
  let busy = false;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/backup/database') {
      res.writeHead(404).end();
      return;
    }
    if (busy) {
      res.writeHead(409, { 'content-type': 'text/plain' }).end('a backup is already running\n');
      return;
    }
    busy = true;
    const started = performance.now();
    handlers.dumpDatabase().then(
      (tar) => {
        busy = false;
        logger.info(
          { bytes: tar.byteLength, ms: Math.round(performance.now() - started) },
          'database backup taken',
        );
        res
          .writeHead(200, { 'content-type': 'application/x-tar', 'content-length': tar.byteLength })
          .end(tar);
      },
      (error: unknown) => {
        busy = false;
        logger.error({ err: error }, 'database backup failed');
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  // A socket file left by a killed process would make listen fail; only one server may use a data directory.
  rmSync(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  chmodSync(socket, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
