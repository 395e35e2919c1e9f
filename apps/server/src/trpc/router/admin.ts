import {
  adminAuditInput,
  adminSetAdminInput,
  adminSetDisabledInput,
  costSettingsInput,
  llmSettingsInput,
  priceTableSchema,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { listUsers, setAdmin, setDisabled } from '../../services/accounts.ts';
import { countWorkspaces, listAllWorkspaces } from '../../services/admin-workspaces.ts';
import { listAudit } from '../../services/audit.ts';
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
    list: adminProcedure.query(({ ctx }) => listAllWorkspaces(ctx.deps.db)),
    count: adminProcedure.query(({ ctx }) => countWorkspaces(ctx.deps.db)),
  },
  settings: {
    get: adminProcedure.query(async ({ ctx }) => ({
      llm: await getPublicLlmSettings(ctx.deps),
      cost: await getCostSettings(ctx.deps.db),
      prices: await getPriceTable(ctx.deps.db),
    })),
    setLlm: adminProcedure
      .input(llmSettingsInput)
      .mutation(({ ctx, input }) => setLlmSettings(ctx.deps, auditActor(ctx), input)),
    setCost: adminProcedure
      .input(costSettingsInput)
      .mutation(({ ctx, input }) => setCostSettings(ctx.deps.db, auditActor(ctx), input)),
    setPrices: adminProcedure
      .input(priceTableSchema)
      .mutation(({ ctx, input }) => setPriceTable(ctx.deps.db, auditActor(ctx), input)),
  },
  audit: {
    list: adminProcedure.input(adminAuditInput).query(({ ctx, input }) => listAudit(ctx.deps.db, input)),
  },
} satisfies TRPCRouterRecord;
