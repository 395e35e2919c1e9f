// Puts findings on the hunks a reviewer decides on: a finding on a line the change wrote belongs to that hunk.
// Findings elsewhere in a changed file keep no hunk (the file view shows them); the security scan keeps only
// findings in files the change touched, since the rest of the workspace is not what is being reviewed.
import type { Changeset } from '../changeset/changeset.ts';
import type { Finding } from './findings.ts';

/** Sets `hunkId` on findings whose line lies in a hunk's new range `[newStart, newStart + newLines)`. */
export function mapFindingsToHunks(findings: readonly Finding[], changeset: Changeset): Finding[] {
  const byPath = new Map(changeset.files.map((file) => [file.path, file]));
  return findings.map((finding) => {
    const { hunkId: _previous, ...rest } = finding;
    const hunk = byPath
      .get(finding.path)
      ?.hunks.find((h) => finding.line >= h.newStart && finding.line < h.newStart + h.newLines);
    return hunk === undefined ? rest : { ...rest, hunkId: hunk.id };
  });
}

/** Keeps findings in the given paths. */
export function findingsOnPaths(findings: readonly Finding[], paths: Iterable<string>): Finding[] {
  const keep = new Set(paths);
  return findings.filter((finding) => keep.has(finding.path));
}
