// Checks every write runs before it touches the document, so a refused operation leaves no partial change.

import type * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { decodeText, utf8ByteLength } from './content.ts';
import { formatBytes, type WorkspaceLimits } from './limits.ts';
import { describeConflict, PathIndex } from './path-index.ts';
import {
  binariesMap,
  filesMap,
  getStoredFile,
  storedFiles,
  storedFileSize,
  storedFileSizeBound,
} from './workspace-doc.ts';

/** Content a caller may pass: a string is always text; bytes are text unless `isBinaryContent` says otherwise. */
export type FileContentInput = string | Uint8Array;

export type PreparedContent =
  { binary: false; text: string; size: number } | { binary: true; bytes: Uint8Array; size: number };

export function assertFileSize(path: string, size: number, limits: WorkspaceLimits): void {
  if (size > limits.maxFileBytes) {
    throw new AppError(
      'FILE_TOO_LARGE',
      `${JSON.stringify(path)} is ${formatBytes(size)}; the limit is ${formatBytes(limits.maxFileBytes)}.`,
      { details: { path, size, limit: limits.maxFileBytes } },
    );
  }
}

/** Classifies and measures content for `path`, copying bytes so a caller reusing its buffer cannot change the doc. */
export function prepareContent(
  path: string,
  content: FileContentInput,
  limits: WorkspaceLimits,
): PreparedContent {
  if (typeof content === 'string') {
    const size = utf8ByteLength(content);
    assertFileSize(path, size, limits);
    return { binary: false, text: content, size };
  }
  assertFileSize(path, content.byteLength, limits);
  const text = content.includes(0) ? undefined : decodeText(content);
  if (text === undefined) return { binary: true, bytes: content.slice(), size: content.byteLength };
  return { binary: false, text, size: content.byteLength };
}

export function binaryFileError(path: string, detail: string): AppError {
  return new AppError('BINARY_FILE', `${JSON.stringify(path)} ${detail}.`, { details: { path } });
}

export function indexOf(doc: Y.Doc): PathIndex {
  return new PathIndex(storedFiles(doc).map((file) => file.path));
}

/**
 * The index of the document's files kept current after every transaction, whoever makes it: for work spread over
 * many transactions (a sliced import), where indexing the whole document again for each one made a 20,000-file
 * upload quadratic. Call `stop` when done.
 */
export function livePathIndex(doc: Y.Doc): { index: PathIndex; stop: () => void } {
  const indexed = new Set<string>();
  const index = new PathIndex();
  const sync = (path: string) => {
    const present = getStoredFile(doc, path) !== undefined;
    if (present && !indexed.has(path)) {
      indexed.add(path);
      index.add(path);
    } else if (!present && indexed.has(path)) {
      indexed.delete(path);
      index.remove(path);
    }
  };
  for (const file of storedFiles(doc)) sync(file.path);
  const onChange = (event: Y.YMapEvent<unknown>) => {
    for (const path of event.keysChanged as Set<string>) sync(path);
  };
  const maps = [filesMap(doc), binariesMap(doc)];
  for (const map of maps) map.observe(onChange);
  return { index, stop: () => maps.forEach((map) => map.unobserve(onChange)) };
}

export function assertNoConflict(index: PathIndex, path: string): void {
  const conflict = index.conflict(path);
  if (conflict) {
    throw new AppError('PATH_EXISTS', describeConflict(path, conflict), {
      details: { path, existing: conflict.existing, conflict: conflict.kind },
    });
  }
}

export interface WorkspaceChange {
  /** Existing files whose content the change replaces or removes. */
  replaced: ReadonlySet<string>;
  /** Size of every file the change writes. */
  addedBytes: number;
  /** Number of files the change writes (including replacements). */
  addedFiles: number;
}

/**
 * Refuses a change that would leave the workspace over its file-count or byte limit. Exact sizes need every
 * text encoded, so they are only computed when the cheap upper bound says the limit might be crossed.
 */
export function assertWorkspaceFits(doc: Y.Doc, change: WorkspaceChange, limits: WorkspaceLimits): void {
  const kept = storedFiles(doc).filter((file) => !change.replaced.has(file.path));
  const fileCount = kept.length + change.addedFiles;
  if (fileCount > limits.maxFiles) {
    throw new AppError(
      'WORKSPACE_TOO_LARGE',
      `The workspace would hold ${fileCount} files; the limit is ${limits.maxFiles}.`,
      { details: { files: fileCount, limit: limits.maxFiles } },
    );
  }
  const bound = kept.reduce((sum, file) => sum + storedFileSizeBound(file), 0);
  if (bound + change.addedBytes <= limits.maxWorkspaceBytes) return;
  const total = kept.reduce((sum, file) => sum + storedFileSize(file), 0) + change.addedBytes;
  if (total > limits.maxWorkspaceBytes) {
    throw new AppError(
      'WORKSPACE_TOO_LARGE',
      `The workspace would hold ${formatBytes(total)}; the limit is ${formatBytes(limits.maxWorkspaceBytes)}.`,
      { details: { bytes: total, limit: limits.maxWorkspaceBytes } },
    );
  }
}
