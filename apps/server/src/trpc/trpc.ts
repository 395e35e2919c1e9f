// tRPC context, initialization and the procedure builders that enforce access in one place.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, checkRunRef, taskRef, workspaceRef, type ErrorCode, type MemberRole } from '@tandem/core';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Session, User } from 'lucia';
import superjson from 'superjson';
import type { WebSocket } from 'ws';
import {
  identify,
  requireAdmin,
  requireCheckRunRole,
  requireRole,
  requireTaskRole,
  requireUser,
} from '../access/check.ts';
import { guardedSubscription } from '../access/subscription.ts';
import type { AppDeps } from '../deps.ts';
import { readSession, sessionIdOf } from '../http/http-auth.ts';
import { checkOrigin } from '../http/origin.ts';
import { classifyError, toTrpcError } from './errors.ts';
import { sharedOutput } from './shared-output.ts';

export interface Context {
  deps: AppDeps;
  req: IncomingMessage;
  /** Present for HTTP requests (cookies can be set); absent on the WebSocket transport. */
  res: ServerResponse | undefined;
  requestId: string;
  ip: string;
  /** The session cookie's id: on a WebSocket, whose context lives as long as the socket, it is checked per call. */
  sessionId: string | null;
  /** Who is calling, as the database says at this call (see `current` below). */
  user: User | null;
  session: Session | null;
  /** Open subscriptions on this connection (a WebSocket, or one HTTP request). */
  connection: { subscriptions: number };
  transport: 'http' | 'ws';
}

interface RequestMeta {
  req: IncomingMessage;
  requestId: string;
  ip: string;
}

/** One HTTP request: the session is read once (and its cookie refreshed or cleared) for the calls it carries. */
export async function createContext(
  deps: AppDeps,
  opts: RequestMeta & { res: ServerResponse },
): Promise<Context> {
  const { user, session } = await readSession(deps, opts.req, opts.res);
  return {
    deps,
    ...opts,
    sessionId: session?.id ?? null,
    user,
    session,
    connection: { subscriptions: 0 },
    transport: 'http',
  };
}

/**
 * One WebSocket for as long as it is open. Each call on it asks for the user's current state again; the socket is
 * registered with LiveAccess so that signing out, being disabled or signed out everywhere closes it at once (4401).
 */
export async function createSocketContext(
  deps: AppDeps,
  opts: RequestMeta & { ws: WebSocket | undefined },
): Promise<Context> {
  const sessionId = sessionIdOf(deps, opts.req);
  const { user, session } = await identify(deps, sessionId);
  const { ws } = opts;
  if (user && ws && ws.readyState <= 1) {
    const close = () => ws.close(4401, 'signed out');
    const remove = deps.live.add({
      sessionId: session.id,
      userId: user.id,
      recheck: async () => {
        if (!(await identify(deps, session.id)).user) close();
      },
    });
    ws.once('close', remove);
  }
  return {
    deps,
    req: opts.req,
    res: undefined,
    requestId: opts.requestId,
    ip: opts.ip,
    sessionId,
    user,
    session,
    connection: { subscriptions: 0 },
    transport: 'ws',
  };
}

/** Who may call a procedure; set by the procedure builder that checks it, so the reference cannot disagree. */
export type ProcedureAccess =
  | { kind: 'public' }
  | { kind: 'signed-in' }
  | { kind: 'admin' }
  /** A member of the workspace named by the input's `workspaceId` (or the task's, for `taskId`), with at least `role`. */
  | { kind: 'member'; role: MemberRole; via: 'workspaceId' | 'taskId' | 'runId' };

/**
 * What the API reference (docs/scripts) says about each procedure. `description` and `example` are given per
 * procedure (a test fails without them); `access` comes from the builder.
 */
