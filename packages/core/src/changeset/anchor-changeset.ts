// Pins each hunk of a modified file to the live Y.Text, so it can later land wherever its lines have moved to.
import type * as Y from 'yjs';
import { segmentsAt, segmentsMatch } from './anchors.ts';
import type { Changeset, FileChange, Hunk } from './changeset.ts';
import { sha256Hex } from './hash.ts';
import { anchorRange } from './region.ts';
import { fileText } from './workspace-files.ts';

export interface AnchorOptions {
  /**
   * The snapshot the changeset's base texts were read at (see `captureBase`). With it, anchoring is exact even
   * if people have edited the files since; without it the live text must still equal the base text.
   */
  snapshot?: Y.Snapshot;
}

/**
 * Returns the changeset with an `anchor` on every hunk of a modified file that could be pinned. A hunk left
 * without one (file gone, or its text was not at `oldOffset` in the base) is reported as a conflict on apply.
 * Created and deleted files need no anchors: they are checked against the whole file.
 *
 * @param doc - the live workspace document
 * @param changeset - from `computeChangeset`, against the texts of `options.snapshot`
 * @param options - `snapshot`: the `Y.Snapshot` from `captureBase`; without it the live text must still equal the
 *   base text, or the hunks are left unanchored
 * @returns a new changeset; the input is not changed. Never throws for text that moved or changed.
 * @example
 * ```ts
 * const anchored = anchorChangeset(doc, changeset, { snapshot: base.snapshot });
 * ```
 */
export function anchorChangeset(doc: Y.Doc, changeset: Changeset, options: AnchorOptions = {}): Changeset {
  return {
    ...changeset,
    files: changeset.files.map((file) =>
      file.kind === 'modify' ? anchorFile(doc, file, options.snapshot) : file,
    ),
  };
}

function anchorFile(doc: Y.Doc, file: FileChange, snapshot: Y.Snapshot | undefined): FileChange {
  const text = fileText(doc, file.path);
  if (text === undefined) return { ...file, hunks: file.hunks.map(withoutAnchor) };

  if (snapshot === undefined) {
    // Offsets are only meaningful in the exact base text; anything else risks pinning to look-alike lines.
    if (sha256Hex(text.toJSON()) !== file.baseHash) return { ...file, hunks: file.hunks.map(withoutAnchor) };
    return {
      ...file,
      hunks: file.hunks.map((h) => ({
        ...h,
        anchor: anchorRange(text, h.oldOffset, h.oldOffset + h.oldText.length),
      })),
    };
  }

  const segments = segmentsAt(text, snapshot);
  return {
    ...file,
    hunks: file.hunks.map((h) =>
      segmentsMatch(segments, h.oldOffset, h.oldText)
        ? { ...h, anchor: anchorRange(text, h.oldOffset, h.oldOffset + h.oldText.length, snapshot) }
        : withoutAnchor(h),
    ),
  };
}

function withoutAnchor(hunk: Hunk): Hunk {
  const { anchor: _dropped, ...rest } = hunk;
  return rest;
}
