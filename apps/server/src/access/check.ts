// The one place that decides who may do what, used by every transport (tRPC over HTTP and WebSocket, plain HTTP
// routes, the Yjs endpoint, live subscriptions). Every call reads the user's current state from the database: a
// signed-out session, a disabled account, a revoked admin flag, a changed role or an archived workspace takes
// effect on the next call, whichever connection it arrives on.
import { AppError, idSchema, memberRoles, roleAtLeast, type MemberRole } from '@tandem/core';
import { getTableName } from 'drizzle-orm';
import type { Session, User } from 'lucia';
import type { AppDeps } from '../deps.ts';
import { int8Of, textOf } from '../db/prepared.ts';
import { members, workspaces } from '../db/schema.ts';
import { getTask, type TaskRow } from '../tasks/service.ts';
import { getCheckRun, type CheckRunRow } from '../checks/runs.ts';

export type Identity = { user: User; session: Session } | { user: null; session: null };

const anonymous: Identity = { user: null, session: null };

/**
 * The user behind a session id, as the database has them now (lucia reads session and user in one statement; a
 * disabled user has no valid session). `fresh` sessions were extended and want a new cookie.
 */
export async function identify(deps: Pick<AppDeps, 'auth'>, sessionId: string | null): Promise<Identity> {
  if (!sessionId) return anonymous;
  const result = await deps.auth.validateSession(sessionId);
  return result.user ? result : anonymous;
}

/** The signed-in user, or UNAUTHENTICATED. */
export function requireUser(identity: { user: User | null; session: Session | null }): {
  user: User;
  session: Session;
} {
  const { user, session } = identity;
  if (!user || !session) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return { user, session };
}

export function requireAdmin(user: User): void {
  if (!user.isAdmin) throw new AppError('FORBIDDEN', 'Only instance administrators can do this.');
}

export interface Membership {
  role: MemberRole;
  archived: boolean;
  /** The member's place in the workspace's join order (0 for the first), which picks their presence colour. */
  seat: number;
}

// Asked on every authorized request and sync connection: a prepared statement (see db/prepared.ts).
const membershipSql = `
  select m.role::text, case when w.archived_at is null then 'f' else 't' end,
    (select count(*) from ${getTableName(members)} o where o.workspace_id = m.workspace_id
      and (o.created_at < m.created_at or (o.created_at = m.created_at and o.user_id < m.user_id)))
  from ${getTableName(members)} m join ${getTableName(workspaces)} w on w.id = m.workspace_id
  where m.workspace_id = $1::uuid and m.user_id = $2`;

/** The user's role in the workspace and whether it is archived; null for non-members and unknown ids. */
export async function membership(
  deps: Pick<AppDeps, 'database'>,
  workspaceId: string,
  userId: string,
): Promise<Membership | null> {
  if (!idSchema.safeParse(workspaceId).success) return null;
  const select = await deps.database.prepare('tandem_membership', membershipSql);
  const [row] = await select([workspaceId, userId]);
  if (!row) return null;
  const role = memberRoles.find((known) => known === textOf(row[0]));
  return role ? { role, archived: textOf(row[1]) === 't', seat: int8Of(row[2]) } : null;
}

/**
 * What a member may do: at least `minRole`. An archived workspace is read-only: what needs the editor role
 * (files, tasks, document edits) is refused until an owner unarchives it, while owners keep managing it.
 */
export function checkRole(found: Membership | null, minRole: MemberRole): MemberRole {
  if (!found) throw new AppError('NOT_FOUND', 'Workspace not found');
  if (!roleAtLeast(found.role, minRole)) {
    throw new AppError('FORBIDDEN', `This needs the ${minRole} role; you are a ${found.role}.`);
  }
  if (found.archived && minRole === 'editor') {
    throw new AppError(
      'WORKSPACE_ARCHIVED',
      'This workspace is archived and read-only. An owner can unarchive it.',
    );
  }
  return found.role;
}

/** The caller as a member of `workspaceId` with at least `minRole`; non-members get NOT_FOUND so ids cannot be probed. */
export async function requireRole(
  deps: Pick<AppDeps, 'database'>,
  userId: string,
  workspaceId: string,
  minRole: MemberRole,
): Promise<MemberRole> {
  return checkRole(await membership(deps, workspaceId, userId), minRole);
}

/** The caller on one task: a member of its workspace with at least `minRole`. */
export async function requireTaskRole(
  deps: Pick<AppDeps, 'database' | 'db'>,
  userId: string,
  taskId: string,
  minRole: MemberRole,
): Promise<{ task: TaskRow; role: MemberRole }> {
  const task = await getTask(deps, taskId).catch(() => null);
  const found = task ? await membership(deps, task.workspaceId, userId) : null;
  if (!task || !found) throw new AppError('NOT_FOUND', 'Task not found');
  return { task, role: checkRole(found, minRole) };
}

/** The caller on one check run: a member of its workspace with at least `minRole`. */
export async function requireCheckRunRole(
  deps: Pick<AppDeps, 'database' | 'db'>,
  userId: string,
  runId: string,
  minRole: MemberRole,
): Promise<{ run: CheckRunRow; role: MemberRole }> {
  const run = await getCheckRun(deps, runId).catch(() => null);
  const found = run ? await membership(deps, run.workspaceId, userId) : null;
  if (!run || !found) throw new AppError('NOT_FOUND', 'Check run not found');
  return { run, role: checkRole(found, minRole) };
}

/** Whether the member may write the live document: editors and owners of a workspace that is not archived. */
export function writesDocument(found: Membership): boolean {
  return roleAtLeast(found.role, 'editor') && !found.archived;
}
