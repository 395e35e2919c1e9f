// Workspaces, membership and invites. Access checks happen in the procedure builders; these functions enforce
// the invariants that hold whoever calls them (a workspace always keeps an owner, invites are single-use).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError, assertKeepsAnOwner, roleAtLeast, type MemberRole } from '@tandem/core';
import { and, asc, count, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import type { Db } from '../db/client.ts';
import { docSnapshots, docUpdates, invites, members, tasks, users, workspaces } from '../db/schema.ts';
import { writeAudit } from './audit.ts';

export interface Actor {
  userId: string;
  ip: string;
  requestId: string;
}

/** What a change that live connections must follow needs: the database and the access events. */
export type WorkspaceDeps = Pick<AppDeps, 'db' | 'access'>;

const audit = (db: Db, actor: Actor, entry: Omit<Parameters<typeof writeAudit>[1], 'actorId'>) =>
  writeAudit(db, { actorId: actor.userId, ip: actor.ip, requestId: actor.requestId, ...entry });

export async function createWorkspace(db: Db, actor: Actor, name: string, template?: string) {
  const id = randomUUID();
  const row = await db.transaction(async (tx) => {
    const [ws] = await tx.insert(workspaces).values({ id, name, createdBy: actor.userId }).returning();
    await tx.insert(members).values({ workspaceId: id, userId: actor.userId, role: 'owner' });
    return ws;
  });
  if (!row) throw new AppError('INTERNAL', 'Workspace insert returned nothing');
  await audit(db, actor, {
    action: 'workspace.create',
    workspaceId: id,
    meta: template === undefined ? { name } : { name, template },
  });
  return { ...row, role: 'owner' as MemberRole };
}

// The latest of: a change to the workspace itself, an edit to its files (logged, or already folded into the
// snapshot), a task. GREATEST skips the NULLs of workspaces with no edits or tasks yet.
const lastActivity = sql<Date>`greatest(
    ${workspaces.updatedAt},
    (select max(${docUpdates.createdAt}) from ${docUpdates} where ${docUpdates.workspaceId} = ${workspaces.id}),
    (select ${docSnapshots.updatedAt} from ${docSnapshots} where ${docSnapshots.workspaceId} = ${workspaces.id}),
    (select max(${tasks.createdAt}) from ${tasks} where ${tasks.workspaceId} = ${workspaces.id})
  )`.mapWith((value: string | Date) => new Date(value));

export async function listWorkspaces(db: Db, userId: string, includeArchived: boolean) {
  const memberCount = db
    .select({ workspaceId: members.workspaceId, n: count().as('n') })
    .from(members)
    .groupBy(members.workspaceId)
    .as('member_count');
  return db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      role: members.role,
      createdAt: workspaces.createdAt,
      updatedAt: workspaces.updatedAt,
      archivedAt: workspaces.archivedAt,
      memberCount: sql<number>`${memberCount.n}::int`,
      lastActivityAt: lastActivity,
    })
    .from(members)
    .innerJoin(workspaces, eq(workspaces.id, members.workspaceId))
    .innerJoin(memberCount, eq(memberCount.workspaceId, workspaces.id))
    .where(and(eq(members.userId, userId), includeArchived ? undefined : isNull(workspaces.archivedAt)))
    .orderBy(desc(lastActivity));
}

export async function getWorkspace(db: Db, workspaceId: string) {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1);
  if (!row) throw new AppError('NOT_FOUND', 'Workspace not found');
  return row;
}

export async function renameWorkspace(db: Db, actor: Actor, workspaceId: string, name: string) {
  const [row] = await db
    .update(workspaces)
    .set({ name, updatedAt: new Date() })
    .where(eq(workspaces.id, workspaceId))
    .returning();
  if (!row) throw new AppError('NOT_FOUND', 'Workspace not found');
  await audit(db, actor, { action: 'workspace.rename', workspaceId, meta: { name } });
  return row;
}

