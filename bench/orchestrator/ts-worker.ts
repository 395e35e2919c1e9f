// Starts a worker thread on a TypeScript module. Workers do not inherit tsx's loader hooks, so the worker
// registers them before importing the file.
import { Worker } from 'node:worker_threads';

export function tsWorker(moduleUrl: URL, workerData: unknown): Worker {
  const source = `
    import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
      .then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); });
  `;
  return new Worker(source, { eval: true, workerData });
}
