// The workspace's files, live, read through core's document layout (never re-declared here): the listing is
// re-read only when a file appears, moves or disappears, never on keystrokes.
import {
  getStoredFile,
  listStoredFiles,
  observeStoredFiles,
  type StoredFile,
  type StoredFileEntry,
} from '@tandem/core';
import { useEffect, useState } from 'react';
import type * as Y from 'yjs';

export function useFileList(doc: Y.Doc | null): StoredFileEntry[] {
  const [entries, setEntries] = useState<StoredFileEntry[]>([]);
  useEffect(() => {
    if (!doc) return;
    const read = () => setEntries(listStoredFiles(doc));
    read();
    return observeStoredFiles(doc, read);
  }, [doc]);
  return entries;
}

/** The file at `path`, text or binary; the same object until the entry itself is replaced, so it is safe as a dep. */
export function useStoredFile(doc: Y.Doc | null, path: string | null): StoredFile | null {
  const [file, setFile] = useState<StoredFile | null>(null);
  useEffect(() => {
    if (!doc || !path) {
      setFile(null);
      return;
    }
    const read = () =>
      setFile((prev) => {
        const next = getStoredFile(doc, path) ?? null;
        // A fresh wrapper around the same Y.Text or bytes is the same file: keep the old one, keep the editor.
        if (prev && next && prev.binary === next.binary) {
          if (
            prev.binary
              ? prev.bytes === (next as typeof prev).bytes
              : prev.text === (next as typeof prev).text
          )
            return prev;
        }
        return next;
      });
    read();
    return observeStoredFiles(doc, read);
  }, [doc, path]);
  return file;
}