/** Archived workspaces are read-only (access/check.ts); open connections turn read-only (or writable) at once. */
export async function archiveWorkspace(
  deps: WorkspaceDeps,
  actor: Actor,
  workspaceId: string,
  archived: boolean,
) {
  const [row] = await deps.db
    .update(workspaces)
    .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
    .where(eq(workspaces.id, workspaceId))
    .returning();
  if (!row) throw new AppError('NOT_FOUND', 'Workspace not found');
  await audit(deps.db, actor, {
    action: archived ? 'workspace.archive' : 'workspace.unarchive',
    workspaceId,
  });
  await deps.access.workspaceChanged(workspaceId);
  return row;
}

export async function deleteWorkspace(deps: WorkspaceDeps, actor: Actor, workspaceId: string) {
  const deleted = await deps.db
    .delete(workspaces)
    .where(eq(workspaces.id, workspaceId))
    .returning({ id: workspaces.id });
  if (deleted.length === 0) throw new AppError('NOT_FOUND', 'Workspace not found');
  await audit(deps.db, actor, { action: 'workspace.delete', workspaceId });
  await deps.access.workspaceChanged(workspaceId, true);
}

// ---- members ----

/** Members with their roles; e-mail addresses only for those who manage membership (owners and admins). */
export async function listMembers(
  db: Db,
  workspaceId: string,
  viewer: { role: MemberRole; isAdmin: boolean },
) {
  const rows = await db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: members.role,
      joinedAt: members.createdAt,
    })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.workspaceId, workspaceId))
    .orderBy(asc(members.createdAt));
  const showEmails = viewer.role === 'owner' || viewer.isAdmin;
  return rows.map((row) => ({ ...row, email: showEmails ? row.email : null }));
}

/**
 * Changes or removes a membership inside one transaction that locks the workspace's member rows, so two owners
 * demoting each other at once cannot leave the workspace without an owner.
 */
async function changeMembership(db: Db, workspaceId: string, userId: string, to: MemberRole | null) {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ userId: members.userId, role: members.role })
      .from(members)
      .where(eq(members.workspaceId, workspaceId))
      .for('update');
    const target = rows.find((r) => r.userId === userId);
    if (!target) throw new AppError('NOT_FOUND', 'That user is not a member of this workspace');
    const owners = rows.filter((r) => r.role === 'owner').length;
    assertKeepsAnOwner({ from: target.role, to, owners });
    if (to === null) {
      await tx.delete(members).where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
    } else {
      await tx
        .update(members)
        .set({ role: to })
        .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
    }
    return target.role;
  });
}

export async function setMemberRole(
  deps: WorkspaceDeps & Pick<AppDeps, 'security'>,
  actor: Actor,
  workspaceId: string,
  userId: string,
  role: MemberRole,
) {
  const from = await changeMembership(deps.db, workspaceId, userId, role);
  await audit(deps.db, actor, {
    action: 'member.role_change',
    workspaceId,
    targetId: userId,
    meta: { from, to: role },
  });
  deps.security.report({ type: 'role_change', workspaceId, userId, from, to: role, actorId: actor.userId });
  await deps.access.memberChanged(workspaceId, userId, role);
  return { userId, role };
}

/** Removes a member (or the caller leaves); their open connections and subscriptions end at once. */
export async function removeMember(deps: WorkspaceDeps, actor: Actor, workspaceId: string, userId: string) {
  const from = await changeMembership(deps.db, workspaceId, userId, null);
  const action = userId === actor.userId ? 'member.leave' : 'member.remove';
  await audit(deps.db, actor, { action, workspaceId, targetId: userId, meta: { role: from } });
  await deps.access.memberChanged(workspaceId, userId, null);
}

// ---- invites ----

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createInvite(
  db: Db,
  actor: Actor,
  input: { workspaceId: string; role: MemberRole; expiresInHours: number },
  origin: string,
) {
  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + input.expiresInHours * 3_600_000);
  await db.insert(invites).values({
    id,
    workspaceId: input.workspaceId,
    tokenHash: hashToken(token),
    role: input.role,
    createdBy: actor.userId,
    expiresAt,
  });
  await audit(db, actor, {
    action: 'invite.create',
    workspaceId: input.workspaceId,
    targetId: id,
    meta: { role: input.role, expiresAt: expiresAt.toISOString() },
  });
  return { inviteId: id, token, url: `${origin}/invite/${token}`, role: input.role, expiresAt };
}

