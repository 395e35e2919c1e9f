// The only code that mutates the three workspace maps. Callers validate first and call these inside one
// transaction, so the maps never disagree about a path from a peer's point of view.

import * as Y from 'yjs';
import { detectLanguage } from './language.ts';
import { computeTextEdits } from './text-diff.ts';
import type { PreparedContent } from './write-guards.ts';
import {
  type BINARIES_MAP,
  type FILES_MAP,
  type META_MAP,
  binariesMap,
  type FileMeta,
  filesMap,
  metaMap,
  type StoredFile,
} from './workspace-doc.ts';

export function putFile(doc: Y.Doc, path: string, content: PreparedContent, language: string): void {
  const meta: FileMeta = { binary: content.binary, language };
  if (content.binary) {
    filesMap(doc).delete(path);
    binariesMap(doc).set(path, content.bytes);
  } else {
    binariesMap(doc).delete(path);
    filesMap(doc).set(path, new Y.Text(content.text));
  }
  metaMap(doc).set(path, meta);
}

/** Deletes one entry of one map, for repairing a document whose entry breaks the layout (see doc-layout.ts). */
export function removeEntry(
  doc: Y.Doc,
  map: typeof FILES_MAP | typeof BINARIES_MAP | typeof META_MAP,
  key: string,
) {
  doc.getMap(map).delete(key);
}

export function removeFile(doc: Y.Doc, path: string): void {
  filesMap(doc).delete(path);
  binariesMap(doc).delete(path);
  metaMap(doc).delete(path);
}

/** Rewrites a Y.Text to `next` with the smallest edits we can find, so untouched characters keep their identity. */
export function replaceText(text: Y.Text, next: string): void {
  const edits = computeTextEdits(text.toJSON(), next);
  for (let i = edits.length - 1; i >= 0; i -= 1) {
    const edit = edits[i];
    if (!edit) continue;
    if (edit.deleteCount > 0) text.delete(edit.index, edit.deleteCount);
    if (edit.insert.length > 0) text.insert(edit.index, edit.insert);
  }
}

/** Replaces the content of an existing file in place when the kind stays the same, else swaps the entry. */
export function updateFile(doc: Y.Doc, file: StoredFile, content: PreparedContent): void {
  if (!file.binary && !content.binary) {
    replaceText(file.text, content.text);
    // Heals a path where concurrent peers left a binary beside the text (the text is what readers show).
    binariesMap(doc).delete(file.path);
    return;
  }
  putFile(doc, file.path, content, file.language);
}

/**
 * Moves a file. Yjs cannot re-parent a shared type, so a text file gets a fresh Y.Text with the same content;
 * positions anchored in the old one are lost, which is what a rename means to an editor anyway.
 */
export function moveFile(doc: Y.Doc, file: StoredFile, target: string): void {
  // Keep a language someone set by hand; follow the new extension otherwise.
  const language = file.language === detectLanguage(file.path) ? detectLanguage(target) : file.language;
  const content: PreparedContent = file.binary
    ? { binary: true, bytes: file.bytes, size: file.bytes.byteLength }
    : { binary: false, text: file.text.toJSON(), size: 0 };
  removeFile(doc, file.path);
  putFile(doc, target, content, language);
}
