import { describe, expect, it } from 'vitest';
import { timeAgo } from './time.ts';

describe('timeAgo', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  it('reads like a person would say it', () => {
    expect(timeAgo(ago(10_000), now)).toBe('just now');
    expect(timeAgo(ago(5 * 60_000), now)).toBe('5 min ago');
    expect(timeAgo(ago(3 * 3_600_000), now)).toBe('3 h ago');
    expect(timeAgo(ago(24 * 3_600_000), now)).toBe('1 day ago');
    expect(timeAgo(ago(3 * 86_400_000), now).endsWith('days ago')).toBe(true);
    expect(timeAgo(ago(60 * 86_400_000), now)).toMatch(/2026/);
    expect(timeAgo('not a date', now)).toBe('');
  });
});