export async function listInvites(db: Db, workspaceId: string) {
  return db
    .select({
      id: invites.id,
      role: invites.role,
      createdBy: invites.createdBy,
      createdAt: invites.createdAt,
      expiresAt: invites.expiresAt,
    })
    .from(invites)
    .where(
      and(
        eq(invites.workspaceId, workspaceId),
        isNull(invites.usedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(invites.createdAt));
}

/**
 * What an invite link leads to, for the page its holder lands on before signing in: the workspace's name, the
 * role it grants and who made it. Only a holder of the token can ask, and a used, revoked or expired link
 * says so with the same error accepting it would give.
 */
export async function previewInvite(db: Db, token: string) {
  const [row] = await db
    .select({
      workspaceName: workspaces.name,
      role: invites.role,
      invitedBy: users.name,
      expiresAt: invites.expiresAt,
    })
    .from(invites)
    .innerJoin(workspaces, eq(workspaces.id, invites.workspaceId))
    .leftJoin(users, eq(users.id, invites.createdBy))
    .where(
      and(
        eq(invites.tokenHash, hashToken(token)),
        isNull(invites.usedAt),
        isNull(invites.revokedAt),
        gt(invites.expiresAt, new Date()),
      ),
    );
  if (!row)
    throw new AppError('INVITE_INVALID', 'This invite link is invalid, expired, revoked or already used.');
  return row;
}

export async function revokeInvite(db: Db, actor: Actor, workspaceId: string, inviteId: string) {
  const rows = await db
    .update(invites)
    .set({ revokedAt: new Date() })
    .where(and(eq(invites.id, inviteId), eq(invites.workspaceId, workspaceId), isNull(invites.revokedAt)))
    .returning({ id: invites.id });
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'No such invite');
  await audit(db, actor, { action: 'invite.revoke', workspaceId, targetId: inviteId });
}

export async function acceptInvite(deps: WorkspaceDeps, actor: Actor, token: string) {
  const now = new Date();
  const result = await deps.db.transaction(async (tx) => {
    // Claiming the invite and adding the member commit together: a reused token finds nothing to claim.
    const [invite] = await tx
      .update(invites)
      .set({ usedAt: now, usedBy: actor.userId })
      .where(
        and(
          eq(invites.tokenHash, hashToken(token)),
          isNull(invites.usedAt),
          isNull(invites.revokedAt),
          gt(invites.expiresAt, now),
        ),
      )
      .returning();
    if (!invite) {
      throw new AppError('INVITE_INVALID', 'This invite link is invalid, expired, revoked or already used.');
    }
    const [existing] = await tx
      .select({ role: members.role })
      .from(members)
      .where(and(eq(members.workspaceId, invite.workspaceId), eq(members.userId, actor.userId)))
      .for('update');
    // An invite never demotes an existing member.
    let role = invite.role;
    if (existing) {
      if (roleAtLeast(existing.role, invite.role)) role = existing.role;
      else
        await tx
          .update(members)
          .set({ role })
          .where(and(eq(members.workspaceId, invite.workspaceId), eq(members.userId, actor.userId)));
    } else {
      await tx.insert(members).values({ workspaceId: invite.workspaceId, userId: actor.userId, role });
    }
    return { workspaceId: invite.workspaceId, inviteId: invite.id, role };
  });
  await audit(deps.db, actor, {
    action: 'invite.accept',
    workspaceId: result.workspaceId,
    targetId: result.inviteId,
    meta: { role: result.role },
  });
  // A member who was promoted by the invite may write on the connections they already have open.
  await deps.access.memberChanged(result.workspaceId, actor.userId, result.role);
  return { workspaceId: result.workspaceId, role: result.role };
}
