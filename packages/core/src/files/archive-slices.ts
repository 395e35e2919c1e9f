// Large imports and exports in slices: a server writes or reads a 100 MB archive's files over many short turns of
// its event loop instead of one long one, so nobody else's edits wait. Planning checks the whole import first (the
// same rules as `importFiles`), so a refused archive still writes nothing; an import that fails half-way (a peer
// created one of its paths meanwhile) is taken back out with the undo manager from `trackImport`.

import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { encodeStateInParts } from '../sync/encode-state.ts';
import { applyStoredDoc, snapshotUpdate, storedBytes } from '../sync/stored-doc.ts';
import type { StoredDoc, StoredEdit } from '../sync/types.ts';
import { encodeText, utf8ByteLength } from './content.ts';
import { putFile, updateFile } from './doc-writes.ts';
import type { ImportEntry, ImportOptions } from './import-files.ts';
import { detectLanguage } from './language.ts';
import { resolveWorkspaceLimits, type WorkspaceLimits } from './limits.ts';
import { NewFilesState } from './new-files-state.ts';
import { PathIndex } from './path-index.ts';
import { comparePaths, joinPath, normalizePath, tryNormalizePath } from './path.ts';
import {
  assertFileSize,
  assertNoConflict,
  assertWorkspaceFits,
  indexOf,
  livePathIndex,
  prepareContent,
  type PreparedContent,
} from './write-guards.ts';
import {
  binariesMap,
  filesMap,
  getStoredFile,
  metaMap,
  storedFiles,
  storedFileSizeBound,
} from './workspace-doc.ts';

export interface SliceOptions {
  /**
   * Content bytes per slice. A slice costs the event loop about 7 ms a MiB in all (Yjs, the write-ahead log, the
   * storage batch): 256 KiB keeps each turn near the 2 ms an edit takes anyway, for some 10% more time in all. A
   * slice must stay well above the write-ahead log's `directAppendBytes` (64 KiB), or a large upload fills the log
   * and every other workspace's keystrokes wait for the database behind it.
   */
  sliceBytes?: number;
  /** Files per slice, for trees of many tiny files whose cost is per file rather than per byte. */
  sliceFiles?: number;
}

const DEFAULT_SLICE_BYTES = 256 * 1024;
const DEFAULT_SLICE_FILES = 200;

