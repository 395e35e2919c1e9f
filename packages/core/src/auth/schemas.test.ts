import { describe, expect, it } from 'vitest';
import { signInInput, signUpInput } from './schemas.ts';

describe('signUpInput', () => {
  it('normalizes email case and whitespace', () => {
    const parsed = signUpInput.parse({
      email: '  Ada@Example.COM ',
      password: 'long enough pw',
      name: ' Ada ',
    });
    expect(parsed).toEqual({ email: 'ada@example.com', password: 'long enough pw', name: 'Ada' });
  });

  it.each([
    [{ email: 'nope', password: 'long enough pw', name: 'A' }, 'email'],
    [{ email: 'a@b.co', password: 'short', name: 'A' }, 'password'],
    [{ email: 'a@b.co', password: 'long enough pw', name: '' }, 'name'],
    [{ email: 'a@b.co', password: 'long enough pw', name: 'bad\u0000name' }, 'name'],
    [{ email: 'a@b.co', password: 'x'.repeat(257), name: 'A' }, 'password'],
  ])('rejects %j on %s', (input, field) => {
    const result = signUpInput.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });
});

describe('signInInput', () => {
  it('accepts any non-empty bounded password', () => {
    expect(signInInput.safeParse({ email: 'a@b.co', password: 'x' }).success).toBe(true);
    expect(signInInput.safeParse({ email: 'a@b.co', password: '' }).success).toBe(false);
  });
});
