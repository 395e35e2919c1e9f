// The short form of a changeset that travels in `proposal` events: enough for a timeline entry and counts.
import { z } from 'zod';
import { changesetLimits, changesetPathSchema, fileChangeKinds, type Changeset } from './changeset.ts';

const countSchema = z.int().nonnegative();

export const fileChangeSummarySchema = z.object({
  path: changesetPathSchema,
  kind: z.enum(fileChangeKinds),
  hunks: countSchema,
  added: countSchema,
  removed: countSchema,
});
export type FileChangeSummary = z.infer<typeof fileChangeSummarySchema>;

export const changesetSummarySchema = z.object({
  files: z.array(fileChangeSummarySchema).max(changesetLimits.files),
  hunks: countSchema,
  added: countSchema,
  removed: countSchema,
});
export type ChangesetSummary = z.infer<typeof changesetSummarySchema>;

export function summarizeChangeset(changeset: Changeset): ChangesetSummary {
  const files = changeset.files.map((file) => ({
    path: file.path,
    kind: file.kind,
    hunks: file.hunks.length,
    added: file.hunks.reduce((n, h) => n + h.newLines, 0),
    removed: file.hunks.reduce((n, h) => n + h.oldLines, 0),
  }));
  return {
    files,
    hunks: files.reduce((n, f) => n + f.hunks, 0),
    added: files.reduce((n, f) => n + f.added, 0),
    removed: files.reduce((n, f) => n + f.removed, 0),
  };
}
