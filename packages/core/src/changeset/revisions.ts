// A continued task has numbered revisions of its changeset. The review shows the latest against the live text
// (`previewChangeset`) and, on request, against the one before: both revisions as they would land on the live
// text now, so the comparison shows only what the follow-up changed, not what people typed meanwhile.
import type * as Y from 'yjs';
import type { Changeset } from './changeset.ts';
import { previewChangeset } from './preview.ts';
import { fileText } from './workspace-files.ts';

export interface RevisionFileDiff {
  path: string;
  /** The file if the earlier revision's open changes landed now ('' when it would not exist). */
  previous: string;
  /** The same for the later revision. */
  current: string;
}

/** Per file either revision touches (sorted), the two proposed texts; files they leave alike are left out. */
export function compareRevisions(doc: Y.Doc, previous: Changeset, current: Changeset): RevisionFileDiff[] {
  const before = new Map(previewChangeset(doc, previous).files.map((f) => [f.path, f.proposed]));
  const after = new Map(previewChangeset(doc, current).files.map((f) => [f.path, f.proposed]));
  const live = (path: string) => fileText(doc, path)?.toString() ?? '';
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  return paths
    .map((path) => ({
      path,
      previous: before.get(path) ?? live(path),
      current: after.get(path) ?? live(path),
    }))
    .filter((file) => file.previous !== file.current);
}

/**
 * The files as a follow-up shows them to the model: the live `texts` with the changeset's open changes applied
 * wherever they still land (a file the changeset deletes is left out). Changes that would conflict are not in it.
 */
export function filesWithOpenChanges(
  doc: Y.Doc,
  texts: ReadonlyMap<string, string>,
  changeset: Changeset,
): Map<string, string> {
  const files = new Map(texts);
  const preview = previewChangeset(doc, changeset);
  for (const file of changeset.files) {
    const proposed = preview.files.find((f) => f.path === file.path)?.proposed ?? '';
    const open = file.hunks.some((h) => h.status === 'pending' || h.status === 'accepted');
    if (!open) continue;
    if (file.kind === 'delete' && proposed === '') files.delete(file.path);
    else files.set(file.path, proposed);
  }
  return files;
}
