// Upload progress in words and numbers: files and bytes done of the total, for a progress bar and its label.

export interface UploadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Set once the server has everything (an archive's file count is known only then). */
  done: boolean;
}

const units = ['B', 'kB', 'MB', 'GB'] as const;

/** Bytes in SI units with at most one decimal: 999 B, 1.5 kB, 12 MB. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const text =
    unit === 0 || value >= 100 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[unit] ?? 'B'}`;
}

/** Whole percent of the bytes sent, 0–100; an empty upload counts as complete once done. */
export function uploadPercent(p: UploadProgress): number {
  if (p.bytesTotal <= 0) return p.done ? 100 : 0;
  return Math.min(100, Math.max(0, Math.floor((p.bytesDone / p.bytesTotal) * 100)));
}

function files(n: number): string {
  return `${n} file${n === 1 ? '' : 's'}`;
}

/** "Uploading 3 of 10 files · 1.2 MB of 4.5 MB (26%)", then "Uploaded 10 files · 4.5 MB". With an unknown file
 * count (an archive before the server unpacked it) only the bytes are told. */
export function describeUpload(p: UploadProgress): string {
  const size = formatBytes(p.bytesTotal);
  if (p.done) return `Uploaded ${files(p.filesDone)} · ${size}`;
  const count = p.filesTotal > 0 ? `${p.filesDone} of ${files(p.filesTotal)} · ` : '';
  return `Uploading ${count}${formatBytes(p.bytesDone)} of ${size} (${uploadPercent(p)}%)`;
}
