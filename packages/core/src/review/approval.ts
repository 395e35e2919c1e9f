// Whether a task counts as approved, for the workspace policy "require an approval before accepting": at least one
// member other than the task's author approves, and nobody's current verdict asks for changes. Each member has one
// current verdict (their latest); earlier ones are history. A verdict is on one revision of the task: a follow-up
// makes a new revision, which needs its own review (an approval of revision 1 says nothing about revision 2).
import type { Verdict } from './schemas.ts';

export interface VerdictEntry {
  userId: string;
  verdict: Verdict;
  at: Date | string;
  /** The task revision the verdict was given on (1 when absent). */
  revision?: number;
}

export interface ApprovalState {
  approved: boolean;
  /** Members whose current verdict approves (the author's own approval is listed but does not count). */
  approvedBy: string[];
  changesRequestedBy: string[];
  /** Why the task is not approved, in words for a person; null when it is. */
  reason: string | null;
}

/** Each member's latest verdict, oldest first. */
export function currentVerdicts<T extends VerdictEntry>(history: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const entry of history) {
    const previous = latest.get(entry.userId);
    if (!previous || new Date(entry.at).getTime() >= new Date(previous.at).getTime()) {
      latest.set(entry.userId, entry);
    }
  }
  return [...latest.values()].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
}

/** Whether revision `revision` of a task is approved: only verdicts given on that revision count. */
export function approvalState(
  history: readonly VerdictEntry[],
  authorId: string | null,
  revision = 1,
): ApprovalState {
  const onRevision = history.filter((v) => (v.revision ?? 1) === revision);
  const current = currentVerdicts(onRevision);
  const approvedBy = current.filter((v) => v.verdict === 'approve').map((v) => v.userId);
  const changesRequestedBy = current.filter((v) => v.verdict === 'request-changes').map((v) => v.userId);
  const counted = approvedBy.filter((id) => id !== authorId);
  let reason: string | null = null;
  if (changesRequestedBy.length > 0) {
    reason = 'A reviewer requested changes; they must approve before the changes can be accepted.';
  } else if (counted.length === 0) {
    reason =
      approvedBy.length > 0
        ? "This workspace requires an approval from someone other than the task's author."
        : onRevision.length < history.length
          ? `Revision ${String(revision)} needs an approval of its own: verdicts on earlier revisions do not carry over.`
          : 'This workspace requires an approval before changes are accepted.';
  }
  return { approved: reason === null, approvedBy, changesRequestedBy, reason };
}
