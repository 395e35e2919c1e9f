import {
  acceptInviteInput,
  applyTemplateInput,
  archiveWorkspaceInput,
  createInviteInput,
  createWorkspaceInput,
  listWorkspacesInput,
  removeMemberInput,
  renameWorkspaceInput,
  revokeInviteInput,
  setMemberRoleInput,
  setWorkspaceFeaturesInput,
} from '@tandem/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { requestOrigin } from '../../http/origin.ts';
import { applyTemplate, createWorkspaceFrom, listTemplates } from '../../services/templates.ts';
import { getWorkspaceFeatures, setWorkspaceFeatures } from '../../services/features.ts';
import * as workspaces from '../../services/workspaces.ts';
import { exampleIds } from '../examples.ts';
import { authedProcedure, memberProcedure, publicProcedure, type Context } from '../trpc.ts';

const actor = (ctx: Context & { user: { id: string } }): workspaces.Actor => ({
  userId: ctx.user.id,
  ip: ctx.ip,
  requestId: ctx.requestId,
});

export const workspaceRouter = {
  create: authedProcedure
    .meta({
      description:
        "Creates a workspace with the caller as its owner, empty or filled with a template's files (written as the caller's edits; `workspace.templates` lists the templates). Returns the workspace.",
      example: { input: { name: 'Payments service', template: 'express-api' } },
      errors: ['NOT_FOUND'],
    })
    .input(createWorkspaceInput)
    .mutation(({ ctx, input }) => createWorkspaceFrom(ctx.deps, actor(ctx), input)),
  templates: authedProcedure
    .meta({
      description:
        'The templates a workspace can be created from, in the order to offer them: id, name, description, and how many files and bytes each writes.',
      example: {},
    })
    .query(() => listTemplates()),
  applyTemplate: memberProcedure('editor')
    .meta({
      description:
        "Writes a template's files into the workspace as the caller's edits, all or nothing: if one of its paths exists, nothing is written. For an empty workspace's \"start from a template\".",
      example: { input: { workspaceId: exampleIds.workspaceId, template: 'typescript-library' } },
      errors: ['NOT_FOUND', 'PATH_EXISTS', 'WORKSPACE_TOO_LARGE'],
    })
    .input(applyTemplateInput)
    .mutation(({ ctx, input }) => applyTemplate(ctx.deps, actor(ctx), input.workspaceId, input.template)),
  list: authedProcedure
    .meta({
      description:
        "The caller's workspaces with their role in each; archived ones only with `includeArchived`. The input may be omitted.",
      example: { input: { includeArchived: false } },
    })
    .input(listWorkspacesInput)
    .query(({ ctx, input }) =>
      workspaces.listWorkspaces(ctx.deps.db, ctx.user.id, input?.includeArchived ?? false),
    ),
  get: memberProcedure('reviewer')
    .meta({
      description: "One workspace and the caller's role in it.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
    })
    .query(async ({ ctx, input }) => ({
      ...(await workspaces.getWorkspace(ctx.deps.db, input.workspaceId)),
      role: ctx.role,
    })),
  features: memberProcedure('reviewer')
    .meta({
      description:
        "The workspace's feature flags (`autoApply`, `sandboxChecks`, `gitPush`) and the instance's: a feature is in force only when both are on.",
      example: { input: { workspaceId: exampleIds.workspaceId } },
    })
    .query(({ ctx, input }) => getWorkspaceFeatures(ctx.deps.db, input.workspaceId)),
  setFeatures: memberProcedure('owner')
    .meta({
      description:
        "Turns risky features on or off for this workspace (omitted ones stay as they are). On here cannot override an instance's off. Returns the workspace's and the instance's flags.",
      example: { input: { workspaceId: exampleIds.workspaceId, features: { gitPush: false } } },
    })
    .input(setWorkspaceFeaturesInput)
    .mutation(({ ctx, input }) =>
      setWorkspaceFeatures(
        ctx.deps.db,
        { actorId: ctx.user.id, ip: ctx.ip, requestId: ctx.requestId },
        input.workspaceId,
        input.features,
      ),
    ),
  rename: memberProcedure('owner')
    .meta({
      description: 'Renames a workspace.',
      example: { input: { workspaceId: exampleIds.workspaceId, name: 'Payments API' } },
    })
    .input(renameWorkspaceInput)
    .mutation(({ ctx, input }) =>
      workspaces.renameWorkspace(ctx.deps.db, actor(ctx), input.workspaceId, input.name),
    ),
  archive: memberProcedure('owner')
    .meta({
      description:
        'Archives a workspace (read-only for everyone until unarchived: files, tasks and live edits need it active) or, with `archived: false`, unarchives it.',
      example: { input: { workspaceId: exampleIds.workspaceId, archived: true } },
    })
    .input(archiveWorkspaceInput)
    .mutation(({ ctx, input }) =>
      workspaces.archiveWorkspace(ctx.deps, actor(ctx), input.workspaceId, input.archived),
    ),
  delete: memberProcedure('owner')
    .meta({
      description:
        'Deletes a workspace with its files, tasks and invites for good; open connections to it close (4404).',
      example: { input: { workspaceId: exampleIds.workspaceId } },
    })
    .mutation(async ({ ctx, input }) => {
      await workspaces.deleteWorkspace(ctx.deps, actor(ctx), input.workspaceId);
      return { ok: true };
    }),
  leave: memberProcedure('reviewer')
    .meta({
      description: 'Removes the caller from a workspace. The last owner cannot leave.',
      example: { input: { workspaceId: exampleIds.workspaceId } },
      errors: ['LAST_OWNER'],
    })
    .mutation(async ({ ctx, input }) => {
      await workspaces.removeMember(ctx.deps, actor(ctx), input.workspaceId, ctx.user.id);
      return { ok: true };
    }),
  invite: {
    create: memberProcedure('owner')
      .meta({
        description:
          'Creates an invite link for a role, valid for `expiresInHours` (default 168, at most 720). Returns `{ inviteId, token, url, role, expiresAt }`; the token is shown only here.',
        example: { input: { workspaceId: exampleIds.workspaceId, role: 'reviewer', expiresInHours: 48 } },
      })
      .input(createInviteInput)
      .mutation(({ ctx, input }) =>
        workspaces.createInvite(
          ctx.deps.db,
          actor(ctx),
          input,
          requestOrigin(ctx.req, ctx.deps.config.publicUrl),
        ),
      ),
    list: memberProcedure('owner')
      .meta({
        description: 'The open invites of a workspace (without their tokens).',
        example: { input: { workspaceId: exampleIds.workspaceId } },
      })
      .query(({ ctx, input }) => workspaces.listInvites(ctx.deps.db, input.workspaceId)),
    revoke: memberProcedure('owner')
      .meta({
        description: 'Revokes an invite; its link stops working at once.',
        example: { input: { workspaceId: exampleIds.workspaceId, inviteId: exampleIds.inviteId } },
      })
      .input(revokeInviteInput)
      .mutation(async ({ ctx, input }) => {
        await workspaces.revokeInvite(ctx.deps.db, actor(ctx), input.workspaceId, input.inviteId);
        return { ok: true };
      }),
    preview: publicProcedure
      .meta({
        description:
          'What an invite link offers (workspace name, role, who invited), for the page shown before accepting; needs no account.',
        example: { input: { token: 'q8Vx3mT0bZ1cK7yLh2Wn5Rj9sP4eF6aD0uG3iO8kM1E' } },
        errors: ['INVITE_INVALID'],
      })
      .input(acceptInviteInput)
      .query(({ ctx, input }) => workspaces.previewInvite(ctx.deps.db, input.token)),
    accept: authedProcedure
      .meta({
        description:
          'Joins the workspace with the role the invite gives (keeps a higher role the caller already has). Returns `{ workspaceId, role }`.',
        example: { input: { token: 'q8Vx3mT0bZ1cK7yLh2Wn5Rj9sP4eF6aD0uG3iO8kM1E' } },
        errors: ['INVITE_INVALID'],
      })
      .input(acceptInviteInput)
      .mutation(({ ctx, input }) => workspaces.acceptInvite(ctx.deps, actor(ctx), input.token)),
  },
  members: {
    list: memberProcedure('reviewer')
      .meta({
        description: 'The members of a workspace with their roles (emails only for owners and admins).',
        example: { input: { workspaceId: exampleIds.workspaceId } },
      })
      .query(({ ctx, input }) =>
        workspaces.listMembers(ctx.deps.db, input.workspaceId, { role: ctx.role, isAdmin: ctx.user.isAdmin }),
      ),
    setRole: memberProcedure('owner')
      .meta({
        description:
          "Changes a member's role; their open connections follow at once (a demoted editor's live document turns read-only).",
        example: {
          input: { workspaceId: exampleIds.workspaceId, userId: exampleIds.userId, role: 'editor' },
        },
        errors: ['LAST_OWNER'],
      })
      .input(setMemberRoleInput)
      .mutation(({ ctx, input }) =>
        workspaces.setMemberRole(ctx.deps, actor(ctx), input.workspaceId, input.userId, input.role),
      ),
    remove: memberProcedure('owner')
      .meta({
        description:
          'Removes a member; their Yjs connections close (4403) and their subscriptions end with NOT_FOUND.',
        example: { input: { workspaceId: exampleIds.workspaceId, userId: exampleIds.userId } },
        errors: ['LAST_OWNER'],
      })
      .input(removeMemberInput)
      .mutation(async ({ ctx, input }) => {
        await workspaces.removeMember(ctx.deps, actor(ctx), input.workspaceId, input.userId);
        return { ok: true };
      }),
  },
} satisfies TRPCRouterRecord;
