// A tRPC client whose subscriptions run over the real WebSocket link, with the user's cookie. `closed` records how
// the server closed each socket the client opened (it reconnects on its own, like the browser's).
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import superjson from 'superjson';
import { WebSocket } from 'ws';
import type { AppRouter } from '../src/trpc/root.ts';

export function wsTrpc(baseUrl: string, cookie: string) {
  const closed: { code: number; reason: string }[] = [];
  class CookieWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie } });
      this.on('close', (code, reason) => closed.push({ code, reason: reason.toString() }));
    }
  }
  const client = createWSClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/trpc`,
    WebSocket: CookieWebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 100,
  });
  return {
    trpc: createTRPCClient<AppRouter>({ links: [wsLink({ client, transformer: superjson })] }),
    closed,
    close: () => client.close(),
  };
}
