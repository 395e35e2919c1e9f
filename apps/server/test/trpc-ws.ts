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

export type LoggedEvent = { type: string; seq: number; [key: string]: unknown };

/**
 * A task's or a check run's events through the real subscription, from after `lastEventId` (the start when
 * absent) until its `done` event.
 */
export function eventsUntilDone(
  baseUrl: string,
  cookie: string,
  log: { taskId: string } | { runId: string },
  lastEventId?: string,
): Promise<LoggedEvent[]> {
  const socket = wsTrpc(baseUrl, cookie);
  return new Promise<LoggedEvent[]>((resolve, reject) => {
    const events: LoggedEvent[] = [];
    const handlers = {
      onData: (tracked: { data: unknown }) => {
        const event = tracked.data as LoggedEvent;
        events.push(event);
        if (event.type === 'done') {
          sub.unsubscribe();
          socket.close();
          resolve(events);
        }
      },
      onError: (error: unknown) => {
        socket.close();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    };
    const from = { lastEventId: lastEventId ?? null };
    const sub =
      'taskId' in log
        ? socket.trpc.task.events.subscribe({ taskId: log.taskId, ...from }, handlers)
        : socket.trpc.check.events.subscribe({ runId: log.runId, ...from }, handlers);
  });
}
