// Child-process entry: the classic y-websocket server (`setupWSConnection` from y-websocket 1.x's bin/utils.js,
// installed as y-websocket-legacy) on the ws package, in memory. The room name is the last path segment, so clients
// use the same `/yjs/<room>` URLs as against Tandem.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { announce } from './announce.ts';

interface LegacyUtils {
  setupWSConnection: (
    ws: WebSocket,
    req: IncomingMessage,
    options?: { docName?: string; gc?: boolean },
  ) => void;
}

// Resolved from the repository root (the bench's working directory), wherever this file runs from once bundled.
const { setupWSConnection } = createRequire(path.join(process.cwd(), 'package.json'))(
  'y-websocket-legacy/bin/utils',
) as LegacyUtils;

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('y-websocket');
});
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
  const docName = decodeURIComponent(
    new URL(req.url ?? '/', 'http://localhost').pathname.split('/').pop() ?? '',
  );
  setupWSConnection(ws, req, { docName });
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

announce(`http://127.0.0.1:${port}`, {}, async () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
