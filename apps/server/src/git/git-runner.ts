// Runs git jobs on worker threads, each job with a deadline (see GitRunner).
import { Worker } from 'node:worker_threads';
import {
  AppError,
  errorCodes,
  resolveRepositoryLimits,
  type ErrorCode,
  type RepositoryLimits,
} from '@tandem/core';
import type { GitJob, GitJobResult } from './git-ops.ts';

export interface GitRunnerOptions {
  concurrency?: number;
  maxQueued?: number;
  /** Deadline of network jobs (clone, fetch, push, host keys), ms. */
  networkTimeoutMs?: number;
  /** Deadline of local jobs (status, commit, log, show, a pull's line merge), ms. */
  localTimeoutMs?: number;
  /** A thread without work for this long exits, ms. */
  idleMs?: number;
  /** Idle time a remote may take (connecting, or pausing mid-reply) before a request fails, ms. */
  remoteIdleTimeoutMs?: number;
  /** Repository limits for clones (defaults: the workspace limits, 256 MiB of download). */
  limits?: Partial<RepositoryLimits>;
}

type Reply =
  | { ok: true; result: GitJobResult }
  | { ok: false; error: { code: ErrorCode; message: string; details: Record<string, unknown> | undefined } };

export type GitResults = { [R in GitJobResult as R['op']]: R['result'] };

function workerEntry(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './git-worker.ts' : './git-worker.js', self);
}

function startWorker(): Worker {
  const entry = workerEntry();
  const options = { resourceLimits: { maxOldGenerationSizeMb: 1024 } };
  if (entry.pathname.endsWith('.js')) return new Worker(entry, options);
  // From source (tests, `pnpm dev`), workers do not inherit tsx's loader hooks: the worker registers them first.
  const source = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}

/**
 * Runs git jobs on up to `concurrency` worker threads, one job per thread at a time. A thread is kept for the next
 * job while it behaves and exits after `idleMs` without work; a job past its deadline has its thread terminated
 * (whatever the remote is doing) and fails with GIT_UNREACHABLE (network jobs) or INTERNAL. More jobs than threads
 * wait in line; a full line is refused with RATE_LIMITED.
 */
export class GitRunner {
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #networkTimeoutMs: number;
  readonly #localTimeoutMs: number;
  readonly #idleMs: number;
  readonly #busy = new Set<Worker>();
  readonly #idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];
  readonly #queue: (() => void)[] = [];
  #closed = false;
  readonly limits: RepositoryLimits;
  /** Idle time a remote may take before a request fails, ms. */
  readonly remoteIdleTimeoutMs: number;

  constructor(options: GitRunnerOptions = {}) {
    this.limits = resolveRepositoryLimits(options.limits);
    this.#concurrency = options.concurrency ?? 2;
    this.#maxQueued = options.maxQueued ?? 16;
    this.#networkTimeoutMs = options.networkTimeoutMs ?? 10 * 60_000;
    this.#localTimeoutMs = options.localTimeoutMs ?? 2 * 60_000;
    this.#idleMs = options.idleMs ?? 30_000;
    this.remoteIdleTimeoutMs = options.remoteIdleTimeoutMs ?? 30_000;
  }

  #take(): Worker {
    const idle = this.#idle.pop();
    if (idle) {
      clearTimeout(idle.timer);
      return idle.worker;
    }
    const worker = startWorker();
    // A worker that dies between jobs is simply not reused.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      const index = this.#idle.findIndex((entry) => entry.worker === worker);
      if (index >= 0) clearTimeout(this.#idle.splice(index, 1)[0]?.timer);
    });
    return worker;
  }

  #giveBack(worker: Worker): void {
    if (this.#closed) {
      void worker.terminate();
      return;
    }
    const entry = {
      worker,
      timer: setTimeout(() => {
        const index = this.#idle.indexOf(entry);
        if (index >= 0) this.#idle.splice(index, 1);
        void worker.terminate();
      }, this.#idleMs),
    };
    entry.timer.unref();
    this.#idle.push(entry);
  }

  async run<Op extends GitJob['op']>(job: Extract<GitJob, { op: Op }>): Promise<GitResults[Op]> {
    if (this.#closed) throw new AppError('INTERNAL', 'the server is shutting down');
    if (this.#busy.size >= this.#concurrency) {
      if (this.#queue.length >= this.#maxQueued) {
        throw new AppError('RATE_LIMITED', 'Too many git operations are running; try again shortly.', {
          retryAfter: 5,
        });
      }
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    }
    const network = job.op === 'clone' || job.op === 'push' || job.op === 'fetch' || job.op === 'host-keys';
    const timeoutMs = network ? this.#networkTimeoutMs : this.#localTimeoutMs;
    const worker = this.#take();
    this.#busy.add(worker);
    const state = { reusable: false };
    try {
      const reply = await new Promise<Reply>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        };
        const onMessage = (message: Reply) => {
          cleanup();
          state.reusable = true;
          resolve(message);
        };
        const onError = (error: Error) => {
          cleanup();
          reject(new AppError('INTERNAL', `git worker failed: ${error.message}`, { cause: error }));
        };
        const onExit = (code: number) => {
          cleanup();
          reject(new AppError('INTERNAL', `git worker exited (${code}) without an answer`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new AppError(
              network ? 'GIT_UNREACHABLE' : 'INTERNAL',
              `The git ${job.op} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`,
              { details: { timeoutMs } },
            ),
          );
        }, timeoutMs);
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.postMessage(job);
      });
      if (!reply.ok) {
        const code = errorCodes.includes(reply.error.code) ? reply.error.code : 'INTERNAL';
        throw new AppError(
          code,
          reply.error.message,
          reply.error.details ? { details: reply.error.details } : {},
        );
      }
      return reply.result.result as GitResults[Op];
    } finally {
      this.#busy.delete(worker);
      if (state.reusable) this.#giveBack(worker);
      else void worker.terminate();
      this.#queue.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = this.#idle.splice(0);
    for (const entry of idle) clearTimeout(entry.timer);
    await Promise.all(
      [...this.#busy, ...idle.map((entry) => entry.worker)].map((worker) => worker.terminate()),
    );
  }
}
