// Byte arrays joined end to end, for the few places that assemble one buffer from pieces (an archive, a key blob, a
// snapshot stored in parts), and which of them can move to another thread whole.

/**
 * True when `view` covers the whole of a plain (not shared) ArrayBuffer, which can then be transferred: moving bytes
 * to another thread (a worker's postMessage transfer list) detaches their whole ArrayBuffer, so a view into a larger
 * one (Node's buffer pool, a database reply shared by many rows) would take someone else's bytes along.
 */
export function ownsWholeBuffer(view: Uint8Array): view is Uint8Array & { buffer: ArrayBuffer } {
  return (
    view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength
  );
}

/**
 * `bytes` as consecutive parts of at most `partBytes`, each a copy in a buffer of its own, so each can move to
 * another thread by itself (a view into the whole would take the whole along).
 */
export function splitBytes(bytes: Uint8Array, partBytes: number): Uint8Array[] {
  if (!(partBytes > 0)) throw new RangeError('partBytes must be positive');
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += partBytes) parts.push(bytes.slice(at, at + partBytes));
  return parts;
}

/** One new array holding `parts` in order (always a copy, even of a single part). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.byteLength;
  }
  return result;
}
