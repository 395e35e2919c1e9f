// tRPC context, initialization and the procedure builders that enforce access in one place.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, roleAtLeast, taskRef, workspaceRef, type MemberRole } from '@tandem/core';
import { initTRPC, TRPCError } from '@trpc/server';
import type { Session, User } from 'lucia';
import superjson from 'superjson';
import type { AppDeps } from '../deps.ts';
import { readSession } from '../http/http-auth.ts';
import { checkOrigin } from '../http/origin.ts';
import { getRole } from '../services/workspaces.ts';
import { getTask } from '../tasks/service.ts';
import { classifyError, toTrpcError } from './errors.ts';
import { sharedOutput } from './shared-output.ts';

export interface Context {
  deps: AppDeps;
  req: IncomingMessage;
  /** Present for HTTP requests (cookies can be set); absent on the WebSocket transport. */
  res: ServerResponse | undefined;
  requestId: string;
  ip: string;
  user: User | null;
  session: Session | null;
}

export async function createContext(
  deps: AppDeps,
  opts: { req: IncomingMessage; res?: ServerResponse | undefined; requestId: string; ip: string },
): Promise<Context> {
  const { user, session } = await readSession(deps, opts.req, opts.res);
  return { deps, req: opts.req, res: opts.res, requestId: opts.requestId, ip: opts.ip, user, session };
}

const t = initTRPC.context<Context>().create({
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

export const publicProcedure = t.procedure.use(timing).use(domainErrors).use(sameOrigin);

export const authedProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  const { user, session } = ctx;
  if (!user || !session) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  if (type === 'mutation') await ctx.deps.limits.consume('mutationsPerUser', user.id);
  return next({ ctx: { ...ctx, user, session } });
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw new AppError('FORBIDDEN', 'Only instance administrators can do this.');
  return next();
});

/**
 * A procedure on one workspace: the input carries `workspaceId`, and the caller must be a member with at least
 * `minRole`. Non-members get NOT_FOUND so workspace ids cannot be probed.
 */
export function memberProcedure(minRole: MemberRole) {
  return authedProcedure.input(workspaceRef).use(async ({ ctx, input, next }) => {
    const role = await getRole(ctx.deps.database, input.workspaceId, ctx.user.id);
    if (!role) throw new AppError('NOT_FOUND', 'Workspace not found');
    if (!roleAtLeast(role, minRole)) {
      throw new AppError('FORBIDDEN', `This needs the ${minRole} role; you are a ${role}.`);
    }
    return next({ ctx: { ...ctx, role } });
  });
}

/**
 * A procedure on one task: the input carries `taskId`; the caller must be a member of the task's workspace with
 * at least `minRole`. The task row rides along in the context.
 */
export function taskProcedure(minRole: MemberRole) {
  return authedProcedure.input(taskRef).use(async ({ ctx, input, next }) => {
    const task = await getTask(ctx.deps, input.taskId).catch(() => null);
    const role = task ? await getRole(ctx.deps.database, task.workspaceId, ctx.user.id) : null;
    if (!task || !role) throw new AppError('NOT_FOUND', 'Task not found');
    if (!roleAtLeast(role, minRole)) {
      throw new AppError('FORBIDDEN', `This needs the ${minRole} role; you are a ${role}.`);
    }
    return next({ ctx: { ...ctx, role, task } });
  });
}

/** Who did it, from where, in which request: the fields every audit entry written by a procedure carries. */
export function auditActor(ctx: Context & { user: { id: string } }) {
  return { actorId: ctx.user.id, ip: ctx.ip, requestId: ctx.requestId };
}

export { TRPCError };
