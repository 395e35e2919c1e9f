// Access changes that must reach live connections at once, on every instance: a member's new role, a removal,
// a revoked user (disabled or signed out everywhere), a deleted workspace.
import type { MemberRole } from '@tandem/core';
import { z } from 'zod';
import type { PubSub } from '../pubsub.ts';

const accessEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('member'),
    workspaceId: z.string(),
    userId: z.string(),
    role: z.enum(['owner', 'editor', 'reviewer']).nullable(),
  }),
  z.object({ type: z.literal('user-revoked'), userId: z.string() }),
  z.object({ type: z.literal('workspace-deleted'), workspaceId: z.string() }),
]);
export type AccessEvent = z.infer<typeof accessEvent>;

const CHANNEL = 'tandem:access';

export class AccessEvents {
  constructor(private readonly pubsub: PubSub) {}

  publish(event: AccessEvent): Promise<void> {
    return this.pubsub.publish(CHANNEL, event);
  }

  memberChanged(workspaceId: string, userId: string, role: MemberRole | null) {
    return this.publish({ type: 'member', workspaceId, userId, role });
  }

  workspaceDeleted(workspaceId: string) {
    return this.publish({ type: 'workspace-deleted', workspaceId });
  }

  on(listener: (event: AccessEvent) => void): Promise<() => void> {
    return this.pubsub.subscribe(CHANNEL, (message) => {
      const parsed = accessEvent.safeParse(message);
      if (parsed.success) listener(parsed.data);
    });
  }
}
