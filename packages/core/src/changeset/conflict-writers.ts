// Who changed the lines a hunk runs into: the item ids of the text a person (or another task) put into the hunk's
// region since the task read it. Mapped through the recorded authorship (`authorsOf`), they name the people a
// review shows beside a conflict and tells when a resolution overwrites their text. Deletions leave no item of
// their own, so lines someone only removed name nobody.
import * as Y from 'yjs';
import { idsInRanges, insertedRanges, type IdRun } from '../git/attribution.ts';
import type { Changeset } from './changeset.ts';
import { findHunk } from './hunk-decisions.ts';
import { locateRegion } from './region.ts';
import { fileText } from './workspace-files.ts';

/** The ids of the characters in hunk `hunkId`'s region of the live text that the task did not see there. */
export function conflictWriters(doc: Y.Doc, changeset: Changeset, hunkId: string): IdRun[] {
  const { file, hunk } = findHunk(changeset, hunkId);
  if (file.kind === 'modify') {
    if (hunk.anchor === undefined) return [];
    const region = locateRegion(doc, file.path, hunk.anchor, hunk.oldText);
    if (!region.ok) return [];
    const ranges = insertedRanges(hunk.oldText, region.current);
    return idsInRanges(
      region.text,
      ranges.map((range) => ({ index: region.from + range.index, length: range.length })),
    );
  }
  // A created or deleted file: its whole text against what the task saw (nothing, or the deleted file's text).
  const text = fileText(doc, file.path);
  return text ? idsInRanges(text, insertedRanges(hunk.oldText, text.toString())) : [];
}

/** The runs any of whose characters are deleted now: what of `runs` a resolution took out of the text. */
export function deletedRuns(doc: Y.Doc, runs: readonly IdRun[]): IdRun[] {
  if (runs.length === 0) return [];
  const deleted = Y.createDeleteSetFromStructStore(doc.store);
  return runs.filter((run) => {
    for (let clock = run.clock; clock < run.clock + run.length; clock++) {
      if (Y.isDeleted(deleted, Y.createID(run.client, clock))) return true;
    }
    return false;
  });
}
