// The changeset model: a task's proposed edits per file, as line hunks a reviewer decides on one by one.
// Everything here is plain JSON so a changeset (with its anchors) can be stored in the DB and survive a restart.
import { z } from 'zod';

/** Upper bounds that keep a stored or transmitted changeset from growing without limit. */
export const changesetLimits = {
  /** UTF-16 code units of any hunk text, conflict side or undo text (about a 2 MiB file). */
  text: 2_097_152,
  path: 1_024,
  files: 1_000,
  hunksPerFile: 5_000,
  userId: 256,
  taskId: 256,
  /** An encoded Y.RelativePosition is a few dozen bytes; this is generous. */
  anchor: 512,
} as const;

export const hunkStatuses = ['pending', 'accepted', 'rejected', 'conflict', 'applied'] as const;
export type HunkStatus = (typeof hunkStatuses)[number];

export const fileChangeKinds = ['create', 'modify', 'delete'] as const;
export type FileChangeKind = (typeof fileChangeKinds)[number];

/** Why a hunk (or an undo record) could not land. */
export const conflictReasons = [
  /** The text of the hunk's lines is no longer what the task saw. */
  'region-changed',
  /** The file the hunk belongs to was deleted (or deleted and recreated) since the snapshot. */
  'file-deleted',
  /** A file the task wanted to create now exists with other content. */
  'file-exists',
  /** A file the task wanted to delete was edited since the snapshot. */
  'file-changed',
  /** The hunk has no usable position in the document (never anchored, or its anchor cannot be resolved). */
  'anchor-lost',
] as const;
export type ConflictReason = (typeof conflictReasons)[number];

// Paths come normalized from the file model; this only refuses values no normalizer would produce.
export const changesetPathSchema = z
  .string()
  .min(1)
  .max(changesetLimits.path)
  .refine((p) => !p.includes('\0') && !p.startsWith('/') && !p.split('/').includes('..'), {
    message: 'path must be relative, without ".." segments or NUL',
  });

const textSchema = z.string().max(changesetLimits.text);
const lineCountSchema = z.int().nonnegative();
const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase sha-256 hex digest');
const encodedPositionSchema = z.base64().min(1).max(changesetLimits.anchor);

/**
 * Base64 `Y.encodeRelativePosition` values bracketing a region of a file's Y.Text. For a non-empty region
 * `start` sticks to its first character and `end` to its last, so text typed just outside stays outside; for an
 * empty region (a pure insertion point) they stick to the neighbouring characters, so anything typed into the
 * gap is seen as a change to the region.
 */
export const hunkAnchorSchema = z.object({
  start: encodedPositionSchema,
  end: encodedPositionSchema,
});
export type HunkAnchor = z.infer<typeof hunkAnchorSchema>;

/** What a decision did to a hunk, for the record a decided review keeps. */
export const hunkActionKinds = ['accepted', 'applied', 'rejected', 'conflict', 'rolled-back'] as const;
export type HunkActionKind = (typeof hunkActionKinds)[number];

/** The most decisions kept per hunk; older ones drop off the front. */
export const hunkHistoryLimit = 50;

export const hunkHistoryEntrySchema = z.object({
  action: z.enum(hunkActionKinds),
  by: z.string().min(1).max(changesetLimits.userId),
  at: z.iso.datetime(),
  /**
   * What the decision put into the live text when that was not the task's `newText`: a conflict settled with the
   * task's side around a human's insertion, or merged by hand.
   */
  text: textSchema.optional(),
});
export type HunkHistoryEntry = z.infer<typeof hunkHistoryEntrySchema>;

/**
 * One contiguous run of changed lines. Line numbers are 1-based; for an empty side (`oldLines` or `newLines`
 * is 0) the start is the line the empty region sits before, so a region always spans
 * `[start, start + lines)`.
 */
