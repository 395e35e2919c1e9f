// What a reviewer compares: each file's live text beside the text it would have if every still-open hunk landed
// now, and for each hunk what accepting it would do. Computed on a throwaway copy of the document with the real
// merge (`applyHunks`), so the preview is exactly what accepting would do, and hunks a human has since edited
// around show up as conflicts, with both texts, before anyone clicks.
import * as Y from 'yjs';
import { applyHunks } from './apply-hunks.ts';
import type { Changeset, HunkConflict, HunkStatus } from './changeset.ts';
import { fileText } from './workspace-files.ts';

export interface FilePreview {
  path: string;
  /** The live text ('' when the file does not exist). */
  current: string;
  /** The text after every pending, accepted or conflicted hunk of this file lands ('' when it would not exist). */
  proposed: string;
}

/** What accepting one hunk would do now. */
export type HunkPreview =
  /** It lands cleanly: `before` (the live lines, exactly what the task saw) become `after`. */
  | { hunkId: string; path: string; outcome: 'clean'; before: string; after: string }
  /** It would not land: the human's current lines and the task's text for them. */
  | { hunkId: string; path: string; outcome: 'conflict'; conflict: HunkConflict }
  /** Already decided (applied or rejected): accepting does nothing to the live text. */
  | { hunkId: string; path: string; outcome: 'decided'; status: HunkStatus };

export interface ChangesetPreview {
  files: FilePreview[];
  /** Open hunks that would not land cleanly against the live text. */
  conflicts: HunkConflict[];
  /** One entry per hunk of the changeset, in changeset order. */
  hunks: HunkPreview[];
}

const openStatuses: ReadonlySet<HunkStatus> = new Set(['pending', 'accepted', 'conflict']);

/** The hunks accepting everything would try: those not applied and not rejected. */
export function openHunkIds(changeset: Changeset): string[] {
  return changeset.files.flatMap((f) => f.hunks.filter((h) => openStatuses.has(h.status)).map((h) => h.id));
}

export function previewChangeset(doc: Y.Doc, changeset: Changeset): ChangesetPreview {
  const copy = new Y.Doc({ gc: false });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const ids = openHunkIds(changeset);
  const result =
    ids.length > 0 ? applyHunks(copy, changeset, ids, { taskId: changeset.taskId, userId: 'preview' }) : null;
  const files = changeset.files.map((file) => ({
    path: file.path,
    current: fileText(doc, file.path)?.toString() ?? '',
    proposed: fileText(copy, file.path)?.toString() ?? '',
  }));
  copy.destroy();
  const conflicts = result?.conflicts ?? [];
  const conflictById = new Map(conflicts.map((c) => [c.hunkId, c]));
  const open = new Set(ids);
  const hunks = changeset.files.flatMap((file) =>
    file.hunks.map((hunk): HunkPreview => {
      const base = { hunkId: hunk.id, path: file.path };
      const conflict = conflictById.get(hunk.id);
      if (conflict) return { ...base, outcome: 'conflict', conflict };
      if (!open.has(hunk.id)) return { ...base, outcome: 'decided', status: hunk.status };
      return { ...base, outcome: 'clean', before: hunk.oldText, after: hunk.newText };
    }),
  );
  return { files, conflicts, hunks };
}
