// Real y-websocket clients for tests: the browser's provider, with cookies, over the ws package.
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export interface YClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  text(path?: string): Y.Text;
  closed: { code: number; reason: string }[];
  destroy(): void;
}

export function yClient(
  baseUrl: string,
  workspaceId: string,
  cookie: string,
  extraHeaders: Record<string, string> = {},
) {
  const closed: { code: number; reason: string }[] = [];
  class CookieWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie, ...extraHeaders } });
      this.on('close', (code, reason) => closed.push({ code, reason: reason.toString() }));
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(baseUrl.replace(/^http/, 'ws') + '/yjs', workspaceId, doc, {
    WebSocketPolyfill: CookieWebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  });
  const files = doc.getMap<Y.Text>('files');
  return {
    doc,
    provider,
    closed,
    text(path = 'main.ts') {
      let t = files.get(path);
      if (!t) {
        t = new Y.Text();
        files.set(path, t);
      }
      return t;
    },
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  } satisfies YClient;
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const synced = (c: YClient) => until(() => c.provider.synced, 10_000, 'sync');

export function textOf(c: YClient, path = 'main.ts'): string {
  const text: Y.Text | undefined = c.doc.getMap<Y.Text>('files').get(path);
  return text === undefined ? '' : text.toString();
}

/**
 * Types `marker` at the start of `path` on `writer` and resolves with the milliseconds until `reader` has it: the
 * edit latency a peer sees (tests and benchmarks measure it while the server is busy with something else).
 */
export function timedEdit(writer: YClient, reader: YClient, path: string, marker: string): Promise<number> {
  const text: Y.Text | undefined = reader.doc.getMap<Y.Text>('files').get(path);
  if (!text) throw new Error(`${path} is missing on the reader`);
  const started = performance.now();
  const seen = new Promise<number>((resolve) => {
    const check = () => {
      if (!text.toString().startsWith(marker)) return;
      text.unobserve(check);
      resolve(performance.now() - started);
    };
    text.observe(check);
  });
  writer.text(path).insert(0, marker);
  return seen;
}
