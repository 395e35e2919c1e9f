import {
  adminAuditInput,
  adminSetAdminInput,
  adminSetDisabledInput,
  costSettingsInput,
  llmSettingsInput,
  priceTableSchema,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { count, sql } from 'drizzle-orm';
import { members, workspaces } from '../../db/schema.ts';
import { listUsers, setAdmin, setDisabled } from '../../services/accounts.ts';
import { listAudit, writeAudit } from '../../services/audit.ts';
import {
  getCostSettings,
  getPriceTable,
  getPublicLlmSettings,
  setCostSettings,
  setLlmSettings,
  setPriceTable,
} from '../../services/settings.ts';
import { adminProcedure, auditActor } from '../trpc.ts';

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
  settings: {
    get: adminProcedure.query(async ({ ctx }) => ({
      llm: await getPublicLlmSettings(ctx.deps.db, ctx.deps.config),
      cost: await getCostSettings(ctx.deps.db),
      prices: await getPriceTable(ctx.deps.db),
    })),
    setLlm: adminProcedure.input(llmSettingsInput).mutation(async ({ ctx, input }) => {
      await setLlmSettings(ctx.deps.db, input, ctx.user.id);
      await writeAudit(ctx.deps.db, {
        action: 'settings.llm',
        ...auditActor(ctx),
        meta: {
          provider: input.provider,
          baseUrl: input.baseUrl,
          model: input.model,
          keyChanged: input.apiKey !== undefined,
        },
      });
      return getPublicLlmSettings(ctx.deps.db, ctx.deps.config);
    }),
    setCost: adminProcedure.input(costSettingsInput).mutation(async ({ ctx, input }) => {
      await setCostSettings(ctx.deps.db, input, ctx.user.id);
      await writeAudit(ctx.deps.db, {
        action: 'settings.cost',
        ...auditActor(ctx),
        meta: input,
      });
      return input;
    }),
    setPrices: adminProcedure.input(priceTableSchema).mutation(async ({ ctx, input }) => {
      await setPriceTable(ctx.deps.db, input, ctx.user.id);
      await writeAudit(ctx.deps.db, {
        action: 'settings.prices',
        ...auditActor(ctx),
      });
      return input;
    }),
  },
  audit: {
    list: adminProcedure.input(adminAuditInput).query(({ ctx, input }) => listAudit(ctx.deps.db, input)),
  },
} satisfies TRPCRouterRecord;
