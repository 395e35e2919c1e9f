// The web client's side of the refused-edits contract, against the real sync room from core and the real
// y-websocket provider, over an in-memory WebSocket.
import {
  type ConnectionContext,
  MemoryDocStorage,
  type RoomHandle,
  RoomManager,
  syncCloseCodes,
  workspaceDocLayout,
} from '@tandem/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import {
  initialSyncStatus,
  reconnectDelayMs,
  startLiveSession,
  type LiveSession,
  type SyncStatus,
} from './live-session.ts';

/** A WebSocket whose other end is `manager`; the context of each connection is read when it opens. */
function memoryWebSocket(manager: RoomManager, contextOf: () => ConnectionContext, handles: RoomHandle[]) {
  class MemoryWebSocket {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSING = 2;
    readonly CLOSED = 3;
    readyState = 0;
    binaryType = 'arraybuffer';
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    #handle: RoomHandle | null = null;

    constructor(url: string) {
      setTimeout(() => {
        if (this.readyState !== 0) return;
        this.readyState = 1;
        const docName = decodeURIComponent(new URL(url).pathname.split('/').at(-1) ?? '');
        this.#handle = manager.join(
          docName,
          {
            send: (bytes) => {
              const data = bytes.slice().buffer;
              setTimeout(() => {
                if (this.readyState === 1) this.onmessage?.({ data });
              });
            },
            close: (code, reason) => this.#closed(code, reason),
          },
          contextOf(),
        );
        handles.push(this.#handle);
        this.onopen?.({});
      });
    }

    send(data: Uint8Array): void {
      if (this.readyState !== 1) return;
      const copy = data.slice();
      const handle = this.#handle;
      setTimeout(() => handle?.receive(copy));
    }

    close(code = 1000, reason = ''): void {
      this.#closed(code, reason);
    }

    #closed(code: number, reason: string): void {
      if (this.readyState >= 2) return;
      this.readyState = 3;
      this.#handle?.leave();
      setTimeout(() => this.onclose?.({ code, reason }));
    }
  }
  return MemoryWebSocket as unknown as typeof WebSocket;
}

const textOf = (doc: Y.Doc, path = 'main.ts') =>
  (doc.getMap('files').get(path) as Y.Text | undefined)?.toString();

const sessions: LiveSession[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.stop();
});

describe('live session', () => {
  it('drops edits the server refused and starts again from its state', async () => {
    const manager = new RoomManager({ storage: new MemoryDocStorage(), layout: workspaceDocLayout });
    const owner: ConnectionContext = { userId: 'u1', name: 'Owner', color: '#f00', readOnly: false };
    const member: ConnectionContext = { userId: 'u2', name: 'Member', color: '#0f0', readOnly: false };
    const memberHandles: RoomHandle[] = [];
    const open = (context: () => ConnectionContext, handles: RoomHandle[]) => {
      let status: SyncStatus = initialSyncStatus;
      const joins: Y.Doc[] = [];
      const session = startLiveSession({
        serverUrl: 'ws://tandem.test/yjs',
        workspaceId: 'ws1',
        WebSocketPolyfill: memoryWebSocket(manager, context, handles),
        maxBackoffTime: 20,
        onStatus: (patch) => (status = { ...status, ...patch }),
        onJoin: ({ doc }) => joins.push(doc),
      });
      sessions.push(session);
      return { session, joins, status: () => status };
    };
    const a = open(() => owner, []);
    const m = open(() => member, memberHandles);
    await vi.waitFor(() => expect(a.status().synced && m.status().synced).toBe(true));

    const memberDoc = m.session.current().doc;
    memberDoc.getMap('files').set('main.ts', new Y.Text('member wrote'));
    await vi.waitFor(() => expect(textOf(a.session.current().doc)).toBe('member wrote'));

    // Demoted: what the member types now is refused, and the session starts again from the server's copy.
    member.readOnly = true;
    for (const handle of memberHandles) handle.setReadOnly(true);
    (memberDoc.getMap('files').get('main.ts') as Y.Text).insert(0, 'typed while read-only ');
    await vi.waitFor(() => expect(m.joins).toHaveLength(2));
    expect(m.status().discarded?.code).toBe(syncCloseCodes.editsRefused);
    expect(m.status().refused).toBeNull();
    await vi.waitFor(() => expect(m.status().synced).toBe(true));
    const fresh = m.session.current().doc;
    expect(fresh).not.toBe(memberDoc);
    expect(fresh.clientID).not.toBe(memberDoc.clientID);
    expect(textOf(fresh)).toBe('member wrote');

    // Promoted again: new edits land, the refused ones never do.
    member.readOnly = false;
    m.session.disconnect();
    m.session.connect();
    await vi.waitFor(() => expect(m.status().synced).toBe(true));
    (fresh.getMap('files').get('main.ts') as Y.Text).insert(12, '!');
    await vi.waitFor(() => expect(textOf(a.session.current().doc)).toBe('member wrote!'));
    expect(textOf(fresh)).toBe('member wrote!');
  });
});

describe('reconnect delay', () => {
  it('backs off exponentially up to the cap, with full jitter so restarted instances are not stormed', () => {
    expect(reconnectDelayMs(1, 5_000, () => 1)).toBe(200);
    expect(reconnectDelayMs(3, 5_000, () => 1)).toBe(800);
    expect(reconnectDelayMs(10, 5_000, () => 1)).toBe(5_000);
    expect(reconnectDelayMs(10, 5_000, () => 0.5)).toBe(2_500);
    // Never a busy loop, even when the random draw is 0.
    expect(reconnectDelayMs(1, 5_000, () => 0)).toBe(50);
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(5, 5_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(3_200);
  });
});
