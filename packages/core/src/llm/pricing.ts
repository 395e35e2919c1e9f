// Token prices for cost accounting. The defaults are list prices for a few well-known models (USD per
// million tokens, as published in 2025); admins override or extend them, so every function takes a table.

import { z } from 'zod';

export const modelPriceSchema = z.object({
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
});

/** Validates a price table an admin edited, before it replaces or extends the defaults. */
export const priceTableSchema = z.record(z.string().min(1), modelPriceSchema);

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type PriceTable = Readonly<Record<string, ModelPrice>>;

export const defaultPriceTable: PriceTable = {
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  o3: { inputPerMTok: 2, outputPerMTok: 8 },
  'o3-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-7-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
};

/**
 * The price entry for a model id, or undefined. Looks up the exact id first, then the longest table key
 * that prefixes it at a `-`, `:` or `@` boundary, so dated or tagged ids (`claude-sonnet-4-5-20250929`,
 * `gpt-4o-2024-08-06`) find their family. Router prefixes (`openai/gpt-4o`) are ignored.
 */
export function priceOf(model: string, table: PriceTable = defaultPriceTable): ModelPrice | undefined {
  const candidates = [model, model.slice(model.lastIndexOf('/') + 1)];
  for (const id of candidates) {
    const exact = table[id];
    if (exact !== undefined) return exact;
  }
  let best: { key: string; price: ModelPrice } | undefined;
  for (const id of candidates) {
    for (const [key, price] of Object.entries(table)) {
      const boundary = id.charAt(key.length);
      if (id.startsWith(key) && (boundary === '-' || boundary === ':' || boundary === '@')) {
        if (best === undefined || key.length > best.key.length) best = { key, price };
      }
    }
  }
  return best?.price;
}

/** USD cost of one call; unknown models (local ones included) cost 0. */
export function costOf(
  model: string,
  usage: { inputTokens: number; outputTokens: number },
  table: PriceTable = defaultPriceTable,
): number {
  const price = priceOf(model, table);
  return price === undefined ? 0 : costAt(price, usage);
}

/** USD of `usage` at a price already looked up (see `priceOf`). */
export function costAt(price: ModelPrice, usage: { inputTokens: number; outputTokens: number }): number {
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
}
