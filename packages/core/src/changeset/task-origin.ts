// Every change the engine makes to the live doc carries an origin naming the task and the action, so update
// listeners can attribute it (audit log, presence) and tell it apart from human typing.

export const taskOriginActions = ['apply', 'resolve', 'rollback'] as const;
export type TaskOriginAction = (typeof taskOriginActions)[number];

export interface TaskOrigin {
  readonly kind: 'task';
  readonly taskId: string;
  readonly userId: string;
  readonly action: TaskOriginAction;
}

export function taskOrigin(taskId: string, userId: string, action: TaskOriginAction): TaskOrigin {
  return { kind: 'task', taskId, userId, action };
}

export function isTaskOrigin(origin: unknown): origin is TaskOrigin {
  if (typeof origin !== 'object' || origin === null) return false;
  const o = origin as Partial<Record<keyof TaskOrigin, unknown>>;
  return (
    o.kind === 'task' &&
    typeof o.taskId === 'string' &&
    typeof o.userId === 'string' &&
    (taskOriginActions as readonly unknown[]).includes(o.action)
  );
}
