// Where human-started check runs execute. Without Redis: on the instance that started them, at once (the sandbox's
// own gate queues their sandbox runs behind others here). With Redis: through a BullMQ queue shared by every
// instance, like tasks, each instance taking at most as many runs as its sandbox has slots, so a run started on a
// busy instance is taken by one with free capacity. Events reach followers on every instance either way, through the
// run's event log and its channel.
import type { Logger } from 'pino';

export interface CheckRunQueue {
  /** Hands a stored run (state `running`) to an instance that executes it. */
  submit(runId: string): Promise<void>;
  /** Starts taking runs (once what `execute` needs exists). */
  start(): Promise<void>;
  /** Resolves once every run submitted from this instance so far has ended, wherever it ran. */
  idle(): Promise<void>;
  /** Takes no more runs here; waiting ones stay queued for the other instances. */
  pause(): Promise<void>;
  close(): Promise<void>;
}

interface CheckRunJob {
  runId: string;
}

export async function createCheckRunQueue(options: {
  /** Executes one run here and resolves when it has recorded its end. */
  execute: (runId: string) => Promise<void>;
  /** Runs taken at once by this instance (its sandbox's slots). */
  concurrency: number;
  logger: Logger;
  redisUrl: string | undefined;
  namespace: string;
}): Promise<CheckRunQueue> {
  const execute = (runId: string) =>
    options.execute(runId).catch((error: unknown) => {
      options.logger.error({ err: error, runId }, 'a check run could not be executed');
    });
  const submitted = new Set<Promise<unknown>>();
  const track = (done: Promise<unknown>) => {
    const settled = done.catch(() => undefined).finally(() => submitted.delete(settled));
    submitted.add(settled);
  };
  const idle = async () => {
    while (submitted.size > 0) await Promise.all([...submitted]);
  };
  if (!options.redisUrl) {
    return {
      submit: (runId) => {
        track(execute(runId));
        return Promise.resolve();
      },
      idle,
      start: () => Promise.resolve(),
      pause: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }

  // Loaded only with Redis, as the task queue is.
  const [{ Queue, QueueEvents, Worker }, { Redis }] = await Promise.all([
    import('bullmq'),
    import('ioredis'),
  ]);
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', (error) => options.logger.warn({ err: error }, 'check run queue redis error'));
  const prefix = `tandem:${options.namespace}`;
  const queue = new Queue<CheckRunJob>('check-runs', { connection, prefix });
  const worker = new Worker<CheckRunJob>('check-runs', (job) => execute(job.data.runId), {
    connection: connection.duplicate(),
    prefix,
    concurrency: options.concurrency,
    autorun: false,
  });
  worker.on('error', (error) => options.logger.warn({ err: error }, 'check run worker error'));
  // Tells this instance when a run it submitted has ended on whichever instance took it.
  const events = new QueueEvents('check-runs', { connection: connection.duplicate(), prefix });
  await events.waitUntilReady();
  return {
    start: async () => {
      void worker
        .run()
        .catch((error: unknown) => options.logger.error({ err: error }, 'the check run worker stopped'));
      await worker.waitUntilReady();
    },
    submit: async (runId) => {
      const job = await queue.add(
        'run',
        { runId },
        { jobId: runId, removeOnComplete: true, removeOnFail: true },
      );
      track(job.waitUntilFinished(events));
    },
    idle,
    pause: () => worker.pause(true),
    close: async () => {
      await worker.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
