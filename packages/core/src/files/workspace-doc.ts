// The fixed layout of a workspace Y.Doc and defensive reads of it. Peers write to the same maps, so every value is
// checked on the way out instead of trusted: a stray value of the wrong type is ignored, never thrown at a caller.

import * as Y from 'yjs';
import { utf8ByteLength } from './content.ts';
import { detectLanguage } from './language.ts';

/** `files`: path -> Y.Text (text files only). */
export const FILES_MAP = 'files';
/** `meta`: path -> FileMeta, for every file. */
export const META_MAP = 'meta';
/** `binaries`: path -> Uint8Array (binary files only; never edited as text). */
export const BINARIES_MAP = 'binaries';

export interface FileMeta {
  binary: boolean;
  /** Language id from `detectLanguage`, kept so a later rename or an admin can override it per file. */
  language: string;
}

export function filesMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(FILES_MAP);
}

export function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(META_MAP);
}

export function binariesMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(BINARIES_MAP);
}

export function parseMeta(value: unknown): FileMeta | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { binary, language } = value as Record<string, unknown>;
  if (typeof binary !== 'boolean' || typeof language !== 'string') return undefined;
  return { binary, language };
}

export type StoredFile =
  | { path: string; binary: false; text: Y.Text; language: string }
  | { path: string; binary: true; bytes: Uint8Array; language: string };

/**
 * The file stored at an exact (normalized) path. When concurrent peers left both a text and a binary entry for
 * one path, the text wins: it is the one people can see and repair in the editor.
 */
export function getStoredFile(doc: Y.Doc, path: string): StoredFile | undefined {
  const meta = parseMeta(metaMap(doc).get(path));
  const language = meta?.language ?? detectLanguage(path);
  const text = filesMap(doc).get(path);
  if (text instanceof Y.Text) return { path, binary: false, text, language };
  const bytes = binariesMap(doc).get(path);
  if (bytes instanceof Uint8Array) return { path, binary: true, bytes, language };
  return undefined;
}

/** Every stored file, in no particular order. */
export function storedFiles(doc: Y.Doc): StoredFile[] {
  const paths = new Set<string>();
  for (const [path, value] of filesMap(doc)) if (value instanceof Y.Text) paths.add(path);
  for (const [path, value] of binariesMap(doc)) if (value instanceof Uint8Array) paths.add(path);
  const result: StoredFile[] = [];
  for (const path of paths) {
    const file = getStoredFile(doc, path);
    if (file) result.push(file);
  }
  return result;
}

export function storedFileSize(file: StoredFile): number {
  return file.binary ? file.bytes.byteLength : utf8ByteLength(file.text.toJSON());
}

/** A cheap upper bound (a UTF-16 unit is at most 3 UTF-8 bytes) so limit checks rarely need exact sizes. */
export function storedFileSizeBound(file: StoredFile): number {
  return file.binary ? file.bytes.byteLength : file.text.length * 3;
}

/**
 * One row of the workspace's file list: what a file tree or picker needs, without the content. Only binaries carry
 * a size: a text file's size changes with every keystroke, and measuring all of them costs a pass over the whole
 * workspace (~150 ms for 5,000 files, 50 MB) on every listing.
 */
export type StoredFileEntry = { path: string; kind: 'text' } | { path: string; kind: 'binary'; size: number };

/**
 * Every stored file (text and binary) sorted by path, binaries with their byte size: the one way apps list the
 * workspace, so none of them re-declares which maps hold files.
 */
export function listStoredFiles(doc: Y.Doc): StoredFileEntry[] {
  return storedFiles(doc)
    .map((file): StoredFileEntry =>
      file.binary
        ? { path: file.path, kind: 'binary', size: file.bytes.byteLength }
        : { path: file.path, kind: 'text' },
    )
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Calls `onChange` whenever a file appears, disappears or changes kind (any peer, any map), but not on edits inside
 * a text file, so a listing is re-read only when it can differ. Returns the function that stops observing.
 */
export function observeStoredFiles(doc: Y.Doc, onChange: () => void): () => void {
  const maps = [filesMap(doc), binariesMap(doc)];
  const listener = (event: Y.YMapEvent<unknown>) => {
    if (event.keysChanged.size > 0) onChange();
  };
  for (const map of maps) map.observe(listener);
  return () => {
    for (const map of maps) map.unobserve(listener);
  };
}
