// Turns a selection into the `context` event of a task's log: what went in, why, and at what cost.
import { eventLimits, type TaskEventOf } from '../events/task-event.ts';
import type { ContextSelection } from './types.ts';

/** The name the repo map goes by in the event's file list (it has no path of its own). */
export const REPO_MAP_ENTRY = '(repo map)';

export function toContextEvent(selection: ContextSelection): TaskEventOf<'context'> {
  const files: TaskEventOf<'context'>['files'] = selection.files.map(({ path, reason, tokens }) => ({
    path,
    reason,
    tokens,
  }));
  if (selection.map.tokens > 0)
    files.push({ path: REPO_MAP_ENTRY, reason: 'map', tokens: selection.map.tokens });
  return {
    type: 'context',
    files: files.slice(0, eventLimits.contextFiles),
    totalTokens: selection.totalTokens,
    budgetTokens: selection.budgetTokens,
  };
}
