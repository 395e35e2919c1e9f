// Access changes that live connections and subscriptions must follow at once, on every instance. An event only
// says whom a change may concern; each live connection then asks the database (check.ts) what it may do now, so
// the rule stays in one place and a lost or reordered event cannot grant anything.
import type { MemberRole } from '@tandem/core';
import { z } from 'zod';
import type { Channel } from '../bus/channel.ts';

export const accessEventSchema = z.discriminatedUnion('type', [
  /** A member's role changed (or they left or were removed: role null). */
  z.object({
    type: z.literal('member'),
    workspaceId: z.string(),
    userId: z.string(),
    role: z.enum(['owner', 'editor', 'reviewer']).nullable(),
  }),
  /** Archived, unarchived or deleted. */
  z.object({ type: z.literal('workspace'), workspaceId: z.string(), deleted: z.boolean() }),
  /** Disabled, enabled, admin flag changed, or signed out everywhere. */
  z.object({ type: z.literal('user'), userId: z.string() }),
  /** One session signed out. */
  z.object({ type: z.literal('session'), sessionId: z.string(), userId: z.string() }),
]);
export type AccessEvent = z.infer<typeof accessEventSchema>;

export class AccessEvents {
  private collecting: Promise<unknown>[] | undefined;

  constructor(private readonly channel: Channel<AccessEvent, AccessEvent>) {}

  /**
   * Resolves once this instance's connections have acted on the event (closed, turned read-only), so a change takes
   * effect here the moment its mutation answers; other instances follow as Redis brings it to them.
   */
  private async publish(event: AccessEvent): Promise<void> {
    const reactions: Promise<unknown>[] = [];
    this.collecting = reactions;
    try {
      await this.channel.publish('', event);
    } finally {
      this.collecting = undefined;
    }
    await Promise.allSettled(reactions);
  }

  memberChanged(workspaceId: string, userId: string, role: MemberRole | null) {
    return this.publish({ type: 'member', workspaceId, userId, role });
  }

  workspaceChanged(workspaceId: string, deleted = false) {
    return this.publish({ type: 'workspace', workspaceId, deleted });
  }

  userChanged(userId: string) {
    return this.publish({ type: 'user', userId });
  }

  sessionEnded(sessionId: string, userId: string) {
    return this.publish({ type: 'session', sessionId, userId });
  }

  on(listener: (event: AccessEvent) => Promise<unknown> | undefined): Promise<() => void> {
    return this.channel.subscribe('', (event) => {
      const reaction = listener(event);
      if (reaction) this.collecting?.push(reaction);
    });
  }
}
