// One workspace's live Y.Doc over `/yjs/<id>`, without React: connection state for the header (online, reconnecting,
// offline with unsynced edits) and the server's reason when it closes us.
//
// The client contract for refused edits (`resyncCloseCodes`: read-only, invalid, too large): the local document then
// holds changes the server will never take, and y-websocket would send them again with its whole state on every
// reconnect. So the session throws that document away and joins again with a fresh one (a new Yjs client id), which
// holds the server's state only. Every other 44xx close is final (removed, signed out, not found).
import { resyncCloseCodes, syncCloseCodes } from '@tandem/core';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface SyncStatus {
  state: ConnectionState;
  /** The first full sync finished: the tree and texts are the server's. */
  synced: boolean;
  /** Local edits made while disconnected, not yet confirmed by a sync with the server. */
  unsynced: boolean;
  /** Set when the server closed us for good (removed, signed out, refused). */
  refused: { code: number; reason: string } | null;
  /** Set when the server refused our edits and we started again from its state, dropping them. */
  discarded: { code: number; reason: string } | null;
}

export interface WorkspaceSync {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

export const initialSyncStatus: SyncStatus = {
  state: 'connecting',
  synced: false,
  unsynced: false,
  refused: null,
  discarded: null,
};

export interface LiveSessionOptions {
  /** `ws(s)://host/yjs`. */
  serverUrl: string;
  workspaceId: string;
  /** Status changes, as patches. */
  onStatus: (patch: Partial<SyncStatus>) => void;
  /** A document (the first, or a fresh one after refused edits) is now the workspace's. */
  onJoin: (sync: WorkspaceSync) => void;
  /** For tests and Node; the browser's WebSocket otherwise. */
  WebSocketPolyfill?: typeof WebSocket;
  maxBackoffTime?: number;
}

export interface LiveSession {
  current(): WorkspaceSync;
  connect(): void;
  disconnect(): void;
  stop(): void;
}

/** Rejoins after refused edits come at once at first and back off if the server keeps refusing. */
/**
 * The delay before reconnect attempt `attempt` (1 for the first): y-websocket's exponential backoff (100 ms doubling,
 * up to `capMs`) with full jitter, so that when an instance restarts, its clients do not all come back in the same
 * instant to the instances that remain.
 */
export const reconnectDelayMs = (attempt: number, capMs: number, random: () => number = Math.random) =>
  Math.max(50, Math.round(random() * Math.min(100 * 2 ** attempt, capMs)));

export const rejoinDelayMs = (recentRejoins: number) =>
  recentRejoins === 0 ? 0 : Math.min(30_000, 500 * 2 ** recentRejoins);

export function startLiveSession(options: LiveSessionOptions): LiveSession {
  let stopped = false;
  let refused = false;
  let rejoins: number[] = [];
  let rejoinTimer: ReturnType<typeof setTimeout> | undefined;

  const maxBackoffTime = options.maxBackoffTime ?? 5_000;
  const join = () => {
    const doc = new Y.Doc();
    // Another tab of the same browser must not sync around the server: the server decides read-only.
    const provider = new WebsocketProvider(options.serverUrl, options.workspaceId, doc, {
      disableBc: true,
      maxBackoffTime,
      ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
    });
    let pendingOffline = false;
    const onStatus = ({ status }: { status: 'connected' | 'connecting' | 'disconnected' }) => {
      options.onStatus({
        state: status === 'connected' ? 'online' : status === 'connecting' ? 'connecting' : 'offline',
      });
    };
    const onSync = (isSynced: boolean) => {
      if (!isSynced) return;
      // A sync exchange after reconnecting carries everything typed while offline.
      pendingOffline = false;
      options.onStatus({ synced: true, unsynced: false });
    };
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin === provider || provider.wsconnected) return;
      if (!pendingOffline) {
        pendingOffline = true;
        options.onStatus({ unsynced: true });
      }
    };
    const onClose = (event: CloseEvent | null) => {
      // y-websocket schedules the next attempt right after this event, waiting min(backoff, maxBackoffTime): a
      // jittered maxBackoffTime for that one computation spreads the reconnects out. Restored straight after.
      provider.maxBackoffTime = reconnectDelayMs(provider.wsUnsuccessfulReconnects + 1, maxBackoffTime);
      queueMicrotask(() => (provider.maxBackoffTime = maxBackoffTime));
      if (!event) return;
      if (resyncCloseCodes.includes(event.code)) {
        options.onStatus({ discarded: { code: event.code, reason: event.reason }, state: 'connecting' });
        const now = Date.now();
        rejoins = rejoins.filter((at) => now - at < 60_000);
        const delay = rejoinDelayMs(rejoins.length);
        rejoins.push(now);
        // Not from inside the provider's own close handling, which goes on using the provider after this event.
        rejoinTimer = setTimeout(rejoin, delay);
        return;
      }
      if (event.code >= 4400 && event.code < 4500) {
        refused = true;
        options.onStatus({ refused: { code: event.code, reason: event.reason }, state: 'offline' });
      }
      if (event.code === syncCloseCodes.unavailable) options.onStatus({ state: 'connecting' });
    };
    provider.on('status', onStatus);
    provider.on('sync', onSync);
    provider.on('connection-close', onClose);
    doc.on('update', onUpdate);
    return {
      sync: { doc, provider },
      leave: () => {
        doc.off('update', onUpdate);
        provider.destroy();
        doc.destroy();
      },
    };
  };

  let current = join();
  const rejoin = () => {
    if (stopped) return;
    current.leave();
    options.onStatus({ state: 'connecting', synced: false, unsynced: false });
    current = join();
    options.onJoin(current.sync);
  };
  options.onJoin(current.sync);

  return {
    current: () => current.sync,
    connect: () => {
      if (!refused && !stopped) current.sync.provider.connect();
    },
    disconnect: () => {
      current.sync.provider.disconnect();
      options.onStatus({ state: 'offline' });
    },
    stop: () => {
      stopped = true;
      clearTimeout(rejoinTimer);
      current.leave();
    },
  };
}
