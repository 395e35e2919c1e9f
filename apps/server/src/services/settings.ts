// Instance settings admins change at run time. The LLM endpoint set here overrides the environment; its API key
// is stored sealed (secrets.ts) and never returned to any client. Each change writes its audit entry.
import {
  costSettingsInput,
  defaultPriceTable,
  llmSettingsInput,
  priceTableSchema,
  type CostSettings,
  type PriceTable,
} from '@tandem/core';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';
import { isSealed } from '../secrets.ts';
import { writeAudit } from './audit.ts';

type LlmSettings = z.infer<typeof llmSettingsInput>;

export const defaultCostSettings: CostSettings = {
  dailyTokenQuota: 2_000_000,
  taskBudgetTokens: 400_000,
  taskBudgetUsd: 5,
};

async function read<T>(db: Db, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  if (!row) return undefined;
  const parsed = schema.safeParse(row.value);
  return parsed.success ? parsed.data : undefined;
}

async function write(db: Db, key: string, value: unknown, userId: string) {
  await db
    .insert(settings)
    .values({ key, value, updatedBy: userId })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedBy: userId, updatedAt: new Date() } });
}

export async function getCostSettings(db: Db): Promise<CostSettings> {
  return (await read(db, 'cost', costSettingsInput)) ?? defaultCostSettings;
}

export async function setCostSettings(db: Db, actor: SettingsActor, value: CostSettings) {
  await write(db, 'cost', value, actor.actorId);
  await writeAudit(db, { action: 'settings.cost', ...actor, meta: value });
  return value;
}

export async function getPriceTable(db: Db): Promise<PriceTable> {
  return (await read(db, 'prices', priceTableSchema)) ?? defaultPriceTable;
}

export async function setPriceTable(db: Db, actor: SettingsActor, value: PriceTable) {
  await write(db, 'prices', value, actor.actorId);
  await writeAudit(db, { action: 'settings.prices', ...actor });
  return value;
}

const API_KEY = 'LLM API key';

// What the row holds: the key sealed by secrets.ts (plain text only in rows written before sealing existed, which
// `sealStoredSecrets` seals at start). No length cap: a sealed key is longer than the input it came from.
const storedLlm = llmSettingsInput.extend({ apiKey: z.string().nullable().optional() });

type SettingsDeps = Pick<AppDeps, 'db' | 'config' | 'secrets'>;

export interface SettingsActor {
  actorId: string;
  ip?: string | undefined;
  requestId?: string | undefined;
}

/** The effective LLM settings: the admin's, else the environment's. Includes the key: server-side use only. */
export async function getLlmSettings(deps: SettingsDeps): Promise<LlmSettings & { source: 'admin' | 'env' }> {
  const stored = await read(deps.db, 'llm', storedLlm);
  if (stored && (stored.provider || stored.model || stored.baseUrl)) {
    const sealed = stored.apiKey ?? null;
    const apiKey = sealed && isSealed(sealed) ? deps.secrets().open(sealed, API_KEY) : sealed;
    return { ...stored, apiKey, source: 'admin' };
  }
  const { config } = deps;
  return {
    provider: config.llm.provider ?? null,
    baseUrl: config.llm.baseUrl ?? null,
    apiKey: config.llm.apiKey ?? null,
    model: config.llm.model ?? null,
    source: 'env',
  };
}

/** What clients may see of the LLM settings: never the key itself. */
export async function getPublicLlmSettings(deps: SettingsDeps) {
  const stored = await read(deps.db, 'llm', storedLlm);
  if (stored && (stored.provider || stored.model || stored.baseUrl)) {
    const { apiKey, ...rest } = stored;
    return { ...rest, source: 'admin' as const, hasApiKey: Boolean(apiKey) };
  }
  const { apiKey, ...rest } = await getLlmSettings(deps);
  return { ...rest, hasApiKey: Boolean(apiKey) };
}

/**
 * A key belongs to the endpoint it was given for: moving the endpoint (base URL or provider) drops the stored key
 * unless the same call brings one, so a write-only key can never be sent to a host the admin did not give it for.
 */
export async function setLlmSettings(deps: SettingsDeps, actor: SettingsActor, value: LlmSettings) {
  const previous = await read(deps.db, 'llm', storedLlm);
  const endpointChanged =
    (previous?.baseUrl ?? null) !== value.baseUrl || (previous?.provider ?? null) !== value.provider;
  let apiKey: string | null;
  if (value.apiKey !== undefined) apiKey = value.apiKey ? deps.secrets().seal(value.apiKey, API_KEY) : null;
  else if (endpointChanged) apiKey = null;
  else apiKey = previous?.apiKey ?? null;
  if (apiKey && !isSealed(apiKey)) apiKey = deps.secrets().seal(apiKey, API_KEY);
  await write(deps.db, 'llm', { ...value, apiKey }, actor.actorId);
  await writeAudit(deps.db, {
    action: 'settings.llm',
    ...actor,
    meta: {
      provider: value.provider,
      baseUrl: value.baseUrl,
      model: value.model,
      keyChanged: value.apiKey !== undefined,
      keyCleared: value.apiKey === undefined && endpointChanged && Boolean(previous?.apiKey),
    },
  });
  return getPublicLlmSettings(deps);
}

/**
 * Run at start: seals a key stored in plain text (rows from before sealing) and seals again one sealed under a
 * previous key (rotation), so after one start with the new key the old one can be dropped.
 */
export async function sealStoredSecrets(deps: SettingsDeps): Promise<'none' | 'current' | 'sealed'> {
  const stored = await read(deps.db, 'llm', storedLlm);
  const current = stored?.apiKey;
  if (!stored || !current) return 'none';
  const box = deps.secrets();
  if (!box.isStale(current)) return 'current';
  const plain = isSealed(current) ? box.open(current, API_KEY) : current;
  // Only the value: who last edited the settings stays as it was.
  await deps.db
    .update(settings)
    .set({ value: { ...stored, apiKey: box.seal(plain, API_KEY) } })
    .where(eq(settings.key, 'llm'));
  return 'sealed';
}

export { read as readSetting, write as writeSetting };
