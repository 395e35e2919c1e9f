// File operations of the API on the live workspace document. Every call runs inside `rooms.transact`, so an edit
// is durable and broadcast to every connected peer before the call returns, and a refused edit (the core model
// validates before it touches the document) leaves nothing behind.
import {
  AppError,
  createFile,
  deleteFile,
  deleteFolder,
  exportSlice,
  fileExists,
  importFiles,
  importSlice,
  livePathIndex,
  isAppError,
  listTree,
  normalizePath,
  placeUnder,
  planExport,
  planImport,
  readFile,
  renameFile,
  renameFolder,
  serverEditOrigin,
  trackImport,
  workspaceStats,
  writeFile,
  type DownloadFormat,
  type FileInfo,
  type FolderMove,
  type ImportEntry,
  type RoomManager,
  type TreeEntry,
  type UploadEntryInput,
  type WorkspaceStats,
} from '@tandem/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UndoManager } from 'yjs';
import type { ArchivePool } from '../archive/archive-pool.ts';
import { SNAPSHOT_PART_BYTES } from '../sync/pg-storage.ts';

export type FileReadResult =
  (FileInfo & { binary: false; content: string }) | (FileInfo & { binary: true; base64: string });

export interface RenameResult {
  kind: 'file' | 'folder';
  /** Every file that moved, sorted by its old path. */
  moves: FolderMove[];
}

export interface DeleteResult {
  kind: 'file' | 'folder';
  /** Every file removed, sorted. */
  deleted: string[];
}

export interface UploadResult {
  files: number;
  bytes: number;
  created: string[];
  updated: string[];
}

export interface UploadOptions {
  folder?: string | undefined;
  overwrite: boolean;
  /** Transaction origin of the write (e.g. `userEditOrigin`, so the text is attributed to its uploader). */
  origin?: unknown;
}

const toBase64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
// A plain copy: the document must not keep a Buffer that shares Node's allocation pool.
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function listFiles(
  rooms: RoomManager,
  workspaceId: string,
): Promise<{ entries: TreeEntry[]; stats: WorkspaceStats }> {
  return rooms.transact(workspaceId, (doc) => ({ entries: listTree(doc), stats: workspaceStats(doc) }));
}

export async function readWorkspaceFile(
  rooms: RoomManager,
  workspaceId: string,
  path: string,
): Promise<FileReadResult> {
  const file = await rooms.transact(workspaceId, (doc) => readFile(doc, path));
  if (!file.binary) return file;
  const { content, ...info } = file;
  return { ...info, binary: true, base64: toBase64(content) };
}

export function createWorkspaceFile(
  rooms: RoomManager,
  workspaceId: string,
  path: string,
  content: { content?: string | undefined; base64?: string | undefined },
  origin?: unknown,
): Promise<FileInfo> {
  const value = content.base64 === undefined ? (content.content ?? '') : fromBase64(content.base64);
  return rooms.transact(workspaceId, (doc) => createFile(doc, path, value), origin);
}

/** Replaces a text file's content through the minimal-diff writer, so concurrent cursors survive. */
export function writeWorkspaceFile(
  rooms: RoomManager,
  workspaceId: string,
  path: string,
  content: string,
  origin?: unknown,
): Promise<FileInfo> {
  return rooms.transact(workspaceId, (doc) => writeFile(doc, path, content), origin);
}

/** Runs `onFile` when a file is at `path`, else `onFolder`; NOT_FOUND names both when neither exists. */
function fileOrFolder<T>(hasFile: boolean, path: string, onFile: () => T, onFolder: () => T): T {
  if (hasFile) return onFile();
  try {
    return onFolder();
  } catch (error) {
    if (isAppError(error) && error.code === 'NOT_FOUND') {
      throw new AppError('NOT_FOUND', `No file or folder ${JSON.stringify(path)} in this workspace.`, {
        details: { path },
      });
    }
    throw error;
  }
}

export function renamePath(
  rooms: RoomManager,
  workspaceId: string,
  from: string,
  to: string,
): Promise<RenameResult> {
  return rooms.transact(workspaceId, (doc) => {
    const source = normalizePath(from);
    return fileOrFolder<RenameResult>(
      fileExists(doc, source),
      source,
      () => ({ kind: 'file', moves: [{ from: source, to: renameFile(doc, source, to).path }] }),
      () => ({ kind: 'folder', moves: renameFolder(doc, source, to) }),
    );
  });
}

export function deletePath(rooms: RoomManager, workspaceId: string, path: string): Promise<DeleteResult> {
  return rooms.transact(workspaceId, (doc) => {
    const target = normalizePath(path);
    return fileOrFolder<DeleteResult>(
      fileExists(doc, target),
      target,
      () => {
        deleteFile(doc, target);
        return { kind: 'file', deleted: [target] };
      },
      () => ({ kind: 'folder', deleted: deleteFolder(doc, target) }),
    );
  });
}

