// A document's state encoded as `Y.encodeStateAsUpdate` encodes it, byte for byte, in about half the time for a
// workspace of source files: lib0 copies each string under 10,000 characters into the output one byte at a time
// (after encoding it into a scratch buffer), which was half of encoding a 5,000-file, 12 MB workspace. Here each
// string is copied whole.
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { ownsWholeBuffer, splitBytes } from '../bytes.ts';

const utf8 = new TextEncoder();
/** Strings up to this many UTF-16 units are encoded into a scratch buffer; longer ones into their own. */
const SCRATCH_UNITS = 64 * 1024;
/** Shared by every encoder of this thread: each string is copied out of it before the next is encoded. */
let scratch: Uint8Array | null = null;

/** A V1 update encoder whose strings go into the output whole (the same bytes lib0 writes). */
function wholeStringEncoder(out: encoding.Encoder = encoding.createEncoder()): Y.UpdateEncoderV1 {
  const encoder = new Y.UpdateEncoderV1();
  encoder.restEncoder = out;
  encoder.writeString = (text: string) => {
    let bytes: Uint8Array;
    if (text.length <= SCRATCH_UNITS) {
      // UTF-8 takes at most three bytes for each UTF-16 unit.
      scratch ??= new Uint8Array(SCRATCH_UNITS * 3);
      bytes = scratch.subarray(0, utf8.encodeInto(text, scratch).written);
    } else bytes = utf8.encode(text);
    encoding.writeVarUint8Array(out, bytes);
  };
  return encoder;
}

/** `Y.encodeStateAsUpdate(doc, stateVector)`, faster. */
export function encodeState(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  return Y.encodeStateAsUpdateV2(doc, stateVector, wholeStringEncoder());
}

/**
 * The document's state as one update in consecutive parts of at most `partBytes`, each owning its buffer. Encoded
 * straight into a part-sized buffer: lib0's encoder fills its buffer, then goes on in a new one twice as large, so the
 * first part comes out as it is and only the rest is cut up. `Y.encodeStateAsUpdate` put three times the state in new
 * memory (the growing buffers, their join, the cut), and new memory is slow to touch on some virtual machines (3.6 ms
 * a megabyte here): 180 ms of a 5,000-file clone.
 */
export function encodeStateInParts(doc: Y.Doc, partBytes: number): Uint8Array[] {
  // Updates waiting for missing ones are merged into the state by `encodeStateAsUpdate`, which then needs its own.
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) {
    return ownedParts([encodeState(doc)], partBytes);
  }
  const bytes = partEncoder(partBytes);
  const encoder = wholeStringEncoder(bytes);
  // The parts are read from the encoder below; the joined copy is never made.
  encoder.toUint8Array = () => new Uint8Array(0);
  Y.encodeStateAsUpdateV2(doc, undefined, encoder);
  return encodedParts(bytes, partBytes);
}

/** An encoder that writes into a first buffer of `partBytes`, to be read with `encodedParts`. */
export function partEncoder(partBytes: number): encoding.Encoder {
  const encoder = encoding.createEncoder();
  encoder.cbuf = new Uint8Array(partBytes);
  return encoder;
}

/**
 * What `before` and then `encoder` hold, as consecutive parts of at most `partBytes`, each owning its buffer: a
 * buffer that is a whole part goes as it is (the encoder's first, from `partEncoder`), the rest is cut up.
 */
export function encodedParts(
  encoder: encoding.Encoder,
  partBytes: number,
  before: readonly Uint8Array[] = [],
): Uint8Array[] {
  return ownedParts([...before, ...encoder.bufs, encoder.cbuf.subarray(0, encoder.cpos)], partBytes);
}

function ownedParts(pieces: readonly Uint8Array[], partBytes: number): Uint8Array[] {
  return pieces
    .filter((piece) => piece.byteLength > 0)
    .flatMap((piece) =>
      piece.byteLength <= partBytes && ownsWholeBuffer(piece) ? [piece] : splitBytes(piece, partBytes),
    );
}
