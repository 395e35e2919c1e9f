// The Yjs sync endpoint `/yjs/<workspaceId>`: authenticates the upgrade from the lucia cookie, decides read-only
// from the member role, hands the socket to the core RoomManager and keeps live connections in step with access
// changes. y-websocket's WebsocketProvider is the client, unchanged.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  canWrite,
  defaultSyncLimits,
  idSchema,
  syncCloseCodes,
  type ConnectionContext,
  type RoomHandle,
  type SyncLimits,
} from '@tandem/core';
import { WebSocket, WebSocketServer } from 'ws';
import type { AppDeps } from '../deps.ts';
import { readSession } from '../http/http-auth.ts';
import { getRole } from '../services/workspaces.ts';
import type { AccessEvents } from './access-events.ts';
import { colorFor } from './colors.ts';

export interface SyncEndpointOptions {
  limits?: Partial<SyncLimits>;
  /** Interval between keep-alive pings; a peer that misses one pong is dropped. */
  pingMs?: number;
}

interface Live {
  ws: WebSocket;
  userId: string;
  handle: RoomHandle;
}

export async function createSyncEndpoint(
  deps: AppDeps,
  access: AccessEvents,
  options: SyncEndpointOptions = {},
) {
  const limits: SyncLimits = { ...defaultSyncLimits, ...options.limits };
  const { metrics, logger, rooms } = deps;
  // ws enforces a hard cap well above the room's own limit, so oversized frames normally get the room's 4413
  // with a reason rather than ws's bare 1009.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes * 2 });
  const live = new Map<string, Set<Live>>();
  const alive = new WeakSet<WebSocket>();

  const refuse = (ws: WebSocket, code: number, reason: string) => {
    ws.close(code, reason);
  };

  /** Who may connect, from the session cookie and the member role; a refusal carries a 44xx close. */
  async function authorize(
    req: IncomingMessage,
    workspaceId: string,
  ): Promise<ConnectionContext | { code: number; reason: string }> {
    const { user } = await readSession(deps, req, undefined);
    if (!user) return { code: 4401, reason: 'sign in required' };
    if (!idSchema.safeParse(workspaceId).success) return { code: 4404, reason: 'workspace not found' };
    const role = await getRole(deps.database, workspaceId, user.id);
    if (!role) return { code: 4404, reason: 'workspace not found' };
    return { userId: user.id, name: user.name, color: colorFor(user.id), readOnly: !canWrite(role) };
  }

  async function accept(ws: WebSocket, req: IncomingMessage, workspaceId: string) {
    metrics.wsConnections.inc({ endpoint: 'yjs' });
    alive.add(ws);
    // Frames that arrive while we authenticate wait in `early` instead of being lost.
    const state: { handle?: RoomHandle; entry?: Live } = {};
    const early: Uint8Array[] = [];
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (state.handle) state.handle.receive(bytes);
      else if (early.length < 64) early.push(bytes);
      else refuse(ws, syncCloseCodes.rateLimited, 'too many messages before authentication');
    });
    ws.on('pong', () => alive.add(ws));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      metrics.wsConnections.dec({ endpoint: 'yjs' });
      state.handle?.leave();
      const set = live.get(workspaceId);
      if (state.entry) set?.delete(state.entry);
      if (set?.size === 0) live.delete(workspaceId);
    });

    const context = await authorize(req, workspaceId);
    if (ws.readyState !== WebSocket.OPEN) return;
    if ('code' in context) {
      refuse(ws, context.code, context.reason);
      return;
    }
    const handle = rooms.join(
      workspaceId,
      {
        send: (bytes) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(bytes);
        },
        close: (code, reason) => ws.close(code, reason),
      },
      context,
    );
    state.handle = handle;
    state.entry = { ws, userId: context.userId, handle };
    let set = live.get(workspaceId);
    if (!set) {
      set = new Set();
      live.set(workspaceId, set);
    }
    set.add(state.entry);
    for (const bytes of early.splice(0)) handle.receive(bytes);
  }

  const unsubscribe = await access.on((event) => {
    if (event.type === 'member') {
      for (const c of live.get(event.workspaceId) ?? []) {
        if (c.userId !== event.userId) continue;
        if (event.role === null) refuse(c.ws, 4403, 'removed from workspace');
        else c.handle.setReadOnly(!canWrite(event.role));
      }
    } else if (event.type === 'workspace-deleted') {
      for (const c of live.get(event.workspaceId) ?? []) refuse(c.ws, 4404, 'workspace deleted');
    } else {
      for (const set of live.values()) {
        for (const c of set) if (c.userId === event.userId) refuse(c.ws, 4401, 'signed out');
      }
    }
  });

  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.pingMs ?? 30_000);
  ping.unref();

  return {
    /** Takes over an upgrade request for `/yjs/<id>`. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, workspaceId: string) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        accept(ws, req, workspaceId).catch((error: unknown) => {
          logger.error({ err: error, workspaceId }, 'sync connection failed');
          refuse(ws, syncCloseCodes.unavailable, 'server error');
        });
      });
    },
    async close() {
      clearInterval(ping);
      unsubscribe();
      await rooms.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

export type SyncEndpoint = Awaited<ReturnType<typeof createSyncEndpoint>>;
