// Accounts: sign-up, sign-in with constant-cost failure paths, admin flags and disabling, admin-issued password
// reset links.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  AppError,
  type PublicUser,
  type ResetPasswordInput,
  type SignInInput,
  type SignUpInput,
} from '@tandem/core';
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import type { Auth } from '../auth/lucia.ts';
import { dummyHash, hashPassword, verifyPassword } from '../auth/password.ts';
import type { Db } from '../db/client.ts';
import { passwordResets, users } from '../db/schema.ts';
import type { RateLimits } from '../http/rate-limit.ts';
import type { AccessEvents } from '../access/events.ts';
import { rateLimitAddress } from '../http/trust-proxy.ts';
import type { SecurityReporter } from '../security/monitor.ts';
import { writeAudit } from './audit.ts';

export interface RequestMeta {
  ip: string;
  requestId: string;
}

export interface AccountDeps {
  db: Db;
  auth: Auth;
  limits: RateLimits;
  access: AccessEvents;
  security: SecurityReporter;
}

function toPublic(row: typeof users.$inferSelect): PublicUser {
  return { id: row.id, email: row.email, name: row.name, isAdmin: row.isAdmin };
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

export async function signUp(deps: AccountDeps, input: SignUpInput, meta: RequestMeta) {
  await deps.limits.consume('signUpPerIp', rateLimitAddress(meta.ip));
  const passwordHash = await hashPassword(input.password);
  const id = randomUUID();
  let row: typeof users.$inferSelect;
  try {
    row = await deps.db.transaction(async (tx) => {
      // The first account on a fresh instance administers it.
      const [existing] = await tx.select({ n: count() }).from(users);
      const isAdmin = (existing?.n ?? 0) === 0;
      const [inserted] = await tx
        .insert(users)
        .values({ id, email: input.email, name: input.name, passwordHash, isAdmin })
        .returning();
      if (!inserted) throw new AppError('INTERNAL', 'User insert returned nothing');
      return inserted;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('EMAIL_TAKEN', 'An account with this email already exists. Sign in instead.');
    }
    throw error;
  }
  await writeAudit(deps.db, { action: 'auth.sign_up', actorId: id, targetId: id, ...meta });
  const session = await deps.auth.createSession(id, {});
  return { user: toPublic(row), session };
}

/** Whether the instance has no account yet, so the first visitor is offered to create the admin account. */
export async function instanceStatus(db: Db): Promise<{ needsAdmin: boolean }> {
  const [row] = await db.select({ id: users.id }).from(users).limit(1);
  return { needsAdmin: row === undefined };
}

export async function signIn(deps: AccountDeps, input: SignInInput, meta: RequestMeta) {
  const address = rateLimitAddress(meta.ip);
  await deps.limits.consume('signInPerIp', address);
  const accountIp = `${input.email}|${address}`;
  await deps.limits.check('signInFailuresPerAccountIp', accountIp);
  await deps.limits.check('signInFailuresPerAccount', input.email);
  const [row] = await deps.db.select().from(users).where(eq(users.email, input.email)).limit(1);
  // Unknown email and wrong password take the same time and give the same answer.
  const ok = row
    ? await verifyPassword(row.passwordHash, input.password)
    : (await verifyPassword(await dummyHash(), input.password), false);
  if (!row || !ok) {
    deps.security.report({ type: 'sign_in_failed', ip: address, email: input.email });
    await deps.limits.consume('signInFailuresPerAccountIp', accountIp).catch(() => undefined);
    await deps.limits.consume('signInFailuresPerAccount', input.email).catch(() => undefined);
    await writeAudit(deps.db, {
      action: 'auth.sign_in_failed',
      actorId: row?.id,
      meta: { email: input.email },
      ...meta,
    });
    throw new AppError('INVALID_CREDENTIALS', 'Wrong email or password.');
  }
  if (row.disabledAt) {
    deps.security.report({ type: 'disabled_sign_in', email: row.email, userId: row.id, ip: meta.ip });
    throw new AppError('ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator.');
  }
  // Only this address's count is forgiven: a guesser elsewhere keeps the lock they earned.
  await deps.limits.reset('signInFailuresPerAccountIp', accountIp);
  const session = await deps.auth.createSession(row.id, {});
  await writeAudit(deps.db, { action: 'auth.sign_in', actorId: row.id, ...meta });
  return { user: toPublic(row), session };
}

/**
 * Grants or revokes instance admin. With `access`, a revoked admin's open admin subscriptions end at once; with
 * `security`, the change raises an alert (the CLI, which runs beside the server, passes neither).
 */
export async function setAdmin(
  deps: { db: Db; access?: AccessEvents; security?: SecurityReporter },
  target: { email: string } | { id: string },
  isAdmin: boolean,
  actorId: string | null,
) {
  const { db } = deps;
  const where =
    'email' in target ? eq(users.email, target.email.trim().toLowerCase()) : eq(users.id, target.id);
  const [row] = await db.update(users).set({ isAdmin }).where(where).returning();
  if (!row)
    throw new AppError(
      'NOT_FOUND',
      'email' in target ? `No account with email ${target.email}` : 'No such user',
    );
  await writeAudit(db, { action: isAdmin ? 'admin.grant' : 'admin.revoke', actorId, targetId: row.id });
  deps.security?.report({ type: 'admin_change', userId: row.id, granted: isAdmin, actorId });
  if (!isAdmin) await deps.access?.userChanged(row.id);
  return toPublic(row);
}

export async function setDisabled(deps: AccountDeps, userId: string, disabled: boolean, actorId: string) {
  if (disabled && userId === actorId) throw new AppError('FORBIDDEN', 'You cannot disable your own account.');
  const [row] = await deps.db
    .update(users)
    .set({ disabledAt: disabled ? new Date() : null })
    .where(eq(users.id, userId))
    .returning();
  if (!row) throw new AppError('NOT_FOUND', 'No such user');
  if (disabled) {
    await deps.auth.invalidateUserSessions(userId);
  }
  await writeAudit(deps.db, { action: disabled ? 'user.disable' : 'user.enable', actorId, targetId: userId });
  if (disabled) await deps.access.userChanged(userId);
  return toPublic(row);
}

/** Ends one session; its open connections (tRPC sockets, live documents, subscriptions) close at once. */
export async function signOut(deps: AccountDeps, session: { id: string; userId: string }, meta: RequestMeta) {
  await deps.auth.invalidateSession(session.id);
  await writeAudit(deps.db, { action: 'auth.sign_out', actorId: session.userId, ...meta });
  await deps.access.sessionEnded(session.id, session.userId);
}

/** Ends every session of the user, with their open connections. */
export async function signOutEverywhere(deps: AccountDeps, userId: string, meta: RequestMeta) {
  await deps.auth.invalidateUserSessions(userId);
  await writeAudit(deps.db, { action: 'auth.sign_out_everywhere', actorId: userId, ...meta });
  await deps.access.userChanged(userId);
}

export async function listUsers(db: Db) {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      isAdmin: users.isAdmin,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
    })
    .from(users)
    .orderBy(users.createdAt);
}

const hashResetToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * A one-time link that lets the account set a new password, for an admin to hand over (no e-mail needed). A newer
 * link replaces the account's earlier unused ones.
 */
export async function createResetLink(
  db: Db,
  input: { userId: string; expiresInHours: number },
  actor: RequestMeta & { userId: string },
  origin: string,
) {
  const [target] = await db.select().from(users).where(eq(users.id, input.userId)).limit(1);
  if (!target) throw new AppError('NOT_FOUND', 'No such user');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + input.expiresInHours * 3_600_000);
  await db.transaction(async (tx) => {
    await tx
      .update(passwordResets)
      .set({ usedAt: new Date() })
      .where(and(eq(passwordResets.userId, target.id), isNull(passwordResets.usedAt)));
    await tx
      .insert(passwordResets)
      .values({ tokenHash: hashResetToken(token), userId: target.id, createdBy: actor.userId, expiresAt });
  });
  await writeAudit(db, {
    action: 'user.reset_link',
    actorId: actor.userId,
    targetId: target.id,
    ip: actor.ip,
    requestId: actor.requestId,
    meta: { expiresAt: expiresAt.toISOString() },
  });
  return { url: `${origin}/reset/${token}`, token, expiresAt, user: toPublic(target) };
}

const invalidLink = () =>
  new AppError(
    'RESET_LINK_INVALID',
    'This reset link is unknown, expired, already used or replaced by a newer one. Ask an admin for a new one.',
  );

async function openResetLink(db: Db, token: string) {
  const [row] = await db
    .select({ reset: passwordResets, user: users })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(eq(passwordResets.tokenHash, hashResetToken(token)))
    .limit(1);
  if (!row || row.reset.usedAt !== null || row.reset.expiresAt.getTime() <= Date.now()) throw invalidLink();
  if (row.user.disabledAt) {
    throw new AppError('ACCOUNT_DISABLED', 'This account is disabled. Ask an administrator.');
  }
  return row;
}

/** Whose password a reset link sets, for the page that asks for the new one. */
export async function describeResetLink(deps: AccountDeps, token: string, meta: RequestMeta) {
  await deps.limits.consume('signInPerIp', rateLimitAddress(meta.ip));
  const { user, reset } = await openResetLink(deps.db, token);
  return { name: user.name, email: user.email, expiresAt: reset.expiresAt };
}

/**
 * Sets the new password, spends the link (once, even when two requests race), ends every session the account
 * had with their connections, and signs this browser in.
 */
export async function resetPassword(deps: AccountDeps, input: ResetPasswordInput, meta: RequestMeta) {
  await deps.limits.consume('signInPerIp', rateLimitAddress(meta.ip));
  const { user } = await openResetLink(deps.db, input.token);
  const passwordHash = await hashPassword(input.password);
  const spent = await deps.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(passwordResets)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(passwordResets.tokenHash, hashResetToken(input.token)),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, new Date()),
        ),
      )
      .returning();
    if (!claimed) return false;
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    return true;
  });
  if (!spent) throw invalidLink();
  await deps.auth.invalidateUserSessions(user.id);
  await writeAudit(deps.db, { action: 'user.password_reset', actorId: user.id, targetId: user.id, ...meta });
  await deps.access.userChanged(user.id);
  const session = await deps.auth.createSession(user.id, {});
  return { user: toPublic(user), session };
}
