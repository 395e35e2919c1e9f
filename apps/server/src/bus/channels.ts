// The channels instances talk on, each with the schema its messages are checked against where they are read.
import { z } from 'zod';
import { accessEventSchema } from '../access/events.ts';
import { taskStates } from '../db/schema.ts';
import { liveTaskEventSchema } from '../tasks/events.ts';
import { bytes, Channel, json, type ChannelOptions } from './channel.ts';
import type { Transport } from './transport.ts';

export const taskChangeSchema = z.object({ taskId: z.string(), state: z.enum(taskStates) });
export type TaskChange = z.infer<typeof taskChangeSchema>;

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
    /** Yjs fan-out between instances, keyed by document name; bytes are RoomBus envelopes the room checks. */
    yjs: new Channel(transport, 'tandem:yjs', bytes, options),
  };
}

export type Channels = ReturnType<typeof createChannels>;
