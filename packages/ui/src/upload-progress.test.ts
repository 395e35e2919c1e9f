import { describe, expect, it } from 'vitest';
import { describeUpload, formatBytes, uploadPercent, type UploadProgress } from './upload-progress.ts';

const at = (p: Partial<UploadProgress>): UploadProgress => ({
  filesDone: 0,
  filesTotal: 0,
  bytesDone: 0,
  bytesTotal: 0,
  done: false,
  ...p,
});

describe('upload progress', () => {
  it('formats bytes in SI units with at most one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 kB');
    expect(formatBytes(2_000)).toBe('2 kB');
    expect(formatBytes(123_456)).toBe('123 kB');
    expect(formatBytes(4_500_000)).toBe('4.5 MB');
    expect(formatBytes(52_000_000_000)).toBe('52 GB');
    expect(formatBytes(-5)).toBe('0 B');
  });

  it('counts whole percent of bytes, clamped', () => {
    expect(uploadPercent(at({ bytesDone: 1, bytesTotal: 3 }))).toBe(33);
    expect(uploadPercent(at({ bytesDone: 5, bytesTotal: 3 }))).toBe(100);
    expect(uploadPercent(at({ bytesTotal: 0 }))).toBe(0);
    expect(uploadPercent(at({ bytesTotal: 0, done: true }))).toBe(100);
  });

  it('says files and bytes while uploading, and the totals when done', () => {
    expect(
      describeUpload(at({ filesDone: 3, filesTotal: 10, bytesDone: 1_200_000, bytesTotal: 4_500_000 })),
    ).toBe('Uploading 3 of 10 files · 1.2 MB of 4.5 MB (26%)');
    expect(describeUpload(at({ bytesDone: 500, bytesTotal: 2_000 }))).toBe('Uploading 500 B of 2 kB (25%)');
    expect(describeUpload(at({ filesDone: 1, bytesDone: 2_000, bytesTotal: 2_000, done: true }))).toBe(
      'Uploaded 1 file · 2 kB',
    );
  });
});
