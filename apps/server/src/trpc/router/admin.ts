import { adminAuditInput, adminSetAdminInput, adminSetDisabledInput } from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { count, sql } from 'drizzle-orm';
import { members, workspaces } from '../../db/schema.ts';
import { listUsers, setAdmin, setDisabled } from '../../services/accounts.ts';
import { listAudit } from '../../services/audit.ts';
import { adminProcedure } from '../trpc.ts';

export const adminRouter = {
  users: {
    list: adminProcedure.query(({ ctx }) => listUsers(ctx.deps.db)),
    setAdmin: adminProcedure
      .input(adminSetAdminInput)
      .mutation(({ ctx, input }) => setAdmin(ctx.deps.db, { id: input.userId }, input.isAdmin, ctx.user.id)),
    setDisabled: adminProcedure
      .input(adminSetDisabledInput)
      .mutation(({ ctx, input }) => setDisabled(ctx.deps, input.userId, input.disabled, ctx.user.id)),
  },
  workspaces: {
    list: adminProcedure.query(({ ctx }) =>
      ctx.deps.db
        .select({
          id: workspaces.id,
          name: workspaces.name,
          createdAt: workspaces.createdAt,
          archivedAt: workspaces.archivedAt,
          memberCount: sql<number>`(select count(*)::int from ${members} where ${members.workspaceId} = ${workspaces.id})`,
        })
        .from(workspaces)
        .orderBy(workspaces.createdAt),
    ),
    count: adminProcedure.query(async ({ ctx }) => {
      const [row] = await ctx.deps.db.select({ n: count() }).from(workspaces);
      return row?.n ?? 0;
    }),
  },
  audit: {
    list: adminProcedure.input(adminAuditInput).query(({ ctx, input }) => listAudit(ctx.deps.db, input)),
  },
} satisfies TRPCRouterRecord;
