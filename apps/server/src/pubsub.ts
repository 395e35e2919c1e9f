// JSON messages on named channels: in-process by default, through Redis pub/sub when several instances share
// the database. Delivery is at-most-once; consumers that need every message replay from the database.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

type Handler = (message: unknown) => void;

export class PubSub {
  private readonly local = new EventEmitter();
  private readonly subscriber: Redis | undefined;
  private readonly subscribed = new Map<string, Promise<unknown>>();

  constructor(private readonly redis: Redis | undefined) {
    this.local.setMaxListeners(0);
    if (redis) {
      this.subscriber = redis.duplicate();
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (channel: string, raw: string) => {
        let message: unknown;
        try {
          message = JSON.parse(raw);
        } catch {
          return;
        }
        this.local.emit(channel, message);
      });
    }
  }

  async publish(channel: string, message: unknown): Promise<void> {
    if (this.redis) await this.redis.publish(channel, JSON.stringify(message));
    else this.local.emit(channel, message);
  }

  /** Resolves once messages published from now on will be delivered. */
  async subscribe(channel: string, handler: Handler): Promise<() => void> {
    this.local.on(channel, handler);
    if (this.subscriber) {
      let ready = this.subscribed.get(channel);
      if (!ready) {
        ready = this.subscriber.subscribe(channel);
        this.subscribed.set(channel, ready);
      }
      await ready;
    }
    return () => {
      this.local.off(channel, handler);
      if (this.subscriber && this.local.listenerCount(channel) === 0) {
        this.subscribed.delete(channel);
        void this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  close(): void {
    this.subscriber?.disconnect();
    this.local.removeAllListeners();
  }
}
