// Delivers security webhooks in the background, so no request ever waits for a receiver: a small bounded queue
// (full: the newest delivery is dropped and logged), one delivery at a time, each attempt with a timeout, retried on
// network failures, 429 and 5xx after the delays of `delaysMs`. Logs name only the receiver's origin, never the
// path (receivers often carry a token there) or the secret.
import { shouldRetryWebhook, signWebhook, webhookHeaders } from '@tandem/core';
import type { Logger } from 'pino';
import { postWebhook, type WebhookTarget } from './webhook-client.ts';

export interface WebhookConfig {
  url: string;
  /** Signs the body when set. */
  secret: string | null;
}

export interface DeliveryResult {
  ok: boolean;
  /** The last attempt's HTTP status; absent when it got no answer. */
  status?: number | undefined;
  attempts: number;
  /** Why the last attempt failed (no secrets in it). */
  error?: string | undefined;
}

export interface WebhookQueueOptions extends WebhookTarget {
  /** Waits before each attempt (the first is usually 0); its length is the number of attempts. */
  delaysMs: readonly number[];
  maxQueued: number;
  logger: Logger;
  /** The webhook in force at delivery time; null: none configured (the delivery is dropped). */
  config(): Promise<WebhookConfig | null>;
}

interface Delivery {
  event: string;
  payload: unknown;
}

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
};

export class WebhookQueue {
  private readonly queue: Delivery[] = [];
  private running: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly options: WebhookQueueOptions) {}

  /** Queues a delivery; false when the queue is full or closed (the delivery is dropped and logged). */
  enqueue(event: string, payload: unknown): boolean {
    if (this.stop.signal.aborted) return false;
    if (this.queue.length >= this.options.maxQueued) {
      this.options.logger.warn({ event }, 'security webhook queue is full; dropped a delivery');
      return false;
    }
    this.queue.push({ event, payload });
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return true;
  }

  /** Resolves when every queued delivery has been tried (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.stop.abort();
    this.queue.length = 0;
  }

  /** One delivery with its retries, to the webhook in force. */
  async deliver(
    config: WebhookConfig,
    event: string,
    payload: unknown,
    attempts = this.options.delaysMs.length,
  ) {
    const body = JSON.stringify(payload);
    let result: DeliveryResult = { ok: false, attempts: 0 };
    for (let attempt = 0; attempt < attempts; attempt++) {
      const delay = this.options.delaysMs[attempt] ?? 0;
      if (delay > 0 && !(await this.sleep(delay))) break;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        [webhookHeaders.timestamp]: timestamp,
        [webhookHeaders.event]: event,
      };
      if (config.secret) headers[webhookHeaders.signature] = signWebhook(config.secret, timestamp, body);
      try {
        const status = await postWebhook(this.options, config.url, headers, body);
        result = { ok: status >= 200 && status < 300, status, attempts: attempt + 1 };
        if (result.ok || !shouldRetryWebhook(status)) break;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result = { ok: false, attempts: attempt + 1, error: message };
        // A refused address stays refused: no point in trying again.
        if ((error as { code?: unknown }).code === 'WEBHOOK_URL_REFUSED') break;
      }
    }
    if (!result.ok) {
      this.options.logger.warn(
        {
          event,
          receiver: origin(config.url),
          status: result.status,
          attempts: result.attempts,
          error: result.error,
        },
        'security webhook delivery failed',
      );
    }
    return result;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        const config = await this.options.config();
        if (config) await this.deliver(config, next.event, next.payload);
      } catch (error) {
        this.options.logger.error({ err: error, event: next.event }, 'security webhook delivery crashed');
      }
    }
  }

  /** false when the queue was closed meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.stop.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
