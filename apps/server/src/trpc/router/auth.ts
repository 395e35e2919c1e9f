import { signInInput, signUpInput } from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import type { Session } from 'lucia';
import { instanceStatus, signIn, signOut, signOutEverywhere, signUp } from '../../services/accounts.ts';
import { authedProcedure, publicProcedure, type Context } from '../trpc.ts';

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
    await signOut(ctx.deps, ctx.session, ctx);
    setSessionCookie(ctx, null);
    return { ok: true };
  }),
  signOutEverywhere: authedProcedure.mutation(async ({ ctx }) => {
    await signOutEverywhere(ctx.deps, ctx.user.id, ctx);
    setSessionCookie(ctx, null);
    return { ok: true };
  }),
  instance: publicProcedure.query(({ ctx }) => instanceStatus(ctx.deps.db)),
  me: publicProcedure.query(({ ctx }) =>
    ctx.user
      ? { id: ctx.user.id, email: ctx.user.email, name: ctx.user.name, isAdmin: ctx.user.isAdmin }
      : null,
  ),
} satisfies TRPCRouterRecord;
