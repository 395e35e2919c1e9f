// The workspace document's layout as the sync room enforces it on every client update: the same path rules as the
// file API (`normalizePath`), the value type each map holds, and well-formed metadata. A client's Yjs provider can
// write anything into the document, so this is what keeps `files`, `binaries` and `meta` readable by everyone else.
import * as Y from 'yjs';
import type { DocLayout, ItemContent, ItemPlace } from '../sync/update-check.ts';
import { removeEntry } from './doc-writes.ts';
import { normalizePath } from './path.ts';
import {
  BINARIES_MAP,
  FILES_MAP,
  META_MAP,
  parseMeta,
  storedFiles,
  storedFileSize,
} from './workspace-doc.ts';

/** Language ids are short words (`typescript`, `plaintext`); this only keeps a metadata entry from being a blob. */
const MAX_LANGUAGE_LENGTH = 64;

/** The reason a key is not a canonical workspace path, or null when it is one. */
function pathProblem(key: string): string | null {
  try {
    const normalized = normalizePath(key);
    return normalized === key ? null : `path ${JSON.stringify(key)} is not in canonical form`;
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid path';
  }
}

function entryProblem(map: string, content: ItemContent): string | null {
  // A deleted entry holds nothing any reader sees; only its key matters.
  if (content instanceof Y.ContentDeleted) return null;
  switch (map) {
    case FILES_MAP:
      return content instanceof Y.ContentType &&
        content.type instanceof Y.Text &&
        !(content.type instanceof Y.XmlText)
        ? null
        : 'a text file must be a Y.Text';
    case BINARIES_MAP:
      return content instanceof Y.ContentBinary ? null : 'a binary file must be bytes';
    default: {
      if (!(content instanceof Y.ContentAny) || content.arr.length !== 1)
        return 'file metadata must be one object';
      const meta = parseMeta(content.arr[0]);
      if (meta === undefined) return 'file metadata must be { binary, language }';
      return meta.language.length > MAX_LANGUAGE_LENGTH ? 'file metadata has an overlong language' : null;
    }
  }
}

function refuseWorkspaceItem(place: ItemPlace, content: ItemContent): string | null {
  const { root, via, key } = place;
  if (root !== FILES_MAP && root !== BINARIES_MAP && root !== META_MAP) {
    return `${JSON.stringify(root)} is not part of the workspace document`;
  }
  if (via.length === 0) {
    if (key === null) return `${root} holds entries by path, not a list`;
    return pathProblem(key) ?? entryProblem(root, content);
  }
  // The only nested content is the characters of a text file.
  const [file] = via;
  if (via.length === 1 && root === FILES_MAP && file?.type === 'text' && key === null) {
    return content instanceof Y.ContentString || content instanceof Y.ContentDeleted
      ? null
      : 'a text file holds plain text only';
  }
  return `${root} entries hold no nested content there`;
}

/** Whether a value read from a live map is what that map holds (`entryProblem` on live values). */
function validValue(map: string, value: unknown): boolean {
  if (map === FILES_MAP) return value instanceof Y.Text && !(value instanceof Y.XmlText);
  if (map === BINARIES_MAP) return value instanceof Uint8Array;
  const meta = parseMeta(value);
  return meta !== undefined && meta.language.length <= MAX_LANGUAGE_LENGTH;
}

/**
 * Entries a document took in before updates were checked (a path the API refuses, a value of the wrong type) show in
 * the tree and can be neither renamed nor deleted through the API: they go when the document loads.
 */
function repairWorkspaceDoc(doc: Y.Doc): number {
  let removed = 0;
  for (const map of [FILES_MAP, BINARIES_MAP, META_MAP] as const) {
    for (const [key, value] of doc.getMap(map)) {
      if (pathProblem(key) === null && validValue(map, value)) continue;
      removeEntry(doc, map, key);
      removed++;
    }
  }
  return removed;
}

/** The layout `RoomManager` enforces on workspace documents. */
export const workspaceDocLayout: DocLayout = {
  refuse: refuseWorkspaceItem,
  contentBytes: (doc) => storedFiles(doc).reduce((sum, file) => sum + storedFileSize(file), 0),
  repair: repairWorkspaceDoc,
};
