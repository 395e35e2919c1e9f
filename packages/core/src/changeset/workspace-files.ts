// The changeset engine's view of the workspace layout (owned by ../files): text files live in `files` as Y.Text,
// with `meta` and `binaries` entries kept per path beside them.
import * as Y from 'yjs';
import { binariesMap, filesMap, metaMap } from '../files/workspace-doc.ts';

export { filesMap };

/** The file's Y.Text, or undefined when the path holds no text file. */
export function fileText(doc: Y.Doc, path: string): Y.Text | undefined {
  const value = filesMap(doc).get(path);
  return value instanceof Y.Text ? value : undefined;
}

/** Whether anything (text or binary) occupies the path. */
export function pathTaken(doc: Y.Doc, path: string): boolean {
  return filesMap(doc).has(path) || binariesMap(doc).has(path);
}

/** Creates an empty text file, integrated so positions can be taken in it right away. No meta entry is written:
 * readers fall back to detecting the language from the path. */
export function createTextFile(doc: Y.Doc, path: string): Y.Text {
  const text = new Y.Text();
  filesMap(doc).set(path, text);
  return text;
}

/** Removes every entry of the path, so no stale metadata outlives the file. */
export function removeFile(doc: Y.Doc, path: string): void {
  filesMap(doc).delete(path);
  binariesMap(doc).delete(path);
  metaMap(doc).delete(path);
}
