// The workspace's live Y.Doc over `/yjs/<id>`: connection state for the header (online, reconnecting, offline
// with unsynced edits) and the reason when the server refuses us (44xx closes are final, y-websocket stops).
import { syncCloseCodes } from '@tandem/core';
import { useEffect, useState, useSyncExternalStore } from 'react';
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
}

export interface WorkspaceSync {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

const initial: SyncStatus = { state: 'connecting', synced: false, unsynced: false, refused: null };

class StatusStore {
  status: SyncStatus = initial;
  private listeners = new Set<() => void>();
  set(patch: Partial<SyncStatus>) {
    this.status = { ...this.status, ...patch };
    for (const l of this.listeners) l();
  }
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  get = () => this.status;
}

function serverUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs`;
}

export function useWorkspaceSync(workspaceId: string): { sync: WorkspaceSync | null; status: SyncStatus } {
  const [store] = useState(() => new StatusStore());
  const [sync, setSync] = useState<WorkspaceSync | null>(null);

  useEffect(() => {
    const doc = new Y.Doc();
    // Another tab of the same browser must not sync around the server: the server decides read-only.
    const provider = new WebsocketProvider(serverUrl(), workspaceId, doc, {
      disableBc: true,
      maxBackoffTime: 5_000,
    });
    store.set({ ...initial });
    let pendingOffline = false;
    const onStatus = ({ status }: { status: 'connected' | 'connecting' | 'disconnected' }) => {
      store.set({
        state: status === 'connected' ? 'online' : status === 'connecting' ? 'connecting' : 'offline',
      });
    };
    const onSync = (isSynced: boolean) => {
      if (!isSynced) return;
      // A sync exchange after reconnecting carries everything typed while offline.
      pendingOffline = false;
      store.set({ synced: true, unsynced: false });
    };
    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin === provider || provider.wsconnected) return;
      if (!pendingOffline) {
        pendingOffline = true;
        store.set({ unsynced: true });
      }
    };
    const onClose = (event: CloseEvent | null) => {
      if (!event) return;
      if (event.code >= 4400 && event.code < 4500) {
        store.set({ refused: { code: event.code, reason: event.reason }, state: 'offline' });
      }
      if (event.code === syncCloseCodes.unavailable) store.set({ state: 'connecting' });
    };
    provider.on('status', onStatus);
    provider.on('sync', onSync);
    provider.on('connection-close', onClose);
    doc.on('update', onUpdate);
    // Follow the browser's own network state: a dead network can leave a socket hanging for many seconds, so
    // go offline at once (edits keep collecting locally) and reconnect the moment the network is back.
    const online = () => {
      if (!store.status.refused) provider.connect();
    };
    const offline = () => {
      provider.disconnect();
      store.set({ state: 'offline' });
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    setSync({ doc, provider });
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      doc.off('update', onUpdate);
      provider.destroy();
      doc.destroy();
      setSync(null);
    };
  }, [workspaceId, store]);

  const status = useSyncExternalStore(store.subscribe, store.get);
  return { sync, status };
}
