import { describe, expect, it } from 'vitest';
import {
  archiveDownloadQuery,
  archiveUploadQuery,
  createFileInput,
  uploadFilesInput,
} from './api-schemas.ts';

const workspaceId = '6f1c0a52-3f9b-4f57-9a39-1c2a8d3e4b5f';

describe('file API schemas', () => {
  it('leave path validation to the file model, so bad paths reach it as INVALID_PATH', () => {
    const parsed = createFileInput.parse({ workspaceId, path: '../x' });
    expect(parsed.path).toBe('../x');
  });

  it('refuse a create with both text and base64 content', () => {
    const result = createFileInput.safeParse({ workspaceId, path: 'a', content: 'x', base64: 'eA==' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/either content or base64/);
    expect(createFileInput.safeParse({ workspaceId, path: 'a', base64: 'not base64!' }).success).toBe(false);
  });

  it('accept text and base64 upload entries, nothing in between', () => {
    const parsed = uploadFilesInput.parse({
      workspaceId,
      files: [
        { path: 'a.txt', text: 'hi' },
        { path: 'b.bin', base64: 'AAE=' },
      ],
    });
    expect(parsed.overwrite).toBe(false);
    expect(parsed.files).toHaveLength(2);
    const mixed = { path: 'c', text: 'x', base64: 'AA==' };
    expect(uploadFilesInput.safeParse({ workspaceId, files: [mixed] }).success).toBe(false);
    expect(uploadFilesInput.safeParse({ workspaceId, files: [] }).success).toBe(false);
  });

  it('read query-string flags and formats', () => {
    expect(archiveUploadQuery.parse({})).toEqual({ overwrite: false, stripRoot: false });
    expect(archiveUploadQuery.parse({ overwrite: '', stripRoot: 'true', folder: 'src' })).toEqual({
      overwrite: true,
      stripRoot: true,
      folder: 'src',
    });
    expect(archiveUploadQuery.parse({ overwrite: '0' }).overwrite).toBe(false);
    expect(archiveUploadQuery.safeParse({ overwrite: 'yes' }).success).toBe(false);
    expect(archiveUploadQuery.safeParse({ overwrite: ['true', 'true'] }).success).toBe(false);
    expect(archiveDownloadQuery.parse({}).format).toBe('zip');
    expect(archiveDownloadQuery.parse({ format: 'tar.gz' }).format).toBe('tar.gz');
    expect(archiveDownloadQuery.safeParse({ format: 'rar' }).success).toBe(false);
  });
});
