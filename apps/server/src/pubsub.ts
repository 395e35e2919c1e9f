// JSON messages on named channels: in-process by default, through Redis pub/sub when several instances share
// the database. Delivery is at-most-once; consumers that need every message replay from the database.
// Subscribers in the publishing process get the message synchronously, before `publish` resolves, so an access
// change or a cancel takes effect on this instance the moment its mutation answers; Redis carries it to the
// others, and each instance skips its own messages coming back.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

type Handler = (message: unknown) => void;

interface Envelope {
  origin: string;
  message: unknown;
}

export class PubSub {
  private readonly local = new EventEmitter();
  private readonly subscriber: Redis | undefined;
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private readonly origin = randomUUID();

  constructor(private readonly redis: Redis | undefined) {
    this.local.setMaxListeners(0);
    if (redis) {
      this.subscriber = redis.duplicate();
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (channel: string, raw: string) => {
        let envelope: Partial<Envelope> | null;
        try {
          envelope = JSON.parse(raw) as Partial<Envelope> | null;
        } catch {
          return;
        }
        if (!envelope || typeof envelope !== 'object' || envelope.origin === this.origin) return;
        this.local.emit(channel, envelope.message);
      });
    }
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.local.emit(channel, message);
    if (this.redis) {
      const envelope: Envelope = { origin: this.origin, message };
      await this.redis.publish(channel, JSON.stringify(envelope));
    }
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
