// The channels instances talk on, each with the schema its messages are checked against where they are read.
import { securityAlertKindSchema } from '@tandem/core';
import { z } from 'zod';
import { accessEventSchema } from '../access/events.ts';
import { liveCheckRunEventSchema } from '../checks/run-events.ts';
import { checkRunStates, taskStates } from '../db/schema.ts';
import { liveTaskEventSchema } from '../tasks/events.ts';
import { bytes, Channel, json, type ChannelOptions } from './channel.ts';
import type { Transport } from './transport.ts';

export const taskChangeSchema = z.object({ taskId: z.string(), state: z.enum(taskStates) });
export type TaskChange = z.infer<typeof taskChangeSchema>;

export const gitChangeSchema = z.object({
  action: z.enum(['connect', 'commit', 'push', 'pull', 'auto-commit', 'host-key']),
  commit: z.string().optional(),
  branch: z.string().optional(),
});
export type GitChangeNotice = z.infer<typeof gitChangeSchema>;
export const reviewChangeSchema = z.union([
  z.object({
    kind: z.enum(['comment', 'verdict', 'settings']),
    /** The task the comment or verdict is on; null for live file comments and settings. */
    taskId: z.string().nullable(),
    commentId: z.string().optional(),
  }),
  /** A conflict of `taskId` was resolved by `by` over text that `userIds` had typed in `path`. */
  z.object({
    kind: z.literal('overwritten'),
    taskId: z.string(),
    path: z.string(),
    by: z.string(),
    userIds: z.array(z.string()),
  }),
]);
export type ReviewChange = z.infer<typeof reviewChangeSchema>;
/** A security alert was raised (opened or counted up) or acknowledged; admin consoles refetch the list. */
export const securityAlertChangeSchema = z.object({
  alertId: z.number().int(),
  kind: securityAlertKindSchema,
  action: z.enum(['raised', 'acknowledged']),
});
export const checkRunChangeSchema = z.object({ runId: z.string(), state: z.enum(checkRunStates) });

export function createChannels(transport: Transport, options: ChannelOptions = {}) {
  return {
    /** Access changes (one topic). */
    access: new Channel(transport, 'tandem:access', json(accessEventSchema), options),
    /** A task's committed events, keyed by task id; a hint for followers, who replay from the database. */
    taskEvents: new Channel(transport, 'tandem:task', json(liveTaskEventSchema), options),
    /** A workspace's task list changes (created, state changed), keyed by workspace id. */
    taskChanges: new Channel(transport, 'tandem:workspace-tasks', json(taskChangeSchema), options),
    /** Stop a task wherever it runs (one topic). */
    taskCancel: new Channel(transport, 'tandem:task-cancel', json(z.object({ taskId: z.string() })), options),
    /** A workspace's git state changed (connected, committed, pushed, pulled, its auto-commit option), keyed by workspace id. */
    gitChanges: new Channel(transport, 'tandem:workspace-git', json(gitChangeSchema), options),
    /** A check run's committed events, keyed by run id; a hint for followers, who replay from the database. */
    checkRunEvents: new Channel(transport, 'tandem:check-run', json(liveCheckRunEventSchema), options),
    /** A workspace's check runs (started, ended), keyed by workspace id; clients refetch `check.list` on each. */
    checkRunChanges: new Channel(
      transport,
      'tandem:workspace-check-runs',
      json(checkRunChangeSchema),
      options,
    ),
    /** A workspace's review comments, verdicts and approval policy changed, keyed by workspace id; clients refetch. */
    reviewChanges: new Channel(transport, 'tandem:workspace-review', json(reviewChangeSchema), options),
    /** The console's rate limits changed (one topic); each instance reads them again from the settings. */
    limitChanges: new Channel(transport, 'tandem:settings-limits', json(z.object({}).strict()), options),
    /** Security alerts raised or acknowledged (one topic), for every instance's admin consoles. */
    securityAlerts: new Channel(
      transport,
      'tandem:security-alerts',
      json(securityAlertChangeSchema),
      options,
    ),
    /** Yjs fan-out between instances, keyed by document name; bytes are RoomBus envelopes the room checks. */
    yjs: new Channel(transport, 'tandem:yjs', bytes, options),
  };
}

export type Channels = ReturnType<typeof createChannels>;
