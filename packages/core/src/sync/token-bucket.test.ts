import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('allows the burst, then the refill rate', () => {
    let now = 1_000;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('does not refill when the clock goes backwards', () => {
    let now = 5_000;
    const bucket = new TokenBucket(10, 1, () => now);
    expect(bucket.take()).toBe(true);
    now -= 1_000;
    expect(bucket.take()).toBe(false);
  });
});
