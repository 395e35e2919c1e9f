// Every security-relevant action leaves a row here; the admin console reads it.
import { desc, eq, lt, and, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { auditLog } from '../db/schema.ts';

export type AuditAction =
  | 'auth.sign_up'
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.sign_out'
  | 'auth.sign_out_everywhere'
  | 'admin.grant'
  | 'admin.revoke'
  | 'user.disable'
  | 'user.enable'
  | 'workspace.create'
  | 'workspace.rename'
  | 'workspace.archive'
  | 'workspace.unarchive'
  | 'workspace.auto_apply'
  | 'workspace.delete'
  | 'workspace.upload'
  | 'workspace.download'
  | 'invite.create'
  | 'invite.accept'
  | 'invite.revoke'
  | 'member.role_change'
  | 'member.remove'
  | 'member.leave'
  | 'settings.llm'
  | 'settings.cost'
  | 'settings.prices'
  | 'task.accept'
  | 'task.reject'
  | 'task.resolve_conflict'
  | 'task.rollback';

export interface AuditEntry {
  action: AuditAction;
  actorId?: string | null | undefined;
  workspaceId?: string | null | undefined;
  targetId?: string | null | undefined;
  ip?: string | null | undefined;
  requestId?: string | null | undefined;
  meta?: Record<string, unknown>;
}

export async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    action: entry.action,
    actorId: entry.actorId ?? null,
    workspaceId: entry.workspaceId ?? null,
    targetId: entry.targetId ?? null,
    ip: entry.ip ?? null,
    requestId: entry.requestId ?? null,
    meta: entry.meta ?? {},
  });
}

export async function listAudit(
  db: Db,
  options: { limit: number; beforeId?: number | undefined; workspaceId?: string | undefined },
) {
  const where: SQL[] = [];
  if (options.beforeId !== undefined) where.push(lt(auditLog.id, options.beforeId));
  if (options.workspaceId) where.push(eq(auditLog.workspaceId, options.workspaceId));
  return db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(options.limit);
}
