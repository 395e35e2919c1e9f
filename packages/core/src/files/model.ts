// File operations on a workspace Y.Doc. Each one validates everything first and then changes the document in
// a single transaction with the caller's origin, so peers see one update and undo/rollback can filter by origin.

import type * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { moveFile, putFile, removeFile, updateFile } from './doc-writes.ts';
import { detectLanguage } from './language.ts';
import { resolveWorkspaceLimits, type WorkspaceLimits } from './limits.ts';
import { comparePaths, isInside, normalizePath, rebasePath } from './path.ts';
import { type FileInfo, fileInfo, notFound, requireStored } from './queries.ts';
import {
  assertNoConflict,
  assertWorkspaceFits,
  binaryFileError,
  type FileContentInput,
  indexOf,
  type PreparedContent,
  prepareContent,
} from './write-guards.ts';
import { type StoredFile, storedFileSize } from './workspace-doc.ts';

export interface MutationOptions {
  /** Transaction origin: lets undo managers, rollback and the sync layer tell who made the change. */
  origin?: unknown;
}

export interface WriteOptions extends MutationOptions {
  limits?: Partial<WorkspaceLimits>;
}

/**
 * Creates a text file (string, or bytes that are valid UTF-8) or a binary file (other bytes). Refuses a path that
 * exists, differs from an existing one only in letter case, or collides with a folder.
 *
 * @param doc - the workspace document (`doc.getMap('files')`: path -> Y.Text, or bytes for a binary file)
 * @param path - a workspace path; normalized first (`normalizePath`)
 * @param content - text, or bytes
 * @param options - `origin` of the transaction; `limits` to use instead of the default workspace limits
 * @returns the file's normalized path, size in bytes, whether it is binary, and its detected language
 * @throws AppError `INVALID_PATH` for a path that is not allowed; `PATH_EXISTS` when the path or a case variant is
 *   taken, or a folder is in the way; `FILE_TOO_LARGE` / `WORKSPACE_TOO_LARGE` over the limits. Nothing changes then.
 * @example
 * ```ts
 * const doc = new Y.Doc();
 * createFile(doc, 'src/index.ts', 'export {};\n'); // { path: 'src/index.ts', size: 11, binary: false, language: 'typescript' }
 * ```
 */
export function createFile(
  doc: Y.Doc,
  path: string,
  content: FileContentInput,
  options: WriteOptions = {},
): FileInfo {
  const target = normalizePath(path);
  const limits = resolveWorkspaceLimits(options.limits);
  const prepared = prepareContent(target, content, limits);
  assertNoConflict(indexOf(doc), target);
  assertWorkspaceFits(doc, { replaced: new Set(), addedBytes: prepared.size, addedFiles: 1 }, limits);
  const language = detectLanguage(target);
  doc.transact(() => putFile(doc, target, prepared, language), options.origin);
  return { path: target, size: prepared.size, binary: prepared.binary, language };
}

/** Content for an existing file: a text file takes text only, a binary file takes bytes only. */
function prepareReplacement(
  file: StoredFile,
  content: FileContentInput,
  limits: WorkspaceLimits,
): PreparedContent {
  if (file.binary) {
    if (typeof content === 'string') {
      throw binaryFileError(file.path, 'is a binary file and cannot be edited as text');
    }
    const prepared = prepareContent(file.path, content, limits);
    return prepared.binary ? prepared : { binary: true, bytes: content.slice(), size: prepared.size };
  }
  const prepared = prepareContent(file.path, content, limits);
  if (prepared.binary) throw binaryFileError(file.path, 'is a text file; the new content is binary');
  return prepared;
}

/**
 * Replaces a file's content. Text is applied as a minimal character diff to the existing Y.Text, never as
 * delete-all/insert-all, so concurrent cursors and anchors in unchanged text survive.
 *
 * @param doc - the workspace document
 * @param path - an existing file's path
 * @param content - the whole new content: text for a text file, bytes for a binary file
 * @param options - `origin` of the transaction; `limits` to use instead of the defaults
 * @returns the file's path, new size, binary flag and language
 * @throws AppError `NOT_FOUND` when there is no such file; `BINARY_FILE` for text into a binary file or bytes into a
 *   text file; `FILE_TOO_LARGE` / `WORKSPACE_TOO_LARGE` when it grows past the limits (a write that does not grow
 *   the file is always allowed).
 * @example
 * ```ts
 * writeFile(doc, 'src/index.ts', 'export const answer = 42;\n', { origin: 'import' });
 * ```
 */
