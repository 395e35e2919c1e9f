import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors.ts';
import { assertKeepsAnOwner } from './membership.ts';
import { canWrite, roleAtLeast } from './roles.ts';

describe('assertKeepsAnOwner', () => {
  it.each([
    { from: 'owner', to: 'editor', owners: 1, ok: false },
    { from: 'owner', to: null, owners: 1, ok: false },
    { from: 'owner', to: 'reviewer', owners: 2, ok: true },
    { from: 'owner', to: 'owner', owners: 1, ok: true },
    { from: 'editor', to: null, owners: 1, ok: true },
    { from: 'reviewer', to: 'owner', owners: 1, ok: true },
  ] as const)('$from -> $to with $owners owner(s): ok=$ok', ({ from, to, owners, ok }) => {
    const run = () => assertKeepsAnOwner({ from, to, owners });
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(expect.objectContaining({ code: 'LAST_OWNER' }) as AppError);
  });
});

describe('roles', () => {
  it('orders owner > editor > reviewer', () => {
    expect(roleAtLeast('owner', 'editor')).toBe(true);
    expect(roleAtLeast('editor', 'owner')).toBe(false);
    expect(roleAtLeast('reviewer', 'reviewer')).toBe(true);
    expect(canWrite('reviewer')).toBe(false);
    expect(canWrite('editor')).toBe(true);
  });
});
