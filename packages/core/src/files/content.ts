// Deciding whether bytes are text, and measuring text the way the limits count it (UTF-8 bytes on disk).

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Bytes are binary when they contain a NUL byte or are not valid UTF-8; everything else is edited as text. */
export function isBinaryContent(bytes: Uint8Array): boolean {
  return bytes.includes(0) || decodeText(bytes) === undefined;
}

/**
 * Decodes UTF-8 or returns `undefined` when the bytes are not valid UTF-8. A byte-order mark is kept as a
 * character so that exporting the file writes back exactly the bytes that were imported.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 length without allocating; lone surrogates count as the 3-byte replacement character, as `TextEncoder` writes them. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
