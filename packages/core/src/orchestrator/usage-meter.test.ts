import { describe, expect, it } from 'vitest';
import { UsageMeter } from './usage-meter.ts';

const table = { priced: { inputPerMTok: 2, outputPerMTok: 10 } };

describe('UsageMeter', () => {
  it('sums provider-reported usage across calls and prices it', () => {
    const meter = new UsageMeter('priced', table, {});
    meter.beginCall(900);
    meter.addOutput(5);
    meter.finishCall({ inputTokens: 1_000, outputTokens: 200, estimated: false });
    meter.beginCall(1_300);
    meter.finishCall({ inputTokens: 1_500, outputTokens: 100, estimated: false });
    expect(meter.usage).toEqual({ inputTokens: 2_500, outputTokens: 300, estimated: false });
    expect(meter.costUsd).toBeCloseTo((2_500 * 2 + 300 * 10) / 1e6, 12);
  });

  it('keeps the estimate of a call that never reported usage and marks the total estimated', () => {
    const meter = new UsageMeter('priced', table, {});
    meter.beginCall(400);
    meter.addOutput(7);
    meter.addOutput(3);
    expect(meter.usage).toEqual({ inputTokens: 400, outputTokens: 10, estimated: true });
    meter.abandonCall();
    expect(meter.usage).toEqual({ inputTokens: 400, outputTokens: 10, estimated: true });
  });

  it('counts a call refused before it streamed anything as free', () => {
    const meter = new UsageMeter('priced', table, {});
    meter.beginCall(400);
    meter.abandonCall();
    expect(meter.usage).toEqual({ inputTokens: 0, outputTokens: 0, estimated: false });
    expect(meter.costUsd).toBe(0);
  });

  it('reports no cost for a model without a price', () => {
    const meter = new UsageMeter('llama3.2:3b', table, { taskBudgetUsd: 0.000_001 });
    meter.beginCall(1_000_000);
    expect(meter.costUsd).toBeNull();
    expect(meter.overBudget()).toBeUndefined();
  });

  it('checks the token and the USD budget, including a call not yet made', () => {
    const tokens = new UsageMeter('priced', table, { taskBudgetTokens: 1_000 });
    tokens.beginCall(900);
    expect(tokens.overBudget()).toBeUndefined();
    tokens.addOutput(101);
    expect(tokens.overBudget()).toMatch(/1001 tokens, over its budget of 1000/);

    const usd = new UsageMeter('priced', table, { taskBudgetUsd: 0.01 });
    expect(usd.overBudget(4_000)).toBeUndefined();
    expect(usd.overBudget(6_000)).toMatch(/over its budget of \$0\.0100/);
  });
});
