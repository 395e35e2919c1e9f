import { describe, expect, it } from 'vitest';
import { costOf, defaultPriceTable, priceOf, priceTableSchema, type PriceTable } from './pricing.ts';

describe('pricing', () => {
  it('costs a call from per-million prices', () => {
    expect(costOf('gpt-4o', { inputTokens: 1_000_000, outputTokens: 500_000 })).toBeCloseTo(2.5 + 5, 10);
    expect(costOf('claude-sonnet-4-5', { inputTokens: 2_000, outputTokens: 1_000 })).toBeCloseTo(
      0.006 + 0.015,
      10,
    );
  });

  it('finds the family of dated, tagged and routed ids by the longest prefix', () => {
    expect(priceOf('claude-sonnet-4-5-20250929')).toEqual(defaultPriceTable['claude-sonnet-4-5']);
    expect(priceOf('claude-sonnet-4-20250514')).toEqual(defaultPriceTable['claude-sonnet-4']);
    expect(priceOf('gpt-4o-mini-2024-07-18')).toEqual(defaultPriceTable['gpt-4o-mini']);
    expect(priceOf('gpt-4o-2024-08-06')).toEqual(defaultPriceTable['gpt-4o']);
    expect(priceOf('openai/gpt-4.1-mini')).toEqual(defaultPriceTable['gpt-4.1-mini']);
    expect(priceOf('o3-mini-2025-01-31')).toEqual(defaultPriceTable['o3-mini']);
  });

  it('does not match a prefix that is not at a word boundary', () => {
    expect(priceOf('o30')).toBeUndefined();
    expect(priceOf('gpt-4oz')).toBeUndefined();
  });

  it('charges nothing for unknown and local models', () => {
    expect(costOf('qwen2.5-coder:7b', { inputTokens: 10_000, outputTokens: 10_000 })).toBe(0);
  });

  it('uses an admin-supplied table instead of the defaults', () => {
    const table: PriceTable = {
      ...defaultPriceTable,
      'qwen2.5-coder': { inputPerMTok: 0.1, outputPerMTok: 0.2 },
    };
    expect(
      costOf('qwen2.5-coder:7b', { inputTokens: 1_000_000, outputTokens: 1_000_000 }, table),
    ).toBeCloseTo(0.3, 10);
    expect(
      costOf(
        'gpt-4o',
        { inputTokens: 1_000_000, outputTokens: 0 },
        { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 1 } },
      ),
    ).toBe(1);
  });

  it('validates edited tables', () => {
    expect(priceTableSchema.safeParse({ m: { inputPerMTok: 1, outputPerMTok: 2 } }).success).toBe(true);
    expect(priceTableSchema.safeParse({ m: { inputPerMTok: -1, outputPerMTok: 2 } }).success).toBe(false);
    expect(priceTableSchema.safeParse(defaultPriceTable).success).toBe(true);
  });
});
