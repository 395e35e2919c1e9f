// What a workspace's owners can change about the checks of its proposals: turn a check off, or give the
// command it runs (a monorepo's `pnpm -r test`, a `tsc -b`). Stored with the workspace, parsed here.
import { z } from 'zod';

export const checkSettingsLimits = { command: 2_000 } as const;

/** A shell command run with `sh -c` in the sandbox, in the work tree, with `node_modules/.bin` on PATH. */
export const checkCommandSchema = z
  .string()
  .trim()
  .min(1, 'Enter a command')
  .max(checkSettingsLimits.command)
  .refine((command) => !command.includes('\0'), 'A command cannot contain NUL');

const commandCheck = z
  .object({ enabled: z.boolean().optional(), command: checkCommandSchema.optional() })
  .strict();
const toggleCheck = z.object({ enabled: z.boolean().optional() }).strict();

export const checkSettingsSchema = z
  .object({
    typecheck: commandCheck.optional(),
    lint: commandCheck.optional(),
    test: commandCheck.optional(),
    /** The security scan cannot be given another command: it is the same for every workspace. */
    security: toggleCheck.optional(),
    install: toggleCheck.optional(),
  })
  .strict();
export type CheckSettings = z.infer<typeof checkSettingsSchema>;

export const updateCheckSettingsInput = z.object({
  workspaceId: z.uuid('Not a valid id'),
  settings: checkSettingsSchema,
});
