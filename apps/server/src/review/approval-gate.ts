// The workspace policy "require an approval before accepting", checked in one place: every path that applies a
// task's text to the live files (accept, take the task's side of a conflict, auto-apply) asks here first.
import { AppError, approvalState, type ApprovalState, type VerdictEntry } from '@tandem/core';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { members, reviewVerdicts, workspaces } from '../db/schema.ts';

type GatedTask = { id: string; workspaceId: string; createdBy: string | null; revision: number };

/** The task's verdicts from people who are still members (a removed member's approval no longer counts). */
export async function memberVerdicts(
  db: Db,
  task: { id: string; workspaceId: string },
): Promise<VerdictEntry[]> {
  return db
    .select({
      userId: reviewVerdicts.userId,
      verdict: reviewVerdicts.verdict,
      at: reviewVerdicts.createdAt,
      revision: reviewVerdicts.revision,
    })
    .from(reviewVerdicts)
    .innerJoin(
      members,
      and(eq(members.userId, reviewVerdicts.userId), eq(members.workspaceId, task.workspaceId)),
    )
    .where(eq(reviewVerdicts.taskId, task.id))
    .orderBy(asc(reviewVerdicts.createdAt), asc(reviewVerdicts.id));
}

export async function requiresApproval(db: Db, workspaceId: string): Promise<boolean> {
  const [row] = await db
    .select({ requireApproval: workspaces.requireApproval })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.requireApproval ?? false;
}

/** Whether the task's current revision is approved, and whether the workspace requires it to be. */
export async function taskApproval(db: Db, task: GatedTask): Promise<ApprovalState & { required: boolean }> {
  const [required, verdicts] = await Promise.all([
    requiresApproval(db, task.workspaceId),
    memberVerdicts(db, task),
  ]);
  return { required, ...approvalState(verdicts, task.createdBy, task.revision) };
}

/** Throws APPROVAL_REQUIRED when the workspace requires an approval and the task does not have one. */
export async function ensureApproved(db: Db, task: GatedTask): Promise<void> {
  const state = await taskApproval(db, task);
  if (!state.required || state.approved) return;
  throw new AppError('APPROVAL_REQUIRED', state.reason ?? 'This task needs an approval first.', {
    details: { approvedBy: state.approvedBy, changesRequestedBy: state.changesRequestedBy },
  });
}