export const hunkSchema = z.object({
  /** `${fileIndex}-${n}` (`r${revision}-${fileIndex}-${n}` after a follow-up): stable for the life of the changeset. */
  id: z.string().regex(/^(?:r\d{1,6}-)?\d{1,6}-\d{1,6}$/),
  oldStart: z.int().positive(),
  oldLines: lineCountSchema,
  newStart: z.int().positive(),
  newLines: lineCountSchema,
  /** UTF-16 offset of the old region in the base text: what anchoring needs, with no base text at hand. */
  oldOffset: z.int().nonnegative(),
  oldText: textSchema,
  newText: textSchema,
  status: z.enum(hunkStatuses),
  decidedBy: z.string().min(1).max(changesetLimits.userId).optional(),
  decidedAt: z.iso.datetime().optional(),
  /** Every decision on the hunk, oldest first: the review of a decided task is read from here and the texts. */
  history: z.array(hunkHistoryEntrySchema).max(hunkHistoryLimit).optional(),
  anchor: hunkAnchorSchema.optional(),
});
export type Hunk = z.infer<typeof hunkSchema>;

export const fileChangeSchema = z
  .object({
    path: changesetPathSchema,
    kind: z.enum(fileChangeKinds),
    /** sha-256 hex of the base text; null for `create`, where there was no base file. */
    baseHash: sha256HexSchema.nullable(),
    hunks: z.array(hunkSchema).max(changesetLimits.hunksPerFile),
  })
  .refine((f) => (f.kind === 'create') === (f.baseHash === null), {
    message: 'baseHash must be null exactly when kind is "create"',
    path: ['baseHash'],
  });
export type FileChange = z.infer<typeof fileChangeSchema>;

/** The most unapplied edits a changeset lists; a longer list ends with the count of the rest. */
export const unappliedLimit = 200;

/**
 * An edit of the model's answer that is not in the changeset, and why: a proposal with these is partial, and the
 * review says so. The path is as the model wrote it (it may be one the workspace refused, or none for a block that
 * could not be read at all).
 */
export const unappliedEditSchema = z.object({
  path: z.string().max(changesetLimits.path),
  code: z.string().min(1).max(64),
  message: z.string().max(4_000),
});
export type UnappliedEdit = z.infer<typeof unappliedEditSchema>;

export const changesetSchema = z.object({
  taskId: z.string().min(1).max(changesetLimits.taskId),
  files: z.array(fileChangeSchema).max(changesetLimits.files),
  /** Edits of the answer that could not be applied (absent or empty: the answer applied whole). */
  unapplied: z.array(unappliedEditSchema).max(unappliedLimit).optional(),
});
export type Changeset = z.infer<typeof changesetSchema>;

/** What a reviewer is shown when a hunk cannot land: the human's current text and the task's. */
export const hunkConflictSchema = z.object({
  path: changesetPathSchema,
  hunkId: z.string().min(1).max(32),
  reason: z.enum(conflictReasons),
  /** The current text of the affected lines (empty when the file or the position is gone). */
  ours: textSchema,
  /** What those lines become if the task's side is chosen. */
  theirs: textSchema,
});
export type HunkConflict = z.infer<typeof hunkConflictSchema>;

/**
 * Enough to undo one landed hunk later, even after a restart: anchors around the text the task inserted and
 * the text it replaced. `anchor` is null for a deleted file, which is restored by path.
 */
export const undoRecordSchema = z.object({
  taskId: z.string().min(1).max(changesetLimits.taskId),
  hunkId: z.string().min(1).max(32),
  path: changesetPathSchema,
  kind: z.enum(fileChangeKinds),
  anchor: hunkAnchorSchema.nullable(),
  insertedText: textSchema,
  originalText: textSchema,
});
export type UndoRecord = z.infer<typeof undoRecordSchema>;

/** Who decided, for the audit trail on each hunk. */
export interface HunkDecision {
  userId: string;
  /** Injected so tests and replays are deterministic; defaults to the wall clock. */
  now?: () => Date;
}
