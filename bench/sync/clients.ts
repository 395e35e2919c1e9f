// Real Yjs clients, one WebSocket each, as a browser tab would have: y-websocket's WebsocketProvider for Tandem and
// the classic y-websocket server (same wire protocol), HocuspocusProvider for Hocuspocus (its own framing).
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export type Protocol = 'y-websocket' | 'hocuspocus';

export interface SyncClient {
  readonly doc: Y.Doc;
  readonly files: Y.Map<Y.Text>;
  /** Settles once the first sync with the server completed; rejects if the server closes the connection first. */
  readonly synced: Promise<void>;
  destroy(): void;
}

export interface ClientOptions {
  protocol: Protocol;
  /** http(s) base URL of the server. */
  baseUrl: string;
  room: string;
  cookie?: string;
  /** A certificate (PEM) to trust for wss://, e.g. the self-signed one of a proxy on loopback. */
  ca?: string;
}

export function connectClient({ protocol, baseUrl, room, cookie, ca }: ClientOptions): SyncClient {
  const doc = new Y.Doc();
  const files = doc.getMap<Y.Text>('files');
  const wsBase = baseUrl.replace(/^http/, 'ws');
  if (protocol === 'hocuspocus') {
    const socket = new HocuspocusProviderWebsocket({ url: wsBase, WebSocketPolyfill: WebSocket });
    let provider: HocuspocusProvider | undefined;
    const synced = new Promise<void>((resolve, reject) => {
      provider = new HocuspocusProvider({
        websocketProvider: socket,
        name: room,
        document: doc,
        onSynced: () => resolve(),
        onClose: ({ event }) => reject(new Error(`closed before sync: ${event.code} ${event.reason}`)),
      });
      provider.attach();
    });
    synced.catch(() => undefined);
    return {
      doc,
      files,
      synced,
      destroy: once(() => {
        provider?.destroy();
        socket.destroy();
        doc.destroy();
      }),
    };
  }

  const headers = cookie ? { cookie } : {};
  let closedBeforeSync: (reason: Error) => void = () => undefined;
  class HeaderWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers, ...(ca ? { ca } : {}) });
      this.on('close', (code, reason) => {
        closedBeforeSync(new Error(`closed before sync: ${code} ${reason.toString()}`));
      });
    }
  }
  const provider = new WebsocketProvider(`${wsBase}/yjs`, room, doc, {
    WebSocketPolyfill: HeaderWebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 1_000,
  });
  const synced = new Promise<void>((resolve, reject) => {
    closedBeforeSync = reject;
    const onSync = (isSynced: boolean) => {
      if (!isSynced) return;
      provider.off('sync', onSync);
      closedBeforeSync = () => undefined;
      resolve();
    };
    provider.on('sync', onSync);
  });
  synced.catch(() => undefined);
  return {
    doc,
    files,
    synced,
    destroy: once(() => {
      provider.destroy();
      doc.destroy();
    }),
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
