// The feature flags in force for a workspace: the instance's (admins, in the settings table) and the workspace's
// (owners, on its row), combined by core's one rule. Every place a flagged feature acts asks here.
import {
  AppError,
  featureDisabledBy,
  featureFlagsSchema,
  resolvedFlags,
  type FeatureFlags,
  type FeatureName,
} from '@tandem/core';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { settings, workspaces } from '../db/schema.ts';
import { writeAudit } from './audit.ts';
import type { SettingsActor } from './settings.ts';

async function instanceFlags(db: Db): Promise<FeatureFlags> {
  const [row] = await db.select().from(settings).where(eq(settings.key, 'features'));
  const parsed = featureFlagsSchema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : {};
}

async function workspaceFlags(db: Db, workspaceId: string): Promise<FeatureFlags> {
  const [row] = await db
    .select({ features: workspaces.features })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  const parsed = featureFlagsSchema.safeParse(row?.features ?? {});
  return parsed.success ? parsed.data : {};
}

export async function getInstanceFeatures(db: Db) {
  return resolvedFlags(await instanceFlags(db));
}

export async function setInstanceFeatures(db: Db, actor: SettingsActor, value: FeatureFlags) {
  const next = resolvedFlags({ ...(await instanceFlags(db)), ...value });
  await db
    .insert(settings)
    .values({ key: 'features', value: next, updatedBy: actor.actorId })
    .onConflictDoUpdate({
      target: settings.key,
      set: { value: next, updatedBy: actor.actorId, updatedAt: new Date() },
    });
  await writeAudit(db, { action: 'settings.features', ...actor, meta: next });
  return next;
}

/** The workspace's own flags and what the instance leaves it: an owner sees why a switch has no effect. */
export async function getWorkspaceFeatures(db: Db, workspaceId: string) {
  return {
    workspace: resolvedFlags(await workspaceFlags(db, workspaceId)),
    instance: resolvedFlags(await instanceFlags(db)),
  };
}

export async function setWorkspaceFeatures(
  db: Db,
  actor: SettingsActor,
  workspaceId: string,
  value: FeatureFlags,
) {
  const features = resolvedFlags({ ...(await workspaceFlags(db, workspaceId)), ...value });
  await db.update(workspaces).set({ features }).where(eq(workspaces.id, workspaceId));
  await writeAudit(db, { action: 'workspace.features', ...actor, workspaceId, meta: features });
  return getWorkspaceFeatures(db, workspaceId);
}

/** Who turned the feature off for this workspace, or null when it is in force. */
export async function featureOffBy(db: Db, workspaceId: string, name: FeatureName) {
  return featureDisabledBy(await instanceFlags(db), await workspaceFlags(db, workspaceId), name);
}

const featureLabels: Record<FeatureName, string> = {
  autoApply: 'Auto-apply',
  sandboxChecks: 'Sandbox checks',
  gitPush: 'Git push',
};

/** The reason a person reads: who turned it off. */
export function disabledReason(name: FeatureName, by: 'instance' | 'workspace') {
  return `${featureLabels[name]} disabled by ${by === 'instance' ? 'an administrator' : "the workspace's owners"}`;
}

/** Refuses with FEATURE_DISABLED when the feature is off for this workspace. */
export async function requireFeature(db: Db, workspaceId: string, name: FeatureName) {
  const by = await featureOffBy(db, workspaceId, name);
  if (by)
    throw new AppError('FEATURE_DISABLED', `${disabledReason(name, by)}.`, {
      details: { feature: name, by },
    });
}
