import { describe, expect, it } from 'vitest';
import { workspacePathSchema } from './schemas.ts';

describe('workspacePathSchema', () => {
  it('parses to the normalized path', () => {
    expect(workspacePathSchema.parse('./src\\a.ts')).toBe('src/a.ts');
  });

  it('fails with the path rule message', () => {
    const result = workspacePathSchema.safeParse('../etc/passwd');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/'\.\.' is not allowed/);
    expect(workspacePathSchema.safeParse(42).success).toBe(false);
  });
});
