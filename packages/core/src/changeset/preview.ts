// What a reviewer compares: each file's live text beside the text it would have if every still-open hunk landed
// now. Computed on a throwaway copy of the document with the real merge, so the preview is exactly what
// accepting would do, and hunks a human has since edited around show up as predicted conflicts.
import * as Y from 'yjs';
import { applyHunks } from './apply-hunks.ts';
import type { Changeset, HunkConflict } from './changeset.ts';
import { fileText } from './workspace-files.ts';

export interface FilePreview {
  path: string;
  /** The live text ('' when the file does not exist). */
  current: string;
  /** The text after every pending, accepted or conflicted hunk of this file lands ('' when it would not exist). */
  proposed: string;
}

export interface ChangesetPreview {
  files: FilePreview[];
  /** Open hunks that would not land cleanly against the live text. */
  conflicts: HunkConflict[];
}

const open = new Set(['pending', 'accepted', 'conflict']);

export function previewChangeset(doc: Y.Doc, changeset: Changeset): ChangesetPreview {
  const copy = new Y.Doc({ gc: false });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const ids = changeset.files.flatMap((f) => f.hunks.filter((h) => open.has(h.status)).map((h) => h.id));
  const result =
    ids.length > 0 ? applyHunks(copy, changeset, ids, { taskId: changeset.taskId, userId: 'preview' }) : null;
  const files = changeset.files.map((file) => ({
    path: file.path,
    current: fileText(doc, file.path)?.toString() ?? '',
    proposed: fileText(copy, file.path)?.toString() ?? '',
  }));
  copy.destroy();
  return { files, conflicts: result?.conflicts ?? [] };
}
