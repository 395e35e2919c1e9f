import {
  acceptInviteInput,
  archiveWorkspaceInput,
  createInviteInput,
  createWorkspaceInput,
  listWorkspacesInput,
  removeMemberInput,
  renameWorkspaceInput,
  revokeInviteInput,
  setMemberRoleInput,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { requestOrigin } from '../../http/origin.ts';
import * as workspaces from '../../services/workspaces.ts';
import { authedProcedure, memberProcedure, publicProcedure, type Context } from '../trpc.ts';

const actor = (ctx: Context & { user: { id: string } }): workspaces.Actor => ({
  userId: ctx.user.id,
  ip: ctx.ip,
  requestId: ctx.requestId,
});

export const workspaceRouter = {
  create: authedProcedure
    .input(createWorkspaceInput)
    .mutation(({ ctx, input }) => workspaces.createWorkspace(ctx.deps.db, actor(ctx), input.name)),
  list: authedProcedure
    .input(listWorkspacesInput)
    .query(({ ctx, input }) =>
      workspaces.listWorkspaces(ctx.deps.db, ctx.user.id, input?.includeArchived ?? false),
    ),
  get: memberProcedure('reviewer').query(async ({ ctx, input }) => ({
    ...(await workspaces.getWorkspace(ctx.deps.db, input.workspaceId)),
    role: ctx.role,
  })),
  rename: memberProcedure('owner')
    .input(renameWorkspaceInput)
    .mutation(({ ctx, input }) =>
      workspaces.renameWorkspace(ctx.deps.db, actor(ctx), input.workspaceId, input.name),
    ),
  archive: memberProcedure('owner')
    .input(archiveWorkspaceInput)
    .mutation(({ ctx, input }) =>
      workspaces.archiveWorkspace(ctx.deps, actor(ctx), input.workspaceId, input.archived),
    ),
  delete: memberProcedure('owner').mutation(async ({ ctx, input }) => {
    await workspaces.deleteWorkspace(ctx.deps, actor(ctx), input.workspaceId);
    return { ok: true };
  }),
  leave: memberProcedure('reviewer').mutation(async ({ ctx, input }) => {
    await workspaces.removeMember(ctx.deps, actor(ctx), input.workspaceId, ctx.user.id);
    return { ok: true };
  }),
  invite: {
    create: memberProcedure('owner')
      .input(createInviteInput)
      .mutation(({ ctx, input }) =>
        workspaces.createInvite(
          ctx.deps.db,
          actor(ctx),
          input,
          requestOrigin(ctx.req, ctx.deps.config.publicUrl),
        ),
      ),
    list: memberProcedure('owner').query(({ ctx, input }) =>
      workspaces.listInvites(ctx.deps.db, input.workspaceId),
    ),
    revoke: memberProcedure('owner')
      .input(revokeInviteInput)
      .mutation(async ({ ctx, input }) => {
        await workspaces.revokeInvite(ctx.deps.db, actor(ctx), input.workspaceId, input.inviteId);
        return { ok: true };
      }),
    preview: publicProcedure
      .input(acceptInviteInput)
      .query(({ ctx, input }) => workspaces.previewInvite(ctx.deps.db, input.token)),
    accept: authedProcedure
      .input(acceptInviteInput)
      .mutation(({ ctx, input }) => workspaces.acceptInvite(ctx.deps, actor(ctx), input.token)),
  },
  members: {
    list: memberProcedure('reviewer').query(({ ctx, input }) =>
      workspaces.listMembers(ctx.deps.db, input.workspaceId, { role: ctx.role, isAdmin: ctx.user.isAdmin }),
    ),
    setRole: memberProcedure('owner')
      .input(setMemberRoleInput)
      .mutation(({ ctx, input }) =>
        workspaces.setMemberRole(ctx.deps, actor(ctx), input.workspaceId, input.userId, input.role),
      ),
    remove: memberProcedure('owner')
      .input(removeMemberInput)
      .mutation(async ({ ctx, input }) => {
        await workspaces.removeMember(ctx.deps, actor(ctx), input.workspaceId, input.userId);
        return { ok: true };
      }),
  },
} satisfies TRPCRouterRecord;
