// Carries channel payloads to the other instances: Redis pub/sub when several instances share the database, with
// one subscriber connection per process for every channel. Without Redis there are no other instances and this
// carries nothing (channels deliver to their own process themselves, see channel.ts). Delivery is at-most-once;
// consumers that need every message replay from the database. Each instance skips its own payloads coming back.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export type PayloadHandler = (payload: Uint8Array) => void;

const ORIGIN_BYTES = 8;

export class Transport {
  private readonly routes = new Map<string, PayloadHandler>();
  private readonly subscriber: Redis | undefined;
  private readonly origin = randomBytes(ORIGIN_BYTES);

  constructor(private readonly redis: Redis | undefined) {
    if (!redis) return;
    // A connection in subscriber mode can do nothing else, so it is a separate one.
    this.subscriber = redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (message.length < ORIGIN_BYTES || this.origin.equals(message.subarray(0, ORIGIN_BYTES))) return;
      this.routes.get(channel.toString())?.(message.subarray(ORIGIN_BYTES));
    });
  }

  async publish(channel: string, payload: Uint8Array): Promise<void> {
    if (this.redis) await this.redis.publish(channel, Buffer.concat([this.origin, payload]));
  }

  /** One route per topic (its channel fans out to its own handlers); resolves once Redis confirmed it. */
  async route(topic: string, handler: PayloadHandler): Promise<void> {
    if (!this.subscriber) return;
    this.routes.set(topic, handler);
    await this.subscriber.subscribe(topic);
  }

  unroute(topic: string): void {
    if (!this.subscriber || !this.routes.delete(topic)) return;
    void this.subscriber.unsubscribe(topic).catch(() => undefined);
  }

  close(): void {
    this.subscriber?.disconnect();
    this.routes.clear();
  }
}
