import { describe, expect, it } from 'vitest';
import { archiveContentType, batches, isArchive, toBase64 } from './upload.ts';

describe('upload helpers', () => {
  it('tells archives from files', () => {
    expect(isArchive('repo.zip')).toBe(true);
    expect(isArchive('repo.TAR.GZ')).toBe(true);
    expect(isArchive('x.tgz')).toBe(true);
    expect(isArchive('zip.ts')).toBe(false);
    expect(archiveContentType('a.zip')).toBe('application/zip');
    expect(archiveContentType('a.tgz')).toBe('application/gzip');
  });

  it('encodes bytes as base64 like the server expects', () => {
    expect(toBase64(new TextEncoder().encode('héllo'))).toBe(Buffer.from('héllo').toString('base64'));
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('splits batches under the body limit without dropping or reordering files', () => {
    const items = [100, 400_000, 300_000, 10, 500_000].map((size, i) => ({ id: i, file: { size } }));
    const grouped = batches(items, 600_000);
    expect(grouped.map((g) => g.map((x) => x.id))).toEqual([[0, 1], [2, 3], [4]]);
  });
});
