// The Yjs sync endpoint `/yjs/<workspaceId>`: authenticates the upgrade from the lucia cookie, decides read-only
// from the member role, hands the socket to the core RoomManager and keeps live connections in step with access
// changes. y-websocket's WebsocketProvider is the client, unchanged.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  defaultSyncLimits,
  presenceColor,
  syncCloseCodes,
  type ConnectionContext,
  type RoomHandle,
  type SyncLimits,
} from '@tandem/core';
import { WebSocket, WebSocketServer } from 'ws';
import { identify, membership, writesDocument } from '../access/check.ts';
import type { AccessEvent } from '../access/events.ts';
import type { AppDeps } from '../deps.ts';
import { sessionIdOf } from '../http/http-auth.ts';

export interface SyncEndpointOptions {
  limits?: Partial<SyncLimits>;
  /** Interval between keep-alive pings; a peer that misses one pong is dropped. */
  pingMs?: number;
}

type Refusal = { code: number; reason: string };

export function createSyncEndpoint(deps: AppDeps, options: SyncEndpointOptions = {}) {
  const limits: SyncLimits = { ...defaultSyncLimits, ...options.limits };
  const { metrics, logger, rooms } = deps;
  // ws enforces a hard cap well above the room's own limit, so oversized frames normally get the room's 4413
  // with a reason rather than ws's bare 1009.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes * 2 });
  const alive = new WeakSet<WebSocket>();

  const refuse = (ws: WebSocket, code: number, reason: string) => {
    ws.close(code, reason);
  };

  /**
   * Who may connect, and whether they may write, by access/check.ts from the session and the membership as they
   * are now; a refusal carries a 44xx close. Asked again whenever an access event concerns an open connection.
   */
  async function authorize(
    sessionId: string | null,
    workspaceId: string,
    event?: AccessEvent,
  ): Promise<(ConnectionContext & { sessionId: string }) | Refusal> {
    const { user, session } = await identify(deps, sessionId);
    if (!user) return { code: 4401, reason: event ? 'signed out' : 'sign in required' };
    const found = await membership(deps, workspaceId, user.id);
    if (!found) {
      if (event?.type === 'workspace' && event.deleted) return { code: 4404, reason: 'workspace deleted' };
      return event
        ? { code: 4403, reason: 'removed from workspace' }
        : { code: 4404, reason: 'workspace not found' };
    }
    return {
      sessionId: session.id,
      userId: user.id,
      name: user.name,
      color: presenceColor(found.seat),
      readOnly: !writesDocument(found),
    };
  }

  async function accept(ws: WebSocket, req: IncomingMessage, workspaceId: string) {
    metrics.wsConnections.inc({ endpoint: 'yjs' });
    alive.add(ws);
    // Frames that arrive while we authenticate wait in `early` instead of being lost.
    const state: { handle?: RoomHandle; remove?: () => void } = {};
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
      metrics.wsDisconnects.inc({ endpoint: 'yjs' });
      state.handle?.leave();
      state.remove?.();
    });

    const context = await authorize(sessionIdOf(deps, req), workspaceId);
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
    state.remove = deps.live.add({
      sessionId: context.sessionId,
      userId: context.userId,
      workspaceId,
      recheck: async (event) => {
        const now = await authorize(context.sessionId, workspaceId, event);
        if ('code' in now) refuse(ws, now.code, now.reason);
        else handle.setReadOnly(now.readOnly);
      },
    });
    for (const bytes of early.splice(0)) handle.receive(bytes);
  }

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
      await rooms.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

export type SyncEndpoint = ReturnType<typeof createSyncEndpoint>;
