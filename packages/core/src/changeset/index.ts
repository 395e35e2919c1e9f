export * from './changeset.ts';
export * from './changeset-summary.ts';
export { sha256Hex } from './hash.ts';
export { computeChangeset, countLines, type ComputeChangesetOptions } from './compute-changeset.ts';
export {
  captureBase,
  encodePosition,
  decodePosition,
  resolvePosition,
  type BaseSnapshot,
} from './anchors.ts';
export { anchorChangeset, type AnchorOptions } from './anchor-changeset.ts';
export { applyHunks, type ApplyResult, type MergeOptions } from './apply-hunks.ts';
export {
  previewChangeset,
  openHunkIds,
  type ChangesetPreview,
  type FilePreview,
  type HunkPreview,
} from './preview.ts';
export { conflictWriters, deletedRuns } from './conflict-writers.ts';
export { compareRevisions, filesWithOpenChanges, type RevisionFileDiff } from './revisions.ts';
export {
  resolveConflict,
  type ConflictChoice,
  type ResolveOptions,
  type ResolveResult,
} from './resolve-conflict.ts';
export { rollbackTask, type RollbackOptions, type RollbackResult } from './rollback.ts';
export {
  findHunk,
  selectHunkIds,
  setHunkStatuses,
  rejectHunks,
  markRolledBack,
  type FoundHunk,
  type HunkSelection,
  type DecisionNotes,
} from './hunk-decisions.ts';
export {
  taskOrigin,
  isTaskOrigin,
  taskOriginActions,
  type TaskOrigin,
  type TaskOriginAction,
} from './task-origin.ts';
