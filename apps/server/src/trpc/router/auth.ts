import { resetLinkInput, resetPasswordInput, signInInput, signUpInput } from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import type { Session } from 'lucia';
import {
  describeResetLink,
  instanceStatus,
  resetPassword,
  signIn,
  signOut,
  signOutEverywhere,
  signUp,
} from '../../services/accounts.ts';
import { authedProcedure, publicProcedure, type Context } from '../trpc.ts';

function setSessionCookie(ctx: Context, session: Session | null) {
  const cookie = session
    ? ctx.deps.auth.createSessionCookie(session.id)
    : ctx.deps.auth.createBlankSessionCookie();
  ctx.res?.appendHeader('Set-Cookie', cookie.serialize());
}

export const authRouter = {
  signUp: publicProcedure
    .meta({
      description:
        'Creates an account and signs it in (sets the session cookie). The first account of an instance becomes its admin. Returns the user.',
      example: { input: { email: 'ada@example.com', password: 'correct horse battery', name: 'Ada' } },
      errors: ['EMAIL_TAKEN', 'RATE_LIMITED'],
    })
    .input(signUpInput)
    .mutation(async ({ ctx, input }) => {
      const { user, session } = await signUp(ctx.deps, input, ctx);
      setSessionCookie(ctx, session);
      return user;
    }),
  signIn: publicProcedure
    .meta({
      description:
        'Signs in with email and password and sets the session cookie (`tandem_session`, HttpOnly, SameSite=Lax, 30 days). Returns the user.',
      example: { input: { email: 'ada@example.com', password: 'correct horse battery' } },
      errors: ['INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'RATE_LIMITED'],
    })
    .input(signInInput)
    .mutation(async ({ ctx, input }) => {
      const { user, session } = await signIn(ctx.deps, input, ctx);
      setSessionCookie(ctx, session);
      return user;
    }),
  signOut: authedProcedure
    .meta({
      description:
        "Ends this session, clears the cookie and closes the session's open WebSockets (tRPC and Yjs, 4401).",
      example: {},
    })
    .mutation(async ({ ctx }) => {
      await signOut(ctx.deps, ctx.session, ctx);
      setSessionCookie(ctx, null);
      return { ok: true };
    }),
  signOutEverywhere: authedProcedure
    .meta({
      description:
        "Ends every session of the caller's account, on every instance, and closes all their connections.",
      example: {},
    })
    .mutation(async ({ ctx }) => {
      await signOutEverywhere(ctx.deps, ctx.user.id, ctx);
      setSessionCookie(ctx, null);
      return { ok: true };
    }),
  resetLink: publicProcedure
    .meta({
      description:
        'Whose password a reset link sets (name, email) and until when it works, for the page that asks for the new password.',
      example: { input: { token: 'q9Xb2…the token from the link' } },
      errors: ['RESET_LINK_INVALID', 'ACCOUNT_DISABLED', 'RATE_LIMITED'],
    })
    .input(resetLinkInput)
    .query(({ ctx, input }) => describeResetLink(ctx.deps, input.token, ctx)),
  resetPassword: publicProcedure
    .meta({
      description:
        'Sets a new password with a reset link an admin issued, once: ends every session of the account (closing its connections) and signs this browser in. Returns the user.',
      example: { input: { token: 'q9Xb2…the token from the link', password: 'a new long passphrase' } },
      errors: ['RESET_LINK_INVALID', 'ACCOUNT_DISABLED', 'RATE_LIMITED'],
    })
    .input(resetPasswordInput)
    .mutation(async ({ ctx, input }) => {
      const { user, session } = await resetPassword(ctx.deps, input, ctx);
      setSessionCookie(ctx, session);
      return user;
    }),
  instance: publicProcedure
    .meta({
      description:
        'Whether the instance has any account yet (the sign-up page says the first account becomes the admin).',
      example: {},
    })
    .query(({ ctx }) => instanceStatus(ctx.deps.db)),
  me: publicProcedure
    .meta({ description: 'The signed-in user, or `null` without a valid session.', example: {} })
    .query(({ ctx }) =>
      ctx.user
        ? { id: ctx.user.id, email: ctx.user.email, name: ctx.user.name, isAdmin: ctx.user.isAdmin }
        : null,
    ),
} satisfies TRPCRouterRecord;
