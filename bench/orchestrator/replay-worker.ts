// The replay provider on a thread of its own, as a real model runs on another machine: at full speed it would
// otherwise spend the server thread's time writing the very stream the server is busy reading.
import { once } from 'node:events';
import { isMainThread, parentPort } from 'node:worker_threads';
import { startReplayServer, type ReplayScript } from '../../packages/core/src/llm/testing/index.ts';
import { tsWorker } from './ts-worker.ts';

type Command = { enqueue: ReplayScript } | { close: true };

export interface ReplayWorker {
  url: string;
  enqueue(script: ReplayScript): void;
  close(): Promise<void>;
}

export async function startReplayWorker(): Promise<ReplayWorker> {
  const worker = tsWorker(new URL(import.meta.url), null);
  const [url] = (await once(worker, 'message')) as [string];
  return {
    url,
    enqueue: (script) => worker.postMessage({ enqueue: script } satisfies Command),
    close: async () => {
      worker.postMessage({ close: true } satisfies Command);
      await once(worker, 'exit');
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const server = await startReplayServer();
  port.on('message', (command: Command) => {
    if ('enqueue' in command) server.enqueue(command.enqueue);
    else void server.close().then(() => port.close());
  });
  port.postMessage(server.url);
}
