import { describe, expect, it } from 'vitest';
import { AwarenessOwners } from './awareness-owners.ts';

const always = () => true;

describe('AwarenessOwners', () => {
  it('gives an id to the first owner and refuses other users', () => {
    const owners = new AwarenessOwners<string>();
    expect(owners.claim(1, 'conn-a', 'alice', 4, always)).toBe(true);
    expect(owners.claim(1, 'conn-b', 'bob', 4, always)).toBe(false);
    expect(owners.ownerOf(1)).toBe('conn-a');
  });

  it('lets the same user take an id over when allowed', () => {
    const owners = new AwarenessOwners<string>();
    owners.claim(1, 'old-conn', 'alice', 4, always);
    expect(owners.claim(1, 'new-conn', 'alice', 4, (current) => current !== 'old-conn')).toBe(false);
    expect(owners.claim(1, 'new-conn', 'alice', 4, always)).toBe(true);
    expect(owners.owned('old-conn')).toEqual([]);
    expect(owners.release('new-conn')).toEqual([1]);
    expect(owners.ownerOf(1)).toBeUndefined();
  });

  it('caps ids per owner and forgets single ids', () => {
    const owners = new AwarenessOwners<string>();
    expect(owners.claim(1, 'c', 'u', 2, always)).toBe(true);
    expect(owners.claim(2, 'c', 'u', 2, always)).toBe(true);
    expect(owners.claim(3, 'c', 'u', 2, always)).toBe(false);
    owners.releaseClient(1);
    expect(owners.claim(3, 'c', 'u', 2, always)).toBe(true);
    expect(owners.owned('c').sort()).toEqual([2, 3]);
  });
});
