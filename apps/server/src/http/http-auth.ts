// The session cookie on plain HTTP: reading it (and refreshing or clearing it), and the checks of access/check.ts
// for plain HTTP routes (archive download and upload).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MemberRole } from '@tandem/core';
import type { Session, User } from 'lucia';
import { identify, requireRole, requireUser, type Identity } from '../access/check.ts';
import type { AppDeps } from '../deps.ts';

export interface HttpSession {
  user: User;
  session: Session;
}

export interface HttpMember extends HttpSession {
  workspaceId: string;
  role: MemberRole;
}

export function sessionIdOf(deps: Pick<AppDeps, 'auth'>, req: IncomingMessage): string | null {
  return deps.auth.readSessionCookie(req.headers.cookie ?? '');
}

/**
 * The user behind the request's cookie, or nulls. With `res`, the cookie is refreshed when lucia extended the
 * session and cleared when it is dead.
 */
export async function readSession(
  deps: Pick<AppDeps, 'auth'>,
  req: IncomingMessage,
  res: ServerResponse | undefined,
): Promise<Identity> {
  const sessionId = sessionIdOf(deps, req);
  const identity = await identify(deps, sessionId);
  if (identity.session?.fresh)
    res?.appendHeader('Set-Cookie', deps.auth.createSessionCookie(identity.session.id).serialize());
  if (sessionId && !identity.session)
    res?.appendHeader('Set-Cookie', deps.auth.createBlankSessionCookie().serialize());
  return identity;
}

/** The signed-in user; UNAUTHENTICATED without a live session. */
export async function authenticate(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<HttpSession> {
  return requireUser(await readSession(deps, req, res));
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
  const role = await requireRole(deps, auth.user.id, workspaceId, minRole);
  return { ...auth, workspaceId, role };
}
