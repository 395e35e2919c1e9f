// Feature flags for the risky features: an admin can turn one off for the whole instance, an owner for a
// workspace. The one rule of what is in force lives here; the server asks it wherever a feature acts.
import { z } from 'zod';
import { workspaceRef } from './schemas.ts';

export const featureNames = ['autoApply', 'sandboxChecks', 'gitPush'] as const;
export type FeatureName = (typeof featureNames)[number];

/** A set of flags as stored: a missing flag is on, so an empty object (or none) changes nothing. */
export const featureFlagsSchema = z
  .object({
    autoApply: z.boolean().optional(),
    sandboxChecks: z.boolean().optional(),
    gitPush: z.boolean().optional(),
  })
  .strict();
export type FeatureFlags = z.infer<typeof featureFlagsSchema>;

export const setWorkspaceFeaturesInput = workspaceRef.extend({ features: featureFlagsSchema });

/** Who turned a feature off: the instance's admins first (their word holds over any workspace), else the owners. */
export function featureDisabledBy(
  instance: FeatureFlags | null | undefined,
  workspace: FeatureFlags | null | undefined,
  name: FeatureName,
): 'instance' | 'workspace' | null {
  if (instance?.[name] === false) return 'instance';
  if (workspace?.[name] === false) return 'workspace';
  return null;
}

/** A feature is in force when neither the instance nor the workspace turned it off. */
export function featureEnabled(
  instance: FeatureFlags | null | undefined,
  workspace: FeatureFlags | null | undefined,
  name: FeatureName,
): boolean {
  return featureDisabledBy(instance, workspace, name) === null;
}

/** Every flag with its value in force, a missing one filled in as on. */
export function resolvedFlags(flags: FeatureFlags | null | undefined): Record<FeatureName, boolean> {
  return {
    autoApply: flags?.autoApply ?? true,
    sandboxChecks: flags?.sandboxChecks ?? true,
    gitPush: flags?.gitPush ?? true,
  };
}
