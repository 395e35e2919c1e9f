// Everything that stays open after its access was checked (tRPC WebSockets, Yjs connections, subscriptions) is
// registered here with the session and workspace it depends on. When an access event may concern one, it asks
// check.ts again and acts on the answer (close, end with a typed error, turn read-only), on every instance.
// Subscriptions are also capped here, per socket and per user.
import type { AccessEvent, AccessEvents } from './events.ts';

export interface LiveEntry {
  sessionId: string;
  userId: string;
  /** The workspace it depends on; none for a tRPC socket as a whole. */
  workspaceId?: string;
  /** Asks check.ts again; must not throw (it reports what it finds by acting on its connection). */
  recheck(event: AccessEvent): Promise<void>;
}

function concerns(entry: LiveEntry, event: AccessEvent): boolean {
  switch (event.type) {
    case 'member':
      return entry.userId === event.userId && entry.workspaceId === event.workspaceId;
    case 'workspace':
      return entry.workspaceId === event.workspaceId;
    case 'user':
      return entry.userId === event.userId;
    case 'session':
      return entry.sessionId === event.sessionId;
  }
}

export class LiveAccess {
  private readonly byUser = new Map<string, Set<LiveEntry>>();
  private readonly byWorkspace = new Map<string, Set<LiveEntry>>();
  private readonly subscriptions = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly onError: (error: unknown) => void) {}

  async start(events: AccessEvents): Promise<void> {
    this.unsubscribe = await events.on((event) => {
      const candidates =
        event.type === 'workspace' ? this.byWorkspace.get(event.workspaceId) : this.byUser.get(event.userId);
      const rechecks = [...(candidates ?? [])]
        .filter((entry) => concerns(entry, event))
        .map((entry) => entry.recheck(event).catch(this.onError));
      return rechecks.length > 0 ? Promise.all(rechecks) : undefined;
    });
  }

  /** Registers an open connection or subscription; the returned function removes it. */
  add(entry: LiveEntry): () => void {
    add(this.byUser, entry.userId, entry);
    if (entry.workspaceId) add(this.byWorkspace, entry.workspaceId, entry);
    return () => {
      remove(this.byUser, entry.userId, entry);
      if (entry.workspaceId) remove(this.byWorkspace, entry.workspaceId, entry);
    };
  }

  /** Counts one more open subscription of the user; false (and nothing counted) when that passes `max`. */
  openSubscription(userId: string, max: number): boolean {
    const n = this.subscriptions.get(userId) ?? 0;
    if (n >= max) return false;
    this.subscriptions.set(userId, n + 1);
    return true;
  }

  closeSubscription(userId: string): void {
    const n = (this.subscriptions.get(userId) ?? 1) - 1;
    if (n <= 0) this.subscriptions.delete(userId);
    else this.subscriptions.set(userId, n);
  }

  stop(): void {
    this.unsubscribe?.();
  }
}

function add(map: Map<string, Set<LiveEntry>>, key: string, entry: LiveEntry) {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(entry);
}

function remove(map: Map<string, Set<LiveEntry>>, key: string, entry: LiveEntry) {
  const set = map.get(key);
  if (set?.delete(entry) && set.size === 0) map.delete(key);
}
