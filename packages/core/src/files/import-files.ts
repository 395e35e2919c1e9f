// Bulk import (uploads, archives, templates): every entry is validated before anything is written, then all of
// them land in one transaction, so an import either happens completely or not at all.

import type * as Y from 'yjs';
import { putFile, updateFile } from './doc-writes.ts';
import { detectLanguage } from './language.ts';
import { resolveWorkspaceLimits } from './limits.ts';
import type { WriteOptions } from './model.ts';
import { normalizePath } from './path.ts';
import {
  assertNoConflict,
  assertWorkspaceFits,
  type FileContentInput,
  indexOf,
  type PreparedContent,
  prepareContent,
} from './write-guards.ts';
import { getStoredFile, type StoredFile } from './workspace-doc.ts';

export interface ImportEntry {
  path: string;
  content: FileContentInput;
}

export interface ImportOptions extends WriteOptions {
  /**
   * Replace files that already exist at exactly the same path (text through a minimal diff). Without it any
   * existing path is a `PATH_EXISTS` error. Case-only and file/folder collisions are refused either way.
   */
  overwrite?: boolean;
}

export interface ImportResult {
  created: string[];
  updated: string[];
  totalBytes: number;
}

interface PlannedWrite {
  path: string;
  content: PreparedContent;
  existing: StoredFile | undefined;
}

export function importFiles(
  doc: Y.Doc,
  entries: readonly ImportEntry[],
  options: ImportOptions = {},
): ImportResult {
  const limits = resolveWorkspaceLimits(options.limits);
  const index = indexOf(doc);
  const planned: PlannedWrite[] = [];
  const replaced = new Set<string>();
  const seen = new Set<string>();

  for (const entry of entries) {
    const path = normalizePath(entry.path);
    const existing = seen.has(path) ? undefined : getStoredFile(doc, path);
    if (existing && options.overwrite) {
      replaced.add(path);
    } else {
      // Also catches a path listed twice, or twice in different letter case, within this import.
      assertNoConflict(index, path);
      index.add(path);
    }
    seen.add(path);
    planned.push({ path, content: prepareContent(path, entry.content, limits), existing });
  }

  const totalBytes = planned.reduce((sum, write) => sum + write.content.size, 0);
  assertWorkspaceFits(doc, { replaced, addedBytes: totalBytes, addedFiles: planned.length }, limits);

  doc.transact(() => {
    for (const write of planned) {
      if (write.existing) updateFile(doc, write.existing, write.content);
      else putFile(doc, write.path, write.content, detectLanguage(write.path));
    }
  }, options.origin);

  return {
    created: planned.filter((write) => !write.existing).map((write) => write.path),
    updated: planned.filter((write) => write.existing).map((write) => write.path),
    totalBytes,
  };
}
