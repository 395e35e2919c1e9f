// The rate limits an admin changes in the console: stored as overrides in the instance settings (key `limits`),
// audited, and put in force at once here and, through the `limitChanges` channel, on every other instance.
// Decisions:
// - The rate limiter holds the rules in memory and reads them at every call; an instance reloads the stored
//   overrides when told of a change and once at start (after subscribing, so no change between falls through).
// - The channel's message carries no values: each instance reads the row, so a dropped or reordered notice
//   cannot leave one with another's stale values. Reloads of one instance run one after another, so the last read
//   (the freshest) is the one in force.
import {
  applyLimitChanges,
  limitOverridesSchema,
  type LimitChanges,
  type LimitOverrides,
} from '@tandem/core';
import { eq } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import type { EffectiveLimit } from '../http/limit-rules.ts';
import type { RateLimits } from '../http/rate-limit.ts';
import { writeAudit } from './audit.ts';
import type { SettingsActor } from './settings.ts';

type LimitDeps = Pick<AppDeps, 'db' | 'limits' | 'channels'>;

const key = 'limits';

export async function readLimitOverrides(db: Db): Promise<LimitOverrides> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  const parsed = limitOverridesSchema.safeParse(row?.value ?? {});
  return parsed.success ? parsed.data : {};
}

const reloads = new WeakMap<RateLimits, Promise<void>>();

/** Reads the stored overrides into the limiter, after any reload of it still under way. */
function reload(deps: Pick<AppDeps, 'db' | 'limits'>): Promise<void> {
  const next = (reloads.get(deps.limits) ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => deps.limits.setOverrides(await readLimitOverrides(deps.db)));
  reloads.set(deps.limits, next);
  return next;
}

/** Applies `changes` (a rule sets a limit, `null` resets it to the environment's); returns every limit in force. */
export async function setLimits(
  deps: LimitDeps,
  actor: SettingsActor,
  changes: LimitChanges,
): Promise<EffectiveLimit[]> {
  const next = applyLimitChanges(await readLimitOverrides(deps.db), changes);
  await deps.db
    .insert(settings)
    .values({ key, value: next, updatedBy: actor.actorId })
    .onConflictDoUpdate({
      target: settings.key,
      set: { value: next, updatedBy: actor.actorId, updatedAt: new Date() },
    });
  await writeAudit(deps.db, { action: 'settings.limits', ...actor, meta: changes });
  await reload(deps);
  await deps.channels.limitChanges.publish('', {}, { local: false });
  return deps.limits.rules;
}

/** Keeps the limiter on the stored overrides from now on; returns the way to stop, done once no reload runs. */
export async function followLimitChanges(
  deps: LimitDeps,
  onError: (error: unknown) => void,
): Promise<() => Promise<void>> {
  const unsubscribe = await deps.channels.limitChanges.subscribe('', () => {
    reload(deps).catch(onError);
  });
  await reload(deps);
  return async () => {
    unsubscribe();
    await reloads.get(deps.limits)?.catch(() => undefined);
  };
}
