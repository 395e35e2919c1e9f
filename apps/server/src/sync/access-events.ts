// Access changes that must reach live connections at once, on every instance: a member's new role, a removal,
// a disabled account. In-process by default; over Redis pub/sub when several instances share the database.
import { EventEmitter } from 'node:events';
import type { MemberRole } from '@tandem/core';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const accessEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('member'),
    workspaceId: z.string(),
    userId: z.string(),
    role: z.enum(['owner', 'editor', 'reviewer']).nullable(),
  }),
  /** The user was disabled or signed out everywhere: their live connections end. */
  z.object({ type: z.literal('user-revoked'), userId: z.string() }),
]);
export type AccessEvent = z.infer<typeof accessEvent>;

const CHANNEL = 'tandem:access';

export class AccessEvents {
  private readonly emitter = new EventEmitter();
  private readonly subscriber: Redis | undefined;
  private readonly ready: Promise<unknown>;

  constructor(private readonly redis: Redis | undefined) {
    this.emitter.setMaxListeners(0);
    if (redis) {
      this.subscriber = redis.duplicate();
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (_channel: string, message: string) => {
        let json: unknown;
        try {
          json = JSON.parse(message);
        } catch {
          return;
        }
        const parsed = accessEvent.safeParse(json);
        if (parsed.success) this.emitter.emit('event', parsed.data);
      });
      this.ready = this.subscriber.subscribe(CHANNEL);
    } else {
      this.ready = Promise.resolve();
    }
  }

  async publish(event: AccessEvent): Promise<void> {
    if (this.redis) {
      await this.ready;
      await this.redis.publish(CHANNEL, JSON.stringify(event));
    } else {
      this.emitter.emit('event', event);
    }
  }

  memberChanged(workspaceId: string, userId: string, role: MemberRole | null) {
    return this.publish({ type: 'member', workspaceId, userId, role });
  }

  on(listener: (event: AccessEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  close(): void {
    this.subscriber?.disconnect();
  }
}
