import { z } from 'zod';
import { userIdSchema } from '../workspace/schemas.ts';

export const pageInput = z
  .object({
    limit: z.number().int().min(1).max(200).default(50),
    beforeId: z.number().int().positive().optional(),
  })
  .default({ limit: 50 });

export const adminSetAdminInput = z.object({ userId: userIdSchema, isAdmin: z.boolean() });
export const adminSetDisabledInput = z.object({ userId: userIdSchema, disabled: z.boolean() });
/** Which audit entries: by workspace, actor, action (`task.accept`, or a whole family as `task.`) and time. */
export const auditFilter = z.object({
  workspaceId: z.uuid().optional(),
  actorId: userIdSchema.optional(),
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]*)?$/, 'An action like task.accept, or a family like task.')
    .optional(),
  since: z.coerce.date<string | Date>().optional(),
  until: z.coerce.date<string | Date>().optional(),
});
export type AuditFilter = z.infer<typeof auditFilter>;

export const adminAuditInput = pageInput.unwrap().extend(auditFilter.shape).default({ limit: 50 });

/** The CSV export: the same filters, up to 10,000 entries, newest first. */
export const adminAuditCsvInput = auditFilter.extend({
  limit: z.number().int().min(1).max(10_000).default(10_000),
});
