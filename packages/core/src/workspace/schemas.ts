import { z } from 'zod';
import { nameSchema } from '../names/name-schema.ts';
import { memberRoles } from './roles.ts';
import { templateIdSchema } from './templates.ts';

export const idSchema = z.uuid('Not a valid id');
export const userIdSchema = z.string().min(1).max(64);
export const roleSchema = z.enum(memberRoles);

export const workspaceNameSchema = nameSchema({ max: 100, required: 'Enter a name' });

export const workspaceRef = z.object({ workspaceId: idSchema });

export const createWorkspaceInput = z.object({
  name: workspaceNameSchema,
  /** Fill the new workspace with a template's files (`workspace.templates` lists them). */
  template: templateIdSchema.optional(),
});
export const applyTemplateInput = workspaceRef.extend({ template: templateIdSchema });
export const renameWorkspaceInput = workspaceRef.extend({ name: workspaceNameSchema });
export const listWorkspacesInput = z.object({ includeArchived: z.boolean().default(false) }).optional();
export const archiveWorkspaceInput = workspaceRef.extend({ archived: z.boolean().default(true) });

export const inviteExpiryHours = { min: 1, max: 24 * 30, default: 24 * 7 } as const;

export const createInviteInput = workspaceRef.extend({
  role: roleSchema,
  expiresInHours: z
    .number()
    .int()
    .min(inviteExpiryHours.min)
    .max(inviteExpiryHours.max)
    .default(inviteExpiryHours.default),
});
// Invite tokens are 32 random bytes, base64url: anything else is rejected before touching the database.
export const inviteTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'Not a valid invite token');
export const acceptInviteInput = z.object({ token: inviteTokenSchema });
export const revokeInviteInput = workspaceRef.extend({ inviteId: idSchema });

export const setMemberRoleInput = workspaceRef.extend({ userId: userIdSchema, role: roleSchema });
export const removeMemberInput = workspaceRef.extend({ userId: userIdSchema });

export type CreateInviteInput = z.infer<typeof createInviteInput>;
