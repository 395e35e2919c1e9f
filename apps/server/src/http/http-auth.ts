// Authentication and workspace access for plain HTTP routes (archive download and upload), with the same rules as
// the tRPC context and `memberProcedure`: the lucia cookie identifies the user, non-members get NOT_FOUND.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, idSchema, roleAtLeast, type MemberRole } from '@tandem/core';
import type { Session, User } from 'lucia';
import type { AppDeps } from '../deps.ts';
import { getRole } from '../services/workspaces.ts';

export interface HttpSession {
  user: User;
  session: Session;
}

export interface HttpMember extends HttpSession {
  workspaceId: string;
  role: MemberRole;
}

/**
 * The lucia session behind the request's cookie, or nulls. With `res`, the cookie is refreshed when lucia extended
 * the session and cleared when it is dead. The tRPC context, plain HTTP routes and the sync endpoint all use this.
 */
export async function readSession(
  deps: Pick<AppDeps, 'auth'>,
  req: IncomingMessage,
  res: ServerResponse | undefined,
): Promise<{ user: User; session: Session } | { user: null; session: null }> {
  const sessionId = deps.auth.readSessionCookie(req.headers.cookie ?? '');
  if (!sessionId) return { user: null, session: null };
  const result = await deps.auth.validateSession(sessionId);
  if (result.session?.fresh)
    res?.appendHeader('Set-Cookie', deps.auth.createSessionCookie(result.session.id).serialize());
  if (!result.session) res?.appendHeader('Set-Cookie', deps.auth.createBlankSessionCookie().serialize());
  return result;
}

/** The signed-in user; UNAUTHENTICATED without a live session. */
export async function authenticate(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<HttpSession> {
  const { user, session } = await readSession(deps, req, res);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return { user, session };
}

/** The caller as a member of `workspaceId` with at least `minRole`. */
export async function requireMember(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  workspaceId: string,
  minRole: MemberRole,
): Promise<HttpMember> {
  const auth = await authenticate(deps, req, res);
  const role = idSchema.safeParse(workspaceId).success
    ? await getRole(deps.database, workspaceId, auth.user.id)
    : null;
  if (!role) throw new AppError('NOT_FOUND', 'Workspace not found');
  if (!roleAtLeast(role, minRole)) {
    throw new AppError('FORBIDDEN', `This needs the ${minRole} role; you are a ${role}.`);
  }
  return { ...auth, workspaceId, role };
}
