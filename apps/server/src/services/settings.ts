// Instance settings admins change at run time. The LLM endpoint set here overrides the environment; its API key
// is stored but never returned to any client.
import {
  costSettingsInput,
  defaultPriceTable,
  llmSettingsInput,
  priceTableSchema,
  type CostSettings,
  type PriceTable,
} from '@tandem/core';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema.ts';
import type { Config } from '../env.ts';

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

export function setCostSettings(db: Db, value: CostSettings, userId: string) {
  return write(db, 'cost', value, userId);
}

export async function getPriceTable(db: Db): Promise<PriceTable> {
  return (await read(db, 'prices', priceTableSchema)) ?? defaultPriceTable;
}

export function setPriceTable(db: Db, value: PriceTable, userId: string) {
  return write(db, 'prices', value, userId);
}

/** The effective LLM settings: the admin's, else the environment's. Includes the key: server-side use only. */
export async function getLlmSettings(
  db: Db,
  config: Config,
): Promise<LlmSettings & { source: 'admin' | 'env' }> {
  const stored = await read(db, 'llm', llmSettingsInput);
  if (stored && (stored.provider || stored.model || stored.baseUrl)) return { ...stored, source: 'admin' };
  return {
    provider: config.llm.provider ?? null,
    baseUrl: config.llm.baseUrl ?? null,
    apiKey: config.llm.apiKey ?? null,
    model: config.llm.model ?? null,
    source: 'env',
  };
}

/** What clients may see of the LLM settings: never the key itself. */
export async function getPublicLlmSettings(db: Db, config: Config) {
  const { apiKey, ...rest } = await getLlmSettings(db, config);
  return { ...rest, hasApiKey: Boolean(apiKey) };
}

export async function setLlmSettings(db: Db, value: LlmSettings, userId: string) {
  const previous = await read(db, 'llm', llmSettingsInput);
  const apiKey = value.apiKey === undefined ? (previous?.apiKey ?? null) : value.apiKey;
  await write(db, 'llm', { ...value, apiKey }, userId);
}
