// Worker thread holding the benchmark's subscribers: each its own WebSocket with the tRPC link, on an event loop
// of their own, as browsers would be. A busy server thread cannot delay when these clients read their sockets.
// Times are absolute (timeOrigin + now), so the main thread can compare them with its publish times.
import { parentPort, workerData } from 'node:worker_threads';
import { wsTrpc } from '../../apps/server/test/trpc-ws.ts';

export interface ClientsInput {
  url: string;
  cookie: string;
  taskId: string;
  count: number;
}

export interface ClientEvents {
  /** Per subscriber: seq, absolute receive time and Date.now() minus the stored `at`, three numbers per event. */
  received: number[][];
}

const input = workerData as ClientsInput;
const now = () => performance.timeOrigin + performance.now();

async function subscriber(): Promise<number[]> {
  const ws = wsTrpc(input.url, input.cookie);
  const received: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const sub = ws.trpc.task.events.subscribe(
        { taskId: input.taskId, lastEventId: null },
        {
          onData: (tracked) => {
            const event = tracked.data as unknown as { seq: number; type: string; at: Date };
            received.push(event.seq, now(), Date.now() - event.at.getTime());
            if (event.type === 'done') {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
  } finally {
    await ws.close();
  }
  return received;
}

const received = await Promise.all(Array.from({ length: input.count }, () => subscriber()));
parentPort?.postMessage({ received } satisfies ClientEvents);