async function importAll(
  rooms: RoomManager,
  workspaceId: string,
  entries: readonly ImportEntry[],
  options: UploadOptions,
): Promise<UploadResult> {
  const placed = placeUnder(options.folder, entries);
  const result = await rooms.transact(
    workspaceId,
    (doc) => importFiles(doc, placed, { overwrite: options.overwrite }),
    options.origin,
  );
  return {
    files: placed.length,
    bytes: result.totalBytes,
    created: result.created,
    updated: result.updated,
  };
}

/** Many files in one all-or-nothing import: text as given, bytes from base64. */
export function uploadEntries(
  rooms: RoomManager,
  workspaceId: string,
  files: readonly UploadEntryInput[],
  options: UploadOptions,
): Promise<UploadResult> {
  const entries = files.map((file) =>
    'text' in file
      ? { path: file.path, content: file.text }
      : { path: file.path, content: fromBase64(file.base64) },
  );
  return importAll(rooms, workspaceId, entries, options);
}

/** Lets the event loop run everything else that is waiting before the next slice of a large import or export. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const PATHS_PER_TURN = 250;

/**
 * Imports many files in slices of about 256 KiB (see `SliceOptions`), one `transact` each, yielding between them: a 100 MB archive as
 * one transaction held the event loop (and every peer's edits) for seconds. The whole import is checked before
 * the first slice, so a refusal writes nothing; if a slice still fails (a peer created one of its paths
 * meanwhile), the slices already written are undone.
 */
export async function importInSlices(
  rooms: RoomManager,
  workspaceId: string,
  entries: readonly ImportEntry[],
  options: UploadOptions,
): Promise<UploadResult> {
  // A few hundred paths a turn: all of a large archive's at once held the event loop for tens of milliseconds.
  const placed: ImportEntry[] = [];
  for (let at = 0; at < entries.length; at += PATHS_PER_TURN) {
    if (at > 0) await yieldToLoop();
    placed.push(...placeUnder(options.folder, entries.slice(at, at + PATHS_PER_TURN)));
  }
  const release = rooms.retain(workspaceId);
  const origin = Symbol('files.upload');
  let undo: UndoManager | undefined;
  let live: ReturnType<typeof livePathIndex> | undefined;
  try {
    const plan = await rooms.transact(workspaceId, (doc) => {
      const checked = planImport(doc, placed, { overwrite: options.overwrite });
      undo = trackImport(doc, origin);
      live = livePathIndex(doc);
      return checked;
    });
    const index = live?.index;
    const created: string[] = [];
    const updated: string[] = [];
    try {
      for (const slice of plan.slices) {
        await yieldToLoop();
        const result = await rooms.transact(
          workspaceId,
          (doc) => importSlice(doc, slice, { overwrite: options.overwrite }, index),
          origin,
        );
        created.push(...result.created);
        updated.push(...result.updated);
      }
    } catch (error) {
      const tracked = undo;
      if (tracked && created.length + updated.length > 0) {
        await rooms.transact(workspaceId, () => tracked.undo()).catch(() => undefined);
      }
      throw error;
    }
    return { files: placed.length, bytes: plan.totalBytes, created, updated };
  } finally {
    live?.stop();
    undo?.destroy();
    release();
  }
}

/**
 * Extracts a zip, tar or tar.gz on a worker thread (refusing unsafe names, links, duplicates and bombs) before
 * the document is touched, then imports every file. Into a workspace nobody has open, the worker imports too and
 * the event loop only stores the result: built here, a 100 MB document held the loop for seconds and its garbage
 * held every other workspace's edits for tens of milliseconds at a time. Should the workspace be opened meanwhile,
 * the archive is unpacked again and its files go into the live document. `archive` is the file holding it.
 */
export async function uploadArchive(
  rooms: RoomManager,
  archives: ArchivePool,
  workspaceId: string,
  archive: string,
  options: UploadOptions & { stripRoot: boolean },
): Promise<UploadResult> {
  // With a database connection of their own, the workers read the document there too.
  const edit = archives.direct
    ? await rooms.unloadedEdit(workspaceId, { read: false })
    : await rooms.unloadedEdit(workspaceId);
  if (edit !== null) {
    try {
      const imported = await archives.importStored(
        archive,
        workspaceId,
        edit.stored,
        {
          stripRoot: options.stripRoot,
          folder: options.folder,
          overwrite: options.overwrite,
          statePartBytes: SNAPSHOT_PART_BYTES,
        },
        (error) => rooms.reportApplyError(workspaceId, error),
      );
      const { files, totalBytes, created, updated, client, clockStart, clockEnd } = imported;
      const origin = options.origin ?? serverEditOrigin;
      let stored = false;
      try {
        stored = await edit.commit(imported.edit, { origin, client, clockStart, clockEnd });
      } finally {
        if (!stored) await archives.discard(imported.edit);
      }
      if (stored) return { files, bytes: totalBytes, created, updated };
    } finally {
      edit.abandon();
    }
  }
  return importInSlices(rooms, workspaceId, await archives.unpack(archive, options.stripRoot), options);
}

