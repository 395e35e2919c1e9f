// Worker thread holding the benchmark's subscribers: each its own WebSocket, on an event loop of their own, as
// browsers would be. A busy server thread cannot delay when these clients read their sockets. Two kinds:
// `trpc` runs the real tRPC client (wsLink, superjson) and times `onData`; `socket` speaks the same wire protocol
// with a bare WebSocket and times the frame's arrival, which is when delivery is done and the subscriber's own
// decoding begins — on a 2-core machine the 50 tRPC clients' decoding competes with the server for the CPU.
// Times are absolute (timeOrigin + now), so the main thread can compare them with its publish times.
//
// Subscribers are other people's browsers on their own machines: they never wait for the server's CPU. Here they
// share two cores with a server working flat out (the model streams at full speed), and at equal priority the
// scheduler left this thread waiting up to ~10 ms for a core after its frames had arrived. So the thread asks for
// a higher scheduling priority (Linux applies it to the calling thread; it needs the privilege to raise one, which
// root has); without it the figures include that wait, and the bench says so.
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';
import { wsTrpc } from '../../apps/server/test/trpc-ws.ts';

export type ClientKind = 'trpc' | 'socket';

export interface ClientsInput {
  url: string;
  cookie: string;
  taskId: string;
  count: number;
  kind: ClientKind;
}

export interface ClientEvents {
  /** Per subscriber: seq, absolute receive time and Date.now() minus the stored `at`, three numbers per event. */
  received: number[][];
  /** Whether this thread runs at a raised scheduling priority. */
  prioritized: boolean;
}

/** Raises this thread's priority; false when the process may not. */
function prioritize(): boolean {
  try {
    setPriority(-10);
    return true;
  } catch {
    return false;
  }
}

interface WireEvent {
  seq: number;
  type: string;
  at: string;
}

const input = workerData as ClientsInput;
const now = () => performance.timeOrigin + performance.now();

async function trpcSubscriber(): Promise<number[]> {
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

async function socketSubscriber(): Promise<number[]> {
  const socket = new WebSocket(`${input.url.replace(/^http/, 'ws')}/trpc`, {
    headers: { cookie: input.cookie },
  });
  const received: number[] = [];
  try {
    await once(socket, 'open');
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (raw: Buffer) => {
        const at = now();
        const message = JSON.parse(raw.toString()) as {
          error?: unknown;
          result?: { type: string; data?: { json: { data: WireEvent } } };
        };
        if (message.error) reject(new Error(JSON.stringify(message.error)));
        const event = message.result?.type === 'data' ? message.result.data?.json.data : undefined;
        if (!event) return;
        received.push(event.seq, at, Date.now() - Date.parse(event.at));
        if (event.type === 'done') resolve();
      });
      socket.once('close', () => reject(new Error('socket closed before done')));
      socket.send(
        JSON.stringify({
          id: 1,
          method: 'subscription',
          params: { path: 'task.events', input: { json: { taskId: input.taskId, lastEventId: null } } },
        }),
      );
    });
  } finally {
    socket.close();
  }
  return received;
}

const prioritized = prioritize();
const subscriber = input.kind === 'trpc' ? trpcSubscriber : socketSubscriber;
const received = await Promise.all(Array.from({ length: input.count }, () => subscriber()));
parentPort?.postMessage({ received, prioritized } satisfies ClientEvents);