function sliced<T>(items: readonly T[], size: (item: T) => number, options: SliceOptions): T[][] {
  const maxBytes = options.sliceBytes ?? DEFAULT_SLICE_BYTES;
  const maxFiles = options.sliceFiles ?? DEFAULT_SLICE_FILES;
  const slices: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item);
    if (current.length > 0 && (bytes + itemBytes > maxBytes || current.length >= maxFiles)) {
      slices.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

const contentBytes = (content: ImportEntry['content']) =>
  typeof content === 'string' ? utf8ByteLength(content) : content.byteLength;

export interface ImportPlan {
  /** Each slice is one `importSlice` call, in order. */
  slices: ImportEntry[][];
  totalBytes: number;
}

/**
 * Checks an import against `doc` as `importFiles` would (paths, conflicts within the import and with the
 * workspace, file and workspace limits) without writing anything, and splits it into slices.
 */
export function planImport(
  doc: Y.Doc,
  entries: readonly ImportEntry[],
  options: ImportOptions & SliceOptions = {},
): ImportPlan {
  const limits = resolveWorkspaceLimits(options.limits);
  const index = indexOf(doc);
  const replaced = new Set<string>();
  const seen = new Set<string>();
  const placed: ImportEntry[] = [];
  let totalBytes = 0;
  for (const entry of entries) {
    const path = normalizePath(entry.path);
    const exists = !seen.has(path) && getStoredFile(doc, path) !== undefined;
    if (exists && options.overwrite) {
      replaced.add(path);
    } else {
      // A path listed twice must fail here: split over two slices, the second would quietly overwrite the first.
      assertNoConflict(index, path);
      index.add(path);
    }
    seen.add(path);
    const size = contentBytes(entry.content);
    assertFileSize(path, size, limits);
    totalBytes += size;
    placed.push({ path, content: entry.content });
  }
  assertWorkspaceFits(doc, { replaced, addedBytes: totalBytes, addedFiles: placed.length }, limits);
  return { slices: sliced(placed, (entry) => contentBytes(entry.content), options), totalBytes };
}

/**
 * Writes one slice of a planned import in one transaction. The plan checked the workspace limits for the whole
 * import (checking them again per slice meant measuring the whole document every time); each path is checked
 * again against the document as it is now, since a peer may have created one meanwhile.
 */
export function importSlice(
  doc: Y.Doc,
  slice: readonly ImportEntry[],
  options: ImportOptions = {},
  /** The document's files as `livePathIndex` keeps them, instead of indexing the document for this slice. */
  live?: PathIndex,
): { created: string[]; updated: string[] } {
  const limits = resolveWorkspaceLimits(options.limits);
  const index = live ?? indexOf(doc);
  const writes = slice.map((entry) => {
    const existing = getStoredFile(doc, entry.path);
    if (!existing || !options.overwrite) {
      assertNoConflict(index, entry.path);
      // A live index learns the slice's paths from the transaction below; the plan already checked them against
      // each other.
      if (!live) index.add(entry.path);
    }
    return { path: entry.path, content: prepareContent(entry.path, entry.content, limits), existing };
  });
  doc.transact(() => {
    for (const write of writes) {
      if (write.existing) updateFile(doc, write.existing, write.content);
      else putFile(doc, write.path, write.content, detectLanguage(write.path));
    }
  }, options.origin);
  return {
    created: writes.filter((write) => !write.existing).map((write) => write.path),
    updated: writes.filter((write) => write.existing).map((write) => write.path),
  };
}

/**
 * Records every transaction made with `origin` on the file maps, so a sliced import that fails part-way can be
 * undone as one step. Create it before the first slice; destroy it when the import is over.
 */
export function trackImport(doc: Y.Doc, origin: unknown): Y.UndoManager {
  return new Y.UndoManager([filesMap(doc), binariesMap(doc), metaMap(doc)], {
    trackedOrigins: new Set([origin]),
    captureTimeout: Number.POSITIVE_INFINITY,
  });
}

export interface ExportPlan {
  /** Paths to read with `exportSlice`, sorted, one slice at a time. */
  slices: string[][];
  /** Document entries left out because their names are invalid or collide. */
  skipped: string[];
}

/**
 * Plans an archive of the whole workspace. Peers write the shared document directly, so it can hold names the
 * file model would refuse (`../x`, two spellings of one path, a file inside a file): those are left out rather
 * than failing the whole download; of colliding names, the first in tree order is kept.
 */
export function planExport(doc: Y.Doc, options: SliceOptions = {}): ExportPlan {
  const files = storedFiles(doc).sort((a, b) => comparePaths(a.path, b.path));
  const index = new PathIndex();
  const kept: { path: string; bound: number }[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    if (tryNormalizePath(file.path) !== file.path || index.conflict(file.path)) {
      skipped.push(file.path);
      continue;
    }
    index.add(file.path);
    kept.push({ path: file.path, bound: storedFileSizeBound(file) });
  }
  const slices = sliced(kept, (file) => file.bound, options).map((slice) => slice.map((file) => file.path));
  return { slices, skipped };
}

/**
 * The content of `paths` as bytes, each in a buffer of its own (so it can be moved to another thread). A file
 * deleted since the plan was made is left out: an archive of a live workspace shows each file as it was when read.
 */
export function exportSlice(doc: Y.Doc, paths: readonly string[]): { path: string; content: Uint8Array }[] {
  const result: { path: string; content: Uint8Array }[] = [];
  for (const path of paths) {
    const file = getStoredFile(doc, path);
    if (!file) continue;
    result.push({ path, content: file.binary ? file.bytes.slice() : encodeText(file.text.toJSON()) });
  }
  return result;
}

/**
 * Every file of a stored document (snapshot and updates, as storage holds it), read in one go: for a workspace nobody
 * has open, on a thread other than the server's event loop, where loading a 100 MB document costs seconds.
 */
export function exportStoredDoc(
  stored: StoredDoc,
  onApplyError: (error: unknown) => void,
): { files: { path: string; content: Uint8Array }[]; skipped: string[] } {
  const doc = new Y.Doc();
  try {
    applyStoredDoc(doc, stored, null, onApplyError);
    const { slices, skipped } = planExport(doc);
    return { files: slices.flatMap((paths) => exportSlice(doc, paths)), skipped };
  } finally {
    doc.destroy();
  }
}

/**
 * Places entry paths under `folder`. Each entry path is normalized on its own first, so an entry like `/abs` is
 * refused instead of quietly becoming `folder/abs`.
 */
export function placeUnder(folder: string | undefined, entries: readonly ImportEntry[]): ImportEntry[] {
  const base = folder === undefined || folder === '' ? '' : normalizePath(folder);
  return entries.map((entry) => ({
    path: joinPath(base, normalizePath(entry.path)),
    content: entry.content,
  }));
}

export interface StoredImport {
  /**
   * The import to store: as Yjs updates, one per slice in order, or (with `statePartBytes`, when it outweighs what was
   * stored) as the document's whole state after it. Each buffer is its own, movable between threads.
   */
  edit: Exclude<StoredEdit, { staged: unknown }>;
  /** Files the import placed, written or already as they were. */
  files: number;
  totalBytes: number;
  created: string[];
  updated: string[];
  /** The Yjs client id the import wrote with and the clock range it used, for authorship. */
  client: number;
  clockStart: number;
  clockEnd: number;
}

export interface StoredImportOptions extends ImportOptions, SliceOptions {
  /**
   * When the import weighs at least as much as the stored document, return the document's whole state in parts of at
   * most this many bytes instead of updates (see `StoredEdit`): stored in place of the document, it sets off no
   * compaction that would load and store it all again.
   */
  statePartBytes?: number;
}

/**
 * Imports files into a stored document (snapshot and updates, as storage holds it) with the checks and slices of
 * `planImport` and `importSlice`, and returns the edit to store: for a workspace nobody has open, on a thread other
 * than the server's event loop, where building a 100 MB document took seconds and its garbage held every other
 * workspace's edits. Throws, writing nothing, if the import is refused.
 */
export function importIntoStoredDoc(
  stored: StoredDoc,
  entries: readonly ImportEntry[],
  options: StoredImportOptions,
  onApplyError: (error: unknown) => void,
): StoredImport {
  const weight = storedBytes(stored);
  const doc = new Y.Doc();
  try {
    applyStoredDoc(doc, stored, null, onApplyError);
    const plan = planImport(doc, entries, options);
    const { statePartBytes = 0 } = options;
    const asState = statePartBytes > 0 && plan.totalBytes >= weight;
    const clockStart = Y.getState(doc.store, doc.clientID);
    const updates: Uint8Array[] = [];
    const collect = (update: Uint8Array) => updates.push(update);
    if (!asState) doc.on('update', collect);
    const created: string[] = [];
    const updated: string[] = [];
    // Slices only for the updates they make; one index for all of them (indexing the document per slice was most of
    // the time of a 5,000-file import).
    const live = livePathIndex(doc);
    try {
      for (const slice of plan.slices) {
        const result = importSlice(doc, slice, options, live.index);
        created.push(...result.created);
        updated.push(...result.updated);
      }
    } finally {
      live.stop();
      doc.off('update', collect);
    }
    const edit = asState ? { state: encodeStateInParts(doc, statePartBytes) } : { updates };
    const clockEnd = Y.getState(doc.store, doc.clientID);
    return {
      edit,
      files: entries.length,
      totalBytes: plan.totalBytes,
      created,
      updated,
      client: doc.clientID,
      clockStart,
      clockEnd,
    };
  } finally {
    doc.destroy();
  }
}

/**
 * Imports new files into a stored document as their contents arrive (a clone reading its blobs from git): `feed`
 * hands each file to `add` in turn, and each slice goes into the document once it is full, so building the document
 * overlaps the reading. Each file is checked as `planImport` checks it (path, conflicts with the document and the
 * files before it, file size); the workspace limits are checked over the whole once `feed` is done. Nothing is
 * stored: the result is the whole state in parts of `statePartBytes` (see `StoredEdit`), and a refused import
 * leaves nothing behind. Files are only added (an existing path is refused). Into a document that holds nothing yet
 * (a new workspace), no document is built: the state is written straight from the files (`NewFilesState`).
 */
export async function importArrivingIntoStoredDoc(
  stored: StoredDoc,
  feed: (add: (entry: ImportEntry) => void) => Promise<void>,
  options: Pick<ImportOptions, 'limits'> & SliceOptions & { statePartBytes: number },
  onApplyError: (error: unknown) => void,
): Promise<StoredImport> {
  const limits = resolveWorkspaceLimits(options.limits);
  const maxBytes = options.sliceBytes ?? DEFAULT_SLICE_BYTES;
  const maxFiles = options.sliceFiles ?? DEFAULT_SLICE_FILES;
  const doc = new Y.Doc();
  try {
    applyStoredDoc(doc, stored, null, onApplyError);
    if (doc.store.clients.size === 0)
      return await importIntoNothing(doc, feed, limits, options.statePartBytes);
    const clockStart = Y.getState(doc.store, doc.clientID);
    let slice: { path: string; content: PreparedContent }[] = [];
    let sliceBytes = 0;
    const write = () => {
      const writes = slice;
      slice = [];
      sliceBytes = 0;
      doc.transact(() => {
        for (const { path, content } of writes) putFile(doc, path, content, detectLanguage(path));
      });
    };
    const { created, totalBytes } = await checkArriving(doc, feed, limits, (path, content) => {
      slice.push({ path, content });
      sliceBytes += content.size;
      if (sliceBytes >= maxBytes || slice.length >= maxFiles) write();
    });
    if (slice.length > 0) write();
    assertWorkspaceFits(doc, { replaced: new Set(), addedBytes: 0, addedFiles: 0 }, limits);
    const edit = { state: encodeStateInParts(doc, options.statePartBytes) };
    const clockEnd = Y.getState(doc.store, doc.clientID);
    const files = created.length;
    return { edit, files, totalBytes, created, updated: [], client: doc.clientID, clockStart, clockEnd };
  } finally {
    doc.destroy();
  }
}

/**
 * Hands each arriving file to `put` once it passes the checks of `planImport` (path, conflicts with `doc` and the files
 * before it, file size); answers the paths created and their bytes.
 */
async function checkArriving(
  doc: Y.Doc,
  feed: (add: (entry: ImportEntry) => void) => Promise<void>,
  limits: WorkspaceLimits,
  put: (path: string, content: PreparedContent, given: ImportEntry['content']) => void,
): Promise<{ created: string[]; totalBytes: number }> {
  const index = indexOf(doc);
  const created: string[] = [];
  let totalBytes = 0;
  await feed((entry) => {
    const path = normalizePath(entry.path);
    assertNoConflict(index, path);
    index.add(path);
    const content = prepareContent(path, entry.content, limits);
    created.push(path);
    totalBytes += content.size;
    put(path, content, entry.content);
  });
  return { created, totalBytes };
}

/**
 * `importArrivingIntoStoredDoc` into a document that holds nothing at all (no item, not even a deleted one), as a new
 * workspace's does: the same checks, and the state written straight from the files (see `NewFilesState`).
 */
async function importIntoNothing(
  empty: Y.Doc,
  feed: (add: (entry: ImportEntry) => void) => Promise<void>,
  limits: WorkspaceLimits,
  statePartBytes: number,
): Promise<StoredImport> {
  const state = new NewFilesState(empty.clientID, statePartBytes);
  const { created, totalBytes } = await checkArriving(empty, feed, limits, (path, content, given) => {
    // Text given as bytes was decoded from exactly the bytes its encoding would give back.
    const utf8 = content.binary || typeof given === 'string' ? undefined : given;
    state.add(path, content, detectLanguage(path), utf8);
  });
  assertWorkspaceFits(
    empty,
    { replaced: new Set(), addedBytes: totalBytes, addedFiles: created.length },
    limits,
  );
  const files = created.length;
  const edit = { state: state.finish() };
  return {
    edit,
    files,
    totalBytes,
    created,
    updated: [],
    client: state.client,
    clockStart: 0,
    clockEnd: state.clock,
  };
}

/** The updates that make up a stored edit, to apply to a live document; a staged one is in the storage only. */
export function storedEditUpdates(edit: StoredEdit): Uint8Array[] {
  if ('updates' in edit) return edit.updates;
  if ('staged' in edit) throw new AppError('INTERNAL', 'a staged edit is read back from storage only');
  const whole = snapshotUpdate(edit.state);
  return whole === null ? [] : [whole];
}

/** Whether a stored document holds any file (for a workspace that must be empty, read off the event loop). */
export function storedDocHasFiles(stored: StoredDoc, onApplyError: (error: unknown) => void): boolean {
  const doc = new Y.Doc();
  try {
    applyStoredDoc(doc, stored, null, onApplyError);
    return storedFiles(doc).length > 0;
  } finally {
    doc.destroy();
  }
}
