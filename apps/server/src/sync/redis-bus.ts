// RoomBus over Redis pub/sub: one channel per document, binary payloads, one subscriber connection per process.
import type { RoomBus } from '@tandem/core';
import type { Redis } from 'ioredis';

const channelOf = (docName: string) => `tandem:yjs:${docName}`;

export class RedisRoomBus implements RoomBus {
  private readonly handlers = new Map<string, Set<(bytes: Uint8Array) => void>>();
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private readonly subscriber: Redis;

  constructor(private readonly publisher: Redis) {
    // A connection in subscriber mode can do nothing else, so it is a separate one.
    this.subscriber = publisher.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const set = this.handlers.get(channel.toString());
      if (!set) return;
      const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      for (const handler of set) handler(bytes);
    });
  }

  async publish(docName: string, bytes: Uint8Array): Promise<void> {
    await this.publisher.publish(
      channelOf(docName),
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    );
  }

  async subscribe(docName: string, handler: (bytes: Uint8Array) => void): Promise<() => void> {
    const channel = channelOf(docName);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      this.subscribed.set(channel, this.subscriber.subscribe(channel));
    }
    set.add(handler);
    // Every caller waits for the one SUBSCRIBE of its channel to be acknowledged.
    await this.subscribed.get(channel);
    return () => {
      const current = this.handlers.get(channel);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        this.handlers.delete(channel);
        this.subscribed.delete(channel);
        void this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  close(): void {
    this.subscriber.disconnect();
  }
}