/** A workspace packed into a file of its own for a download, readable until `release`. */
export interface ArchiveDownload {
  path: string;
  size: number;
  /** Document entries left out because their names are invalid or collide (see `planExport`). */
  skipped: string[];
  /** Lets go of the file (once is enough); the last download that shares it removes it. */
  release(): Promise<void>;
}

interface PackedArchive {
  path: string;
  size: number;
  skipped: string[];
  remove(): Promise<void>;
}

/** Hands out the packed archive to `holders` downloads, each with a release of its own. */
type ShareArchive = () => ArchiveDownload;

interface SharedExport {
  /** Turns true once the workspace may have changed since the export read it. */
  watch: { readonly changed: boolean; stop(): void };
  /** Downloads waiting for this export, each of which takes a share of it. */
  holders: number;
  result: Promise<ShareArchive>;
}

/** Per archive pool (one per server), the exports of unloaded workspaces in progress, by workspace and format. */
const sharedExports = new WeakMap<ArchivePool, Map<string, SharedExport>>();

/** Packs into a file in a new folder of the system's temporary folder, which goes with the last share. */
async function packToFile(
  pack: (out: string) => Promise<{ size: number; skipped: string[] }>,
): Promise<PackedArchive> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-download-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = join(dir, 'archive');
  try {
    return { ...(await pack(file)), path: file, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

function share(packed: PackedArchive, holders: number): ShareArchive {
  let left = holders;
  return () => {
    let released = false;
    return {
      path: packed.path,
      size: packed.size,
      skipped: packed.skipped,
      release: async () => {
        if (released) return;
        released = true;
        left -= 1;
        if (left === 0) await packed.remove();
      },
    };
  };
}

/**
 * The whole workspace as a zip or tar.gz, packed on a worker thread into a file (sent from there, see
 * http/send-file.ts). From a loaded document, files are copied out in slices (each file as it is when its slice is
 * read); one nobody has open is read from storage on the worker. Downloads of one unloaded workspace that overlap
 * share one export while nothing changes it: each on its own brought its 100 MB through the event loop, whose
 * collector then held everyone's edits. Every download releases what it gets.
 */
export async function exportArchive(
  rooms: RoomManager,
  archives: ArchivePool,
  workspaceId: string,
  format: DownloadFormat,
): Promise<ArchiveDownload> {
  let shared = sharedExports.get(archives);
  if (shared === undefined) {
    shared = new Map();
    sharedExports.set(archives, shared);
  }
  const key = `${workspaceId}/${format}`;
  const running = shared.get(key);
  if (running !== undefined && !running.watch.changed) {
    running.holders += 1;
    return (await running.result)();
  }
  const watch = rooms.watchUnloaded(workspaceId);
  if (watch === null) {
    const packed = await packToFile((out) => exportLive(rooms, archives, workspaceId, format, out));
    return share(packed, 1)();
  }
  const exports = shared;
  // Settled, it takes no more holders: the count is final when the shares are handed out.
  const settle = () => {
    watch.stop();
    if (exports.get(key) === entry) exports.delete(key);
  };
  const entry: SharedExport = {
    watch,
    holders: 1,
    result: packToFile((out) => exportStored(rooms, archives, workspaceId, format, out)).then(
      (packed) => {
        settle();
        return share(packed, entry.holders);
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    ),
  };
  exports.set(key, entry);
  return (await entry.result)();
}

async function exportStored(
  rooms: RoomManager,
  archives: ArchivePool,
  workspaceId: string,
  format: DownloadFormat,
  out: string,
): Promise<{ size: number; skipped: string[] }> {
  const onApplyError = (error: unknown) => rooms.reportApplyError(workspaceId, error);
  // The caller has just seen that nobody has it open here; with a database connection of its own, the worker reads it.
  if (archives.direct) return archives.exportStored(workspaceId, format, out, onApplyError);
  const stored = await rooms.storedIfUnloaded(workspaceId);
  if (stored === null) return exportLive(rooms, archives, workspaceId, format, out);
  return archives.exportStored(stored, format, out, onApplyError);
}

async function exportLive(
  rooms: RoomManager,
  archives: ArchivePool,
  workspaceId: string,
  format: DownloadFormat,
  out: string,
): Promise<{ size: number; skipped: string[] }> {
  const release = rooms.retain(workspaceId);
  try {
    const { slices, skipped } = await rooms.transact(workspaceId, (doc) => planExport(doc));
    const files: { path: string; content: Uint8Array }[] = [];
    for (const slice of slices) {
      await yieldToLoop();
      files.push(...(await rooms.transact(workspaceId, (doc) => exportSlice(doc, slice))));
    }
    return { size: await archives.pack(files, format, out), skipped };
  } finally {
    release();
  }
}
