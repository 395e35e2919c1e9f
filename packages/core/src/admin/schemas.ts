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
export const adminAuditInput = pageInput
  .unwrap()
  .extend({ workspaceId: z.uuid().optional() })
  .default({ limit: 50 });
