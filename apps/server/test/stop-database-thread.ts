// Loaded into a test's server process with --import: on SIGUSR2 it stops the embedded database's worker thread at
// once, as an uncaught error or an exhausted heap inside the thread would, and leaves the rest of the process alone.
import { isMainThread, Worker } from 'node:worker_threads';

if (isMainThread) {
  const databaseThreads = new Set<Worker>();
  const postMessage = Reflect.get(Worker.prototype, 'postMessage') as (...args: unknown[]) => void;
  Worker.prototype.postMessage = function (this: Worker, ...args: unknown[]) {
    // PgliteThread's requests are `{ id, request: { op } }`; other workers (a loader's) are not touched.
    const [message] = args;
    if (typeof message === 'object' && message !== null && 'request' in message) databaseThreads.add(this);
    postMessage.apply(this, args);
  };
  process.on('SIGUSR2', () => {
    for (const thread of databaseThreads) void thread.terminate();
  });
}
