// Real Y.Docs for the changeset tests: a "server" doc the engine writes to and "human" peers that sync with it.
import * as Y from 'yjs';
import { filesMap } from './workspace-files.ts';

export function docWith(files: Record<string, string>, options: { gc?: boolean } = {}): Y.Doc {
  const doc = new Y.Doc({ gc: options.gc ?? true });
  doc.transact(() => {
    for (const [path, content] of Object.entries(files)) {
      const text = new Y.Text();
      filesMap(doc).set(path, text);
      text.insert(0, content);
    }
  });
  return doc;
}

/** A second replica of `doc`, as a browser would hold after syncing. */
export function peerOf(doc: Y.Doc): Y.Doc {
  const peer = new Y.Doc();
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
  return peer;
}

/** Exchanges missing updates both ways, like the sync protocol does. */
export function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

export function textOf(doc: Y.Doc, path: string): Y.Text {
  const value = filesMap(doc).get(path);
  if (!(value instanceof Y.Text)) throw new Error(`no file ${path}`);
  return value;
}

export function read(doc: Y.Doc, path: string): string | undefined {
  const value = filesMap(doc).get(path);
  return value instanceof Y.Text ? value.toJSON() : undefined;
}

/** Inserts `insert` right before the first occurrence of `marker` in the file. */
export function typeBefore(doc: Y.Doc, path: string, marker: string, insert: string): void {
  const text = textOf(doc, path);
  const at = text.toJSON().indexOf(marker);
  if (at === -1) throw new Error(`marker ${marker} not in ${path}`);
  text.insert(at, insert);
}

/** Replaces the first occurrence of `search` in the file. */
export function replaceIn(doc: Y.Doc, path: string, search: string, replacement: string): void {
  const text = textOf(doc, path);
  const at = text.toJSON().indexOf(search);
  if (at === -1) throw new Error(`${search} not in ${path}`);
  doc.transact(() => {
    text.delete(at, search.length);
    text.insert(at, replacement);
  });
}
