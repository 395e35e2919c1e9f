// Moving bytes to another thread (a worker's postMessage transfer list) detaches their whole ArrayBuffer: only a view
// that covers its buffer whole can move without taking someone else's bytes along (Node's buffer pool, a database
// reply shared by many rows).

/** True when `view` covers the whole of a plain (not shared) ArrayBuffer, which can then be transferred. */
export function ownsWholeBuffer(view: Uint8Array): view is Uint8Array & { buffer: ArrayBuffer } {
  return (
    view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength
  );
}
