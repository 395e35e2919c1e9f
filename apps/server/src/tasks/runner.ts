// Runs tasks with a concurrency limit: in this process by default, or from a BullMQ queue shared by every
// instance when Redis is configured. Cancellation is broadcast, so it reaches whichever instance runs the task.
import type { Logger } from 'pino';
import type { Channels } from '../bus/channels.ts';

export type ExecuteTask = (taskId: string, signal: AbortSignal) => Promise<void>;

/**
 * The abort reason of a run stopped because its instance is shutting down: the run hands its task back to the queue
 * (see `handOverTask`) instead of ending it as cancelled, so another instance, or this one once restarted, runs it.
 */
export class HandOver extends Error {
  constructor() {
    super('the server is shutting down');
    this.name = 'HandOver';
  }
}

export interface TaskRunner {
  enqueue(taskId: string): Promise<void>;
  /** Stops the task wherever it runs (or drops it from the queue). */
  cancel(taskId: string): Promise<void>;
  /** Stops the task if it runs in this process. */
  abortHere(taskId: string): void;
  /** Resolves when nothing is running in this process (tests, shutdown). */
  idle(): Promise<void>;
  /**
   * For a graceful shutdown: takes no more tasks, lets the running ones finish for up to `graceMs`, then stops the
   * rest with a `HandOver` abort, and resolves once nothing runs here.
   */
  drain(graceMs: number): Promise<void>;
  close(): Promise<void>;
}

interface TaskJob {
  taskId: string;
}

/** Tracks the tasks running in this process and aborts them when a cancel arrives from any instance. */
class Running {
  private readonly controllers = new Map<string, AbortController>();
  private readonly finished = new Set<() => void>();

  async run(taskId: string, execute: ExecuteTask, logger: Logger) {
    const controller = new AbortController();
    this.controllers.set(taskId, controller);
    try {
      await execute(taskId, controller.signal);
    } catch (error) {
      logger.error({ err: error, taskId }, 'task crashed');
    } finally {
      this.controllers.delete(taskId);
      if (this.controllers.size === 0) for (const done of this.finished) done();
    }
  }

  abort(taskId: string) {
    this.controllers.get(taskId)?.abort();
  }

  abortAll(reason?: Error) {
    for (const c of this.controllers.values()) c.abort(reason);
  }

  /** Waits up to `graceMs` for the running tasks, then hands the rest over. */
  async drain(graceMs: number) {
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([this.idle(), graceOver]);
    clearTimeout(timer);
    this.abortAll(new HandOver());
    await this.idle();
  }

  get size() {
    return this.controllers.size;
  }

  idle(): Promise<void> {
    if (this.controllers.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.finished.delete(done);
        resolve();
      };
      this.finished.add(done);
    });
  }
}

export async function createTaskRunner(options: {
  execute: ExecuteTask;
  concurrency: number;
  cancels: Channels['taskCancel'];
  logger: Logger;
  redisUrl: string | undefined;
  namespace: string;
}): Promise<TaskRunner> {
  const running = new Running();
  const unsubscribe = await options.cancels.subscribe('', ({ taskId }) => running.abort(taskId));
  const publishCancel = (taskId: string) => options.cancels.publish('', { taskId });

  if (!options.redisUrl) {
    const queue: string[] = [];
    let draining = false;
    const pump = () => {
      while (!draining && running.size < options.concurrency && queue.length > 0) {
        const taskId = queue.shift();
        if (taskId === undefined) break;
        void running.run(taskId, options.execute, options.logger).then(pump);
      }
    };
    return {
      enqueue: (taskId) => {
        queue.push(taskId);
        pump();
        return Promise.resolve();
      },
      cancel: async (taskId) => {
        const at = queue.indexOf(taskId);
        if (at >= 0) queue.splice(at, 1);
        await publishCancel(taskId);
      },
      abortHere: (taskId) => running.abort(taskId),
      idle: () => running.idle(),
      drain: async (graceMs) => {
        // The waiting ones stay queued in the database, where the next start (or another instance) finds them.
        draining = true;
        queue.length = 0;
        await running.drain(graceMs);
      },
      close: async () => {
        queue.length = 0;
        running.abortAll();
        await running.idle();
        unsubscribe();
      },
    };
  }

  // Loaded only with Redis: the embedded default never pays for BullMQ and ioredis (about 20 MB resident).
  const [{ Queue, Worker }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
  // BullMQ needs connections that retry forever; they are its own, separate from the app's Redis client.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', (error) => options.logger.warn({ err: error }, 'task queue redis error'));
  const prefix = `tandem:${options.namespace}`;
  const queue = new Queue<TaskJob>('tasks', { connection, prefix });
  const worker = new Worker<TaskJob>(
    'tasks',
    async (job) => {
      await running.run(job.data.taskId, options.execute, options.logger);
    },
    { connection: connection.duplicate(), prefix, concurrency: options.concurrency },
  );
  worker.on('error', (error) => options.logger.warn({ err: error }, 'task worker error'));
  await worker.waitUntilReady();
  return {
    enqueue: async (taskId) => {
      await queue.add('run', { taskId }, { jobId: taskId, removeOnComplete: true, removeOnFail: true });
    },
    cancel: async (taskId) => {
      const job = await queue.getJob(taskId);
      if (job && (await job.isWaiting())) await job.remove().catch(() => undefined);
      await publishCancel(taskId);
    },
    abortHere: (taskId) => running.abort(taskId),
    idle: () => running.idle(),
    drain: async (graceMs) => {
      // Waiting jobs stay in the shared queue for the other instances.
      await worker.pause(true);
      await running.drain(graceMs);
    },
    close: async () => {
      running.abortAll();
      await worker.close();
      await queue.close();
      connection.disconnect();
      unsubscribe();
    },
  };
}