export function writeFile(
  doc: Y.Doc,
  path: string,
  content: FileContentInput,
  options: WriteOptions = {},
): FileInfo {
  const target = normalizePath(path);
  const limits = resolveWorkspaceLimits(options.limits);
  const file = requireStored(doc, target);
  const prepared = prepareReplacement(file, content, limits);
  // A write that does not grow the file is always allowed, even if the workspace is over a since-lowered limit.
  if (prepared.size > storedFileSize(file)) {
    assertWorkspaceFits(
      doc,
      { replaced: new Set([target]), addedBytes: prepared.size, addedFiles: 1 },
      limits,
    );
  }
  doc.transact(() => updateFile(doc, file, prepared), options.origin);
  return { path: target, size: prepared.size, binary: prepared.binary, language: file.language };
}

/**
 * Moves one file; its Y.Text moves with it, so the history and anchors inside it stay valid.
 *
 * @param from - the file's current path
 * @param to - the new path; renaming to the same path does nothing
 * @returns the file at its new path
 * @throws AppError `NOT_FOUND` when `from` is not a file; `INVALID_PATH` for a bad `to`; `PATH_EXISTS` when `to` is
 *   taken (a case-only rename of the same file is allowed).
 * @example
 * ```ts
 * renameFile(doc, 'src/old.ts', 'src/new.ts');
 * ```
 */
export function renameFile(doc: Y.Doc, from: string, to: string, options: MutationOptions = {}): FileInfo {
  const source = normalizePath(from);
  const target = normalizePath(to);
  const file = requireStored(doc, source);
  if (source !== target) {
    const index = indexOf(doc);
    index.remove(source);
    assertNoConflict(index, target);
    doc.transact(() => moveFile(doc, file, target), options.origin);
  }
  return fileInfo(doc, target);
}

export interface FolderMove {
  from: string;
  to: string;
}

/**
 * Moves every file under `from` to the same place under `to`, with the same collision rules as a create, in one
 * transaction.
 *
 * @returns each move, in tree order; empty when `from` and `to` are the same
 * @throws AppError `NOT_FOUND` when no file is under `from`; `INVALID_PATH` for a move into itself;
 *   `PATH_EXISTS` when any destination is taken (then nothing moves).
 * @example
 * ```ts
 * renameFolder(doc, 'src', 'lib'); // [{ from: 'src/a.ts', to: 'lib/a.ts' }, …]
 * ```
 */
export function renameFolder(
  doc: Y.Doc,
  from: string,
  to: string,
  options: MutationOptions = {},
): FolderMove[] {
  const source = normalizePath(from);
  const target = normalizePath(to);
  const index = indexOf(doc);
  const moving = index.filesInside(source).sort(comparePaths);
  if (moving.length === 0) throw notFound(source, 'folder');
  if (source === target) return [];
  if (isInside(source, target)) {
    throw new AppError('INVALID_PATH', `Cannot move the folder ${JSON.stringify(source)} into itself.`, {
      details: { from: source, to: target },
    });
  }
  for (const path of moving) index.remove(path);
  const moves = moving.map((path) => ({ from: path, to: normalizePath(rebasePath(path, source, target)) }));
  for (const move of moves) {
    assertNoConflict(index, move.to);
    index.add(move.to);
  }
  const files = moving.map((path) => requireStored(doc, path));
  doc.transact(() => {
    files.forEach((file, i) => {
      const move = moves[i];
      if (move) moveFile(doc, file, move.to);
    });
  }, options.origin);
  return moves;
}

/**
 * Deletes one file.
 *
 * @throws AppError `NOT_FOUND` when there is no such file; `INVALID_PATH` for a bad path.
 * @example
 * ```ts
 * deleteFile(doc, 'notes.txt', { origin: 'cleanup' });
 * ```
 */
export function deleteFile(doc: Y.Doc, path: string, options: MutationOptions = {}): void {
  const target = normalizePath(path);
  requireStored(doc, target);
  doc.transact(() => removeFile(doc, target), options.origin);
}

/**
 * Deletes every file under `path` in one transaction and returns their paths, sorted.
 *
 * @throws AppError `NOT_FOUND` when no file is under `path`.
 * @example
 * ```ts
 * deleteFolder(doc, 'build'); // ['build/a.js', 'build/b.js']
 * ```
 */
export function deleteFolder(doc: Y.Doc, path: string, options: MutationOptions = {}): string[] {
  const target = normalizePath(path);
  const paths = indexOf(doc).filesInside(target).sort(comparePaths);
  if (paths.length === 0) throw notFound(target, 'folder');
  doc.transact(() => {
    for (const file of paths) removeFile(doc, file);
  }, options.origin);
  return paths;
}
