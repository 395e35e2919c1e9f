import { describe, expect, it } from 'vitest';
import { branchNameSchema } from './schemas.ts';

describe('branchNameSchema', () => {
  it.each(['main', 'feature/x-1', 'release-2.0'])('accepts %s', (name) => {
    expect(branchNameSchema.safeParse(name).success).toBe(true);
  });
  it.each(['-x', '/x', 'a..b', 'a b', 'a~1', 'x.lock', 'a//b', 'a@{1}', 'x/', 'a\u0000b'])(
    'refuses %s',
    (name) => {
      expect(branchNameSchema.safeParse(name).success).toBe(false);
    },
  );
});
