// Size limits for a workspace. Defaults suit a source tree edited live by several people in a browser; the
// server may pass its own values (e.g. from admin settings) to every operation.

export interface WorkspaceLimits {
  /** Largest single file, in bytes (UTF-8 bytes for text). */
  maxFileBytes: number;
  /** Sum of all file sizes, in bytes. */
  maxWorkspaceBytes: number;
  /** Number of files (text and binary). */
  maxFiles: number;
}

export const defaultWorkspaceLimits: Readonly<WorkspaceLimits> = Object.freeze({
  maxFileBytes: 2 * 1024 * 1024,
  maxWorkspaceBytes: 100 * 1024 * 1024,
  maxFiles: 10_000,
});

export function resolveWorkspaceLimits(overrides: Partial<WorkspaceLimits> = {}): WorkspaceLimits {
  return {
    maxFileBytes: overrides.maxFileBytes ?? defaultWorkspaceLimits.maxFileBytes,
    maxWorkspaceBytes: overrides.maxWorkspaceBytes ?? defaultWorkspaceLimits.maxWorkspaceBytes,
    maxFiles: overrides.maxFiles ?? defaultWorkspaceLimits.maxFiles,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}
