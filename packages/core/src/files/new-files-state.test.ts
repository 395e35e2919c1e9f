import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { concatBytes } from '../bytes.ts';
import { encodeStateInParts } from '../sync/encode-state.ts';
import { putFile } from './doc-writes.ts';
import { detectLanguage } from './language.ts';
import { resolveWorkspaceLimits } from './limits.ts';
import { NewFilesState } from './new-files-state.ts';
import { readTextFile } from './queries.ts';
import { getStoredFile, storedFiles } from './workspace-doc.ts';
import { prepareContent } from './write-guards.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const hex = (parts: Uint8Array[]) => Buffer.from(concatBytes(parts)).toString('hex');
const limits = resolveWorkspaceLimits();

/** Every kind of file a clone brings, in an order with no two of a kind together. */
const FILES: [string, string | Uint8Array][] = [
  ['README.md', utf8('# Title\n\nSome text.\n')],
  ['assets/logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])],
  ['src/empty.ts', utf8('')],
  ['src/ünïcödé/日本語.ts', utf8('const s = "😀 — ∑ 日本";\n'.repeat(40))],
  ['src/bom.ts', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('x = 1\n')])],
  ['bin/latin1.dat', new Uint8Array([0x63, 0x61, 0x66, 0xe9])],
  ['src/given-as-a-string.ts', 'export const n = 1; // 𝔘\n'],
  ['big/long.txt', utf8('0123456789abcdef'.repeat(5_000))],
  ['z.ts', utf8('z')],
];

/** What Yjs itself stores for `files` put into an empty document by `client`, in transactions of `slice` files. */
function yjsState(client: number, files: typeof FILES, slice: number, partBytes: number) {
  const doc = new Y.Doc();
  doc.clientID = client;
  for (let at = 0; at < files.length; at += slice) {
    doc.transact(() => {
      for (const [path, content] of files.slice(at, at + slice)) {
        putFile(doc, path, prepareContent(path, content, limits), detectLanguage(path));
      }
    });
  }
  return { doc, parts: encodeStateInParts(doc, partBytes) };
}

function written(client: number, files: typeof FILES, partBytes: number) {
  const state = new NewFilesState(client, partBytes);
  for (const [path, content] of files) {
    const prepared = prepareContent(path, content, limits);
    const bytes = prepared.binary || typeof content === 'string' ? undefined : content;
    state.add(path, prepared, detectLanguage(path), bytes);
  }
  return { parts: state.finish(), clock: state.clock };
}

describe('the state of new files, written without a document', () => {
  it('is byte for byte what Yjs stores, in parts of the size asked for', () => {
    for (const [client, slice, partBytes] of [
      [1, 1, 100],
      [4_294_967_295, 3, 4_096],
      [123_456, 9, 8 * 1024 * 1024],
    ] as const) {
      const expected = yjsState(client, FILES, slice, partBytes);
      const actual = written(client, FILES, partBytes);
      expect(hex(actual.parts)).toBe(hex(expected.parts));
      expect(actual.clock).toBe(Y.getState(expected.doc.store, client));
      for (const part of actual.parts) {
        expect(part.byteLength).toBeLessThanOrEqual(partBytes);
        expect(part.byteOffset === 0 && part.byteLength === part.buffer.byteLength).toBe(true);
      }
    }
    // No files: the state of an empty document.
    expect(concatBytes(written(7, [], 64).parts)).toEqual(Y.encodeStateAsUpdate(new Y.Doc()));
  });

  it('loads as the files, editable by anyone', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, concatBytes(written(99, FILES, 1_000).parts));
    expect(new Set(storedFiles(doc).map((file) => file.path))).toEqual(new Set(FILES.map(([path]) => path)));
    expect(readTextFile(doc, 'src/bom.ts')).toBe('\uFEFFx = 1\n');
    expect(getStoredFile(doc, 'bin/latin1.dat')).toMatchObject({ binary: true });
    const peer = new Y.Doc();
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc));
    const text = getStoredFile(peer, 'src/ünïcödé/日本語.ts');
    if (!text || text.binary) throw new Error('the text file is missing');
    text.text.insert(0, '// edited\n');
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer));
    expect(readTextFile(doc, 'src/ünïcödé/日本語.ts')).toBe(
      `// edited\n${'const s = "😀 — ∑ 日本";\n'.repeat(40)}`,
    );
  });
});
