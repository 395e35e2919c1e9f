// Every security-relevant action leaves a row here; the admin console reads it.
import { auditActionLabel, auditDetailsText, toCsv, type AuditFilter } from '@tandem/core';
import { and, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import { auditLog, users, workspaces } from '../db/schema.ts';

export type AuditAction =
  | 'auth.sign_up'
  | 'auth.sign_in'
  | 'auth.sign_in_failed'
  | 'auth.sign_out'
  | 'auth.sign_out_everywhere'
  | 'admin.grant'
  | 'admin.revoke'
  | 'user.reset_link'
  | 'user.password_reset'
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
  | 'settings.features'
  | 'settings.limits'
  | 'workspace.features'
  | 'task.accept'
  | 'task.reject'
  | 'task.resolve_conflict'
  | 'task.rollback'
  | 'task.follow_up'
  | 'task.rate'
  | 'git.credential_create'
  | 'git.credential_rotate'
  | 'git.credential_delete'
  | 'git.connect'
  | 'git.host_key_trust'
  | 'git.commit'
  | 'git.push'
  | 'git.pull'
  | 'git.auto_commit'
  | 'git.auto_commit_failed'
  | 'task.accept_flagged'
  | 'check.run'
  | 'review.comment'
  | 'review.reply'
  | 'review.resolve'
  | 'review.reopen'
  | 'review.verdict'
  | 'workspace.require_approval'
  | 'security.acknowledge'
  | 'settings.security_webhook';

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

function auditWhere(filter: AuditFilter & { beforeId?: number | undefined }): SQL | undefined {
  const where: SQL[] = [];
  if (filter.beforeId !== undefined) where.push(lt(auditLog.id, filter.beforeId));
  if (filter.workspaceId) where.push(eq(auditLog.workspaceId, filter.workspaceId));
  if (filter.actorId) where.push(eq(auditLog.actorId, filter.actorId));
  if (filter.action) {
    // `task.` is the family: every action that starts with it (the schema allows no LIKE wildcards in it).
    where.push(
      filter.action.endsWith('.')
        ? like(auditLog.action, `${filter.action}%`)
        : eq(auditLog.action, filter.action),
    );
  }
  if (filter.since) where.push(gte(auditLog.at, filter.since));
  if (filter.until) where.push(lt(auditLog.at, filter.until));
  return where.length ? and(...where) : undefined;
}

const actor = alias(users, 'actor');
const target = alias(users, 'target');

/** Audit entries newest first, with the names of the actor, the target account and the workspace. */
export function listAudit(db: Db, options: AuditFilter & { limit: number; beforeId?: number | undefined }) {
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorId: auditLog.actorId,
      actorName: actor.name,
      actorEmail: actor.email,
      workspaceId: auditLog.workspaceId,
      workspaceName: workspaces.name,
      targetId: auditLog.targetId,
      targetName: target.name,
      ip: auditLog.ip,
      requestId: auditLog.requestId,
      meta: auditLog.meta,
    })
    .from(auditLog)
    .leftJoin(actor, eq(actor.id, auditLog.actorId))
    .leftJoin(target, eq(target.id, auditLog.targetId))
    .leftJoin(workspaces, eq(workspaces.id, auditLog.workspaceId))
    .where(auditWhere(options))
    .orderBy(desc(auditLog.id))
    .limit(options.limit);
}

/** The same entries as CSV, in words, for a spreadsheet or an auditor. */
export async function exportAuditCsv(db: Db, options: AuditFilter & { limit: number }) {
  const rows = await listAudit(db, options);
  const csv = toCsv(
    ['time', 'action', 'what', 'actor', 'actor email', 'workspace', 'target', 'ip', 'details', 'request id'],
    rows.map((row) => [
      row.at.toISOString(),
      row.action,
      auditActionLabel(row.action),
      row.actorName ?? row.actorId ?? '',
      row.actorEmail ?? '',
      row.workspaceName ?? row.workspaceId ?? '',
      row.targetName ?? row.targetId ?? '',
      row.ip ?? '',
      auditDetailsText(row.meta),
      row.requestId ?? '',
    ]),
  );
  return { filename: `tandem-audit-${new Date().toISOString().slice(0, 10)}.csv`, rows: rows.length, csv };
}
