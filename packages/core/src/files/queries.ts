// Read-only views of a workspace Y.Doc: one file, the tree, totals, and a byte export for archives.

import type * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { encodeText } from './content.ts';
import { ancestorsOf, comparePaths, normalizePath } from './path.ts';
import { getStoredFile, type StoredFile, storedFiles, storedFileSize } from './workspace-doc.ts';

export interface FileInfo {
  path: string;
  /** Bytes on disk (UTF-8 for text). */
  size: number;
  binary: boolean;
  language: string;
}

export type FileContent =
  (FileInfo & { binary: false; content: string }) | (FileInfo & { binary: true; content: Uint8Array });

export type TreeEntry = ({ kind: 'file' } & FileInfo) | { kind: 'folder'; path: string };

export interface WorkspaceStats {
  fileCount: number;
  binaryFileCount: number;
  folderCount: number;
  totalBytes: number;
}

export function notFound(path: string, what: 'file' | 'folder' = 'file'): AppError {
  return new AppError('NOT_FOUND', `No ${what} ${JSON.stringify(path)} in this workspace.`, {
    details: { path },
  });
}

/** The file at an already-normalized path, or `NOT_FOUND`. */
export function requireStored(doc: Y.Doc, path: string): StoredFile {
  const file = getStoredFile(doc, path);
  if (!file) throw notFound(path);
  return file;
}

function infoOf(file: StoredFile): FileInfo {
  return { path: file.path, size: storedFileSize(file), binary: file.binary, language: file.language };
}

export function fileInfo(doc: Y.Doc, path: string): FileInfo {
  return infoOf(requireStored(doc, normalizePath(path)));
}

export function fileExists(doc: Y.Doc, path: string): boolean {
  return getStoredFile(doc, normalizePath(path)) !== undefined;
}

/** A file's content: a string for text, a copy of the bytes for binary (so callers cannot mutate the doc). */
export function readFile(doc: Y.Doc, path: string): FileContent {
  const file = requireStored(doc, normalizePath(path));
  if (file.binary) return { ...infoOf(file), binary: true, content: file.bytes.slice() };
  return { ...infoOf(file), binary: false, content: file.text.toJSON() };
}

/** A text file's content; `BINARY_FILE` for a binary file. */
export function readTextFile(doc: Y.Doc, path: string): string {
  const file = requireStored(doc, normalizePath(path));
  if (file.binary) {
    throw new AppError('BINARY_FILE', `${JSON.stringify(file.path)} is a binary file, not text.`, {
      details: { path: file.path },
    });
  }
  return file.text.toJSON();
}

/** Files and the folders they imply, in tree order (see `comparePaths`). */
export function listTree(doc: Y.Doc): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const folders = new Set<string>();
  for (const file of storedFiles(doc)) {
    entries.push({ kind: 'file', ...infoOf(file) });
    for (const folder of ancestorsOf(file.path)) folders.add(folder);
  }
  for (const path of folders) entries.push({ kind: 'folder', path });
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}

export function workspaceStats(doc: Y.Doc): WorkspaceStats {
  const files = storedFiles(doc);
  const folders = new Set(files.flatMap((file) => ancestorsOf(file.path)));
  return {
    fileCount: files.length,
    binaryFileCount: files.filter((file) => file.binary).length,
    folderCount: folders.size,
    totalBytes: files.reduce((sum, file) => sum + storedFileSize(file), 0),
  };
}

export interface ExportedFile {
  path: string;
  content: Uint8Array;
}

/** Every file as bytes, sorted by path: the input `writeArchive` expects. */
export function exportFiles(doc: Y.Doc): ExportedFile[] {
  return storedFiles(doc)
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((file) => ({
      path: file.path,
      content: file.binary ? file.bytes.slice() : encodeText(file.text.toJSON()),
    }));
}
