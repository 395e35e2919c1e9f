// What a reviewer may do with each hunk, decided in one place so the buttons, the keyboard shortcuts and the
// server's own checks (packages/core hunk-decisions) tell the same story.
import type { Hunk, HunkStatus } from '@tandem/core';
import type { StatusTone } from './status-badge.tsx';

export interface HunkActions {
  accept: boolean;
  reject: boolean;
  /** Conflicts are settled by choosing a side, not by accept/reject. */
  resolve: boolean;
}

export interface ReviewPermissions {
  /** Reviewers (and anyone while a decision is in flight) see the actions disabled. */
  readOnly?: boolean;
}

const none: HunkActions = { accept: false, reject: false, resolve: false };

const byStatus: Record<HunkStatus, HunkActions> = {
  pending: { accept: true, reject: true, resolve: false },
  // Accepted but not merged yet: the reviewer may still change their mind.
  accepted: { accept: false, reject: true, resolve: false },
  // Rejection is reversible until the task is closed.
  rejected: { accept: true, reject: false, resolve: false },
  conflict: { accept: false, reject: false, resolve: true },
  // Already in the live file: only a task rollback takes it out again.
  applied: none,
};

export function hunkActions(status: HunkStatus, permissions: ReviewPermissions = {}): HunkActions {
  return permissions.readOnly ? none : byStatus[status];
}

export interface FileActions {
  /** The ids "Accept all" sends: every hunk that is still waiting for a decision. */
  acceptIds: string[];
  /** The ids "Reject all" sends: every hunk not yet merged or rejected, conflicts excluded. */
  rejectIds: string[];
}

/**
 * File-level buttons act on the hunks still open, never on decided ones: "Accept all" must not quietly revive
 * hunks someone rejected on purpose.
 */
export function fileActions(
  hunks: readonly Pick<Hunk, 'id' | 'status'>[],
  permissions: ReviewPermissions = {},
): FileActions {
  if (permissions.readOnly) return { acceptIds: [], rejectIds: [] };
  return {
    acceptIds: hunks.filter((h) => h.status === 'pending').map((h) => h.id),
    rejectIds: hunks.filter((h) => h.status === 'pending' || h.status === 'accepted').map((h) => h.id),
  };
}

const statusBadges: Record<HunkStatus, { tone: StatusTone; label: string }> = {
  pending: { tone: 'neutral', label: 'Pending' },
  accepted: { tone: 'ok', label: 'Accepted' },
  rejected: { tone: 'neutral', label: 'Rejected' },
  conflict: { tone: 'error', label: 'Conflict' },
  applied: { tone: 'ok', label: 'Applied' },
};

export function hunkStatusBadge(status: HunkStatus): { tone: StatusTone; label: string } {
  return statusBadges[status];
}

/** A unified-diff style header, e.g. "@@ -12,3 +12,5 @@", which reviewers already know how to read. */
export function hunkHeader(hunk: Pick<Hunk, 'oldStart' | 'oldLines' | 'newStart' | 'newLines'>): string {
  return `@@ -${String(hunk.oldStart)},${String(hunk.oldLines)} +${String(hunk.newStart)},${String(hunk.newLines)} @@`;
}
