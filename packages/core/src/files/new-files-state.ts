// The state of a document that holds nothing but new files, written straight from the files: what `putFile` into an
// empty Y.Doc and then `encodeStateInParts` give, byte for byte, without building the document. A clone of 5,000
// files spent most of its import building a Y.Doc it then only encoded: its items and their text outlived the young
// generation and were copied by every scavenge, and each pause held up reading `git cat-file`, which then waited on
// a full pipe. Here each file's text is checked and measured, and its bytes are copied into the update once.
import * as encoding from 'lib0/encoding';
import { encodedParts, partEncoder } from '../sync/encode-state.ts';
import { encodeText } from './content.ts';
import { BINARIES_MAP, FILES_MAP, META_MAP, type FileMeta } from './workspace-doc.ts';
import type { PreparedContent } from './write-guards.ts';

// Yjs's update format (V1), as `Item.write` and the content classes write it.
const HAS_PARENT_SUB = 0b0010_0000;
const CONTENT_BINARY = 3;
const CONTENT_STRING = 4;
const CONTENT_TYPE = 7;
const CONTENT_ANY = 8;
const Y_TEXT = 2;

export class NewFilesState {
  readonly client: number;
  #clock = 0;
  #structs = 0;
  readonly #body: encoding.Encoder;
  readonly #partBytes: number;

  /** `client` writes every item; the encoded state comes in parts of at most `partBytes`. */
  constructor(client: number, partBytes: number) {
    this.client = client;
    this.#partBytes = partBytes;
    this.#body = partEncoder(partBytes);
  }

  /** The clock after the items written so far (the range `[0, clock)` of `client`). */
  get clock(): number {
    return this.#clock;
  }

  /**
   * Adds a file at a path no item of the document has used. `utf8` may give a text file's content as the UTF-8
   * bytes it was decoded from, to be copied as they are.
   */
  add(path: string, content: PreparedContent, language: string, utf8?: Uint8Array): void {
    const out = this.#body;
    const mapEntry = (map: string, ref: number) => {
      encoding.writeUint8(out, ref | HAS_PARENT_SUB);
      encoding.writeVarUint(out, 1); // The parent is a root type, named next.
      encoding.writeVarString(out, map);
      encoding.writeVarString(out, path);
      this.#structs += 1;
      this.#clock += 1;
    };
    if (content.binary) {
      mapEntry(BINARIES_MAP, CONTENT_BINARY);
      encoding.writeVarUint8Array(out, content.bytes);
    } else {
      const entry = this.#clock;
      mapEntry(FILES_MAP, CONTENT_TYPE);
      encoding.writeVarUint(out, Y_TEXT);
      // A Y.Text made with its text holds it as one item, whose parent is the map entry's type (none if empty).
      if (content.text.length > 0) {
        encoding.writeUint8(out, CONTENT_STRING);
        encoding.writeVarUint(out, 0); // The parent is a type, named by its item's id.
        encoding.writeVarUint(out, this.client);
        encoding.writeVarUint(out, entry);
        encoding.writeVarUint8Array(out, utf8 ?? encodeText(content.text));
        this.#structs += 1;
        this.#clock += content.text.length;
      }
    }
    mapEntry(META_MAP, CONTENT_ANY);
    encoding.writeVarUint(out, 1);
    encoding.writeAny(out, { binary: content.binary, language } satisfies FileMeta);
  }

  /** The encoded state: consecutive parts of at most `partBytes`, each owning its buffer. */
  finish(): Uint8Array[] {
    const head = encoding.createEncoder();
    if (this.#structs === 0) encoding.writeVarUint(head, 0);
    else {
      encoding.writeVarUint(head, 1); // One client,
      encoding.writeVarUint(head, this.#structs); // its structs,
      encoding.writeVarUint(head, this.client);
      encoding.writeVarUint(head, 0); // from clock 0.
    }
    encoding.writeVarUint(this.#body, 0); // No deletions.
    return encodedParts(this.#body, this.#partBytes, [encoding.toUint8Array(head)]);
  }
}
