import { signInInput, signUpInput } from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import type { Session } from 'lucia';
import { signIn, signUp } from '../../services/accounts.ts';
import { writeAudit } from '../../services/audit.ts';
import { auditActor, authedProcedure, publicProcedure, type Context } from '../trpc.ts';

function setSessionCookie(ctx: Context, session: Session | null) {
  const cookie = session
    ? ctx.deps.auth.createSessionCookie(session.id)
    : ctx.deps.auth.createBlankSessionCookie();
  ctx.res?.appendHeader('Set-Cookie', cookie.serialize());
}

export const authRouter = {
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    const { user, session } = await signUp(ctx.deps, input, ctx);
    setSessionCookie(ctx, session);
    return user;
  }),
  signIn: publicProcedure.input(signInInput).mutation(async ({ ctx, input }) => {
    const { user, session } = await signIn(ctx.deps, input, ctx);
    setSessionCookie(ctx, session);
    return user;
  }),
  signOut: authedProcedure.mutation(async ({ ctx }) => {
    await ctx.deps.auth.invalidateSession(ctx.session.id);
    await writeAudit(ctx.deps.db, {
      action: 'auth.sign_out',
      ...auditActor(ctx),
    });
    setSessionCookie(ctx, null);
    return { ok: true };
  }),
  signOutEverywhere: authedProcedure.mutation(async ({ ctx }) => {
    await ctx.deps.auth.invalidateUserSessions(ctx.user.id);
    await ctx.deps.access.publish({ type: 'user-revoked', userId: ctx.user.id });
    await writeAudit(ctx.deps.db, {
      action: 'auth.sign_out_everywhere',
      ...auditActor(ctx),
    });
    setSessionCookie(ctx, null);
    return { ok: true };
  }),
  me: publicProcedure.query(({ ctx }) =>
    ctx.user
      ? { id: ctx.user.id, email: ctx.user.email, name: ctx.user.name, isAdmin: ctx.user.isAdmin }
      : null,
  ),
} satisfies TRPCRouterRecord;
