import { describe, expect, it } from 'vitest';
import {
  featureDisabledBy,
  featureEnabled,
  featureFlagsSchema,
  featureNames,
  resolvedFlags,
} from './features.ts';

describe('featureEnabled', () => {
  it('is on when neither side set the flag', () => {
    for (const name of featureNames) {
      expect(featureEnabled(undefined, undefined, name)).toBe(true);
      expect(featureEnabled({}, {}, name)).toBe(true);
    }
  });

  it('is off when either side turned it off, and only for that flag', () => {
    expect(featureEnabled({ gitPush: false }, {}, 'gitPush')).toBe(false);
    expect(featureEnabled({}, { gitPush: false }, 'gitPush')).toBe(false);
    expect(featureEnabled({ gitPush: false }, {}, 'autoApply')).toBe(true);
    expect(featureEnabled({ gitPush: true }, { gitPush: true }, 'gitPush')).toBe(true);
  });

  it('lets no workspace turn on what the instance turned off', () => {
    expect(featureEnabled({ sandboxChecks: false }, { sandboxChecks: true }, 'sandboxChecks')).toBe(false);
  });
});

describe('featureDisabledBy', () => {
  it('names the instance first when both turned it off', () => {
    expect(featureDisabledBy({ autoApply: false }, { autoApply: false }, 'autoApply')).toBe('instance');
    expect(featureDisabledBy({}, { autoApply: false }, 'autoApply')).toBe('workspace');
    expect(featureDisabledBy(null, null, 'autoApply')).toBeNull();
  });
});

describe('featureFlagsSchema', () => {
  it('refuses an unknown flag rather than storing it', () => {
    expect(featureFlagsSchema.safeParse({ gitPull: false }).success).toBe(false);
    expect(featureFlagsSchema.parse({ gitPush: false })).toEqual({ gitPush: false });
  });

  it('fills missing flags as on', () => {
    expect(resolvedFlags({ gitPush: false })).toEqual({
      autoApply: true,
      sandboxChecks: true,
      gitPush: false,
    });
  });
});
