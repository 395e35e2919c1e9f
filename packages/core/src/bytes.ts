// Byte arrays joined end to end, for the few places that assemble one buffer from pieces (an archive, a key blob, a
// snapshot stored in parts).

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