export interface ProcedureMeta {
  access?: ProcedureAccess;
  /** One or two sentences: what it does and what it returns. */
  description?: string;
  /** An input that passes the procedure's schema (checked by a test); ids are placeholders. */
  example?: { input?: unknown };
  /** Domain error codes this procedure raises itself, beyond those of its builder and input parsing. */
  errors?: readonly ErrorCode[];
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // superjson both ways; results shared by many subscribers are serialized once (see shared-output.ts).
    transformer: { input: superjson, output: sharedOutput },
    errorFormatter({ shape, error, ctx }) {
      const c = classifyError(error);
      return {
        code: shape.code,
        message: c.internal ? 'Internal server error' : c.message,
        data: {
          code: c.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          requestId: ctx?.requestId,
          retryAfter: c.retryAfter,
          issues: c.issues,
          details: c.details,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const timing = t.middleware(async ({ ctx, path, type, next }) => {
  const end = ctx.deps.metrics.trpcDuration.startTimer({ path, type });
  const result = await next();
  end({ ok: String(result.ok) });
  return result;
});

/** Turns AppErrors thrown anywhere below into TRPCErrors with the mapped code (the AppError stays the cause). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const mapped = toTrpcError(result.error.cause);
    return { ...result, error: mapped };
  }
  return result;
});

/** Cookie auth needs a CSRF defence: mutations from another origin are refused before anything runs. */
const sameOrigin = t.middleware(async ({ ctx, type, next }) => {
  if (type === 'mutation') checkOrigin(ctx.req, ctx.deps.config.publicUrl);
  return next();
});

/** Every call on a WebSocket sees the user as they are now, not as they were when the socket opened. */
const current = t.middleware(async ({ ctx, next }) => {
  if (ctx.transport === 'http') return next();
  const { user, session } = await identify(ctx.deps, ctx.sessionId);
  return next({ ctx: { ...ctx, user, session } });
});

export const publicProcedure = t.procedure
  .meta({ access: { kind: 'public' } })
  .use(timing)
  .use(domainErrors)
  .use(sameOrigin)
  .use(current);

export const authedProcedure = publicProcedure
  .meta({ access: { kind: 'signed-in' } })
  .use(async ({ ctx, type, next }) => {
    const { user, session } = requireUser(ctx);
    if (type === 'mutation') await ctx.deps.limits.consume('mutationsPerUser', user.id);
    return next({ ctx: { ...ctx, user, session } });
  });

export const adminProcedure = authedProcedure.meta({ access: { kind: 'admin' } }).use(({ ctx, next }) => {
  requireAdmin(ctx.user);
  return next();
});

/**
 * A procedure on one workspace: the input carries `workspaceId`, and the caller must be a member with at least
 * `minRole` (access/check.ts: non-members get NOT_FOUND, an archived workspace refuses what needs an editor).
 */
export function memberProcedure(minRole: MemberRole) {
  return authedProcedure
    .meta({ access: { kind: 'member', role: minRole, via: 'workspaceId' } })
    .input(workspaceRef)
    .use(async ({ ctx, input, next }) => {
      const role = await requireRole(ctx.deps, ctx.user.id, input.workspaceId, minRole);
      return next({ ctx: { ...ctx, role, minRole } });
    });
}

/**
 * A procedure on one task: the input carries `taskId`; the caller must be a member of the task's workspace with
 * at least `minRole`. The task row rides along in the context.
 */
export function taskProcedure(minRole: MemberRole) {
  return authedProcedure
    .meta({ access: { kind: 'member', role: minRole, via: 'taskId' } })
    .input(taskRef)
    .use(async ({ ctx, input, next }) => {
      const { task, role } = await requireTaskRole(ctx.deps, ctx.user.id, input.taskId, minRole);
      return next({ ctx: { ...ctx, role, task, minRole } });
    });
}

/**
 * A procedure on one human-started check run: the input carries `runId`; the caller must be a member of the run's
 * workspace with at least `minRole`. The run row rides along in the context.
 */
export function checkRunProcedure(minRole: MemberRole) {
  return authedProcedure
    .meta({ access: { kind: 'member', role: minRole, via: 'runId' } })
    .input(checkRunRef)
    .use(async ({ ctx, input, next }) => {
      const { run, role } = await requireCheckRunRole(ctx.deps, ctx.user.id, input.runId, minRole);
      return next({ ctx: { ...ctx, role, run, minRole } });
    });
}

/**
 * The body of a subscription on one workspace, kept to the access its procedure checked: it ends with that
 * check's typed error the moment the caller loses access (see access/subscription.ts).
 */
export function liveSubscription<T>(
  ctx: Context & { user: User; session: Session; minRole: MemberRole },
  workspaceId: string,
  signal: AbortSignal | undefined,
  source: (signal: AbortSignal) => AsyncIterable<T>,
): AsyncGenerator<T> {
  return guardedSubscription(
    ctx.deps,
    { sessionId: ctx.session.id, userId: ctx.user.id, connection: ctx.connection },
    { workspaceId, minRole: ctx.minRole },
    signal,
    source,
  );
}

/** The body of an admin subscription: it ends with FORBIDDEN the moment the caller's admin flag is revoked. */
export function adminSubscription<T>(
  ctx: Context & { user: User; session: Session },
  signal: AbortSignal | undefined,
  source: (signal: AbortSignal) => AsyncIterable<T>,
): AsyncGenerator<T> {
  return guardedSubscription(
    ctx.deps,
    { sessionId: ctx.session.id, userId: ctx.user.id, connection: ctx.connection },
    { admin: true },
    signal,
    source,
  );
}

/** Who did it, from where, in which request: the fields every audit entry written by a procedure carries. */
export function auditActor(ctx: Context & { user: { id: string } }) {
  return { actorId: ctx.user.id, ip: ctx.ip, requestId: ctx.requestId };
}

export { TRPCError };
