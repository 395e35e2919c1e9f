// What a reviewer may do with each hunk, decided in one place so the buttons, the keyboard shortcuts and the
// server's own checks (packages/core hunk-decisions) tell the same story.
import type { Hunk, HunkConflict, HunkHistoryEntry, HunkStatus } from '@tandem/core';
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

/** What the live preview says accepting the hunk would do now (core `HunkPreview['outcome']`). */
export type PreviewOutcome = 'clean' | 'conflict' | 'decided';

/**
 * The decisions open on a hunk. The preview wins over the stored status: a pending hunk whose lines a human
 * changed is settled like a conflict (accepting would only report one), and a conflicted hunk whose lines are
 * back to what the task saw can simply be accepted.
 */
export function hunkActions(
  status: HunkStatus,
  permissions: ReviewPermissions = {},
  preview?: PreviewOutcome,
): HunkActions {
  if (permissions.readOnly) return none;
  const open = status === 'pending' || status === 'accepted' || status === 'conflict';
  if (open && preview === 'conflict') return { accept: false, reject: false, resolve: true };
  if (status === 'conflict' && preview === 'clean') return { accept: true, reject: true, resolve: false };
  return byStatus[status];
}

/** How a hunk is announced and named on its buttons: "change 2 of 4 in src/timeout.ts". */
export function hunkLabel(index: number, total: number, path: string): string {
  return `change ${String(index + 1)} of ${String(total)} in ${path}`;
}

const conflictReasonWords: Record<HunkConflict['reason'], string> = {
  'region-changed': 'Someone changed these lines after the task read them',
  'file-deleted': 'The file was deleted after the task read it',
  'file-exists': 'A file with this name was created meanwhile',
  'file-changed': 'The file was edited after the task read it',
  'anchor-lost': 'These lines can no longer be found in the file',
};

export function conflictReason(reason: HunkConflict['reason']): string {
  return conflictReasonWords[reason];
}

const historyWords: Record<HunkHistoryEntry['action'], string> = {
  accepted: 'Accepted',
  applied: 'Applied',
  rejected: 'Rejected',
  conflict: 'Conflicted on accept',
  'rolled-back': 'Rolled back',
};

/** "Applied by Ada at 10:01:00" for one recorded decision. */
export function historyLine(entry: HunkHistoryEntry, userName: (id: string) => string): string {
  return `${historyWords[entry.action]} by ${userName(entry.by)} at ${new Date(entry.at).toLocaleTimeString()}`;
}

/** The text a decided hunk put into the file: what was written when a conflict was settled, else the task's. */
export function landedText(hunk: Pick<Hunk, 'newText' | 'history'>): string {
  const applied = hunk.history?.findLast((e) => e.action === 'applied');
  return applied?.text ?? hunk.newText;
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
