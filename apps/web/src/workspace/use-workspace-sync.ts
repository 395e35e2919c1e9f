// The workspace's live Y.Doc for React: the session (live-session.ts) with its status as an external store. The
// document changes when the server refuses our edits and the session starts again from the server's state.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { initialSyncStatus, startLiveSession, type SyncStatus, type WorkspaceSync } from './live-session.ts';

export type { ConnectionState, SyncStatus, WorkspaceSync } from './live-session.ts';

class StatusStore {
  status: SyncStatus = initialSyncStatus;
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
    store.set({ ...initialSyncStatus });
    const session = startLiveSession({
      serverUrl: serverUrl(),
      workspaceId,
      onStatus: (patch) => store.set(patch),
      onJoin: setSync,
    });
    // Follow the browser's own network state: a dead network can leave a socket hanging for many seconds, so
    // go offline at once (edits keep collecting locally) and reconnect the moment the network is back.
    const online = () => session.connect();
    const offline = () => session.disconnect();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      session.stop();
      setSync(null);
    };
  }, [workspaceId, store]);

  const status = useSyncExternalStore(store.subscribe, store.get);
  return { sync, status };
}
