// RoomBus in memory: connects several RoomManagers in one process the way Redis pub/sub connects instances,
// including asynchronous delivery and echoes to the publisher.
import type { RoomBus } from './types.ts';

export class MemoryRoomBus implements RoomBus {
  readonly #handlers = new Map<string, Set<(bytes: Uint8Array) => void>>();
  #inFlight = 0;

  /** Messages published but not yet delivered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  publish(docName: string, bytes: Uint8Array): void {
    const handlers = [...(this.#handlers.get(docName) ?? [])];
    const copy = new Uint8Array(bytes);
    this.#inFlight++;
    setTimeout(() => {
      this.#inFlight--;
      for (const handler of handlers) {
        if (this.#handlers.get(docName)?.has(handler) === true) handler(copy);
      }
    }, 0);
  }

  subscribe(docName: string, handler: (bytes: Uint8Array) => void): () => void {
    let handlers = this.#handlers.get(docName);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(docName, handlers);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.#handlers.delete(docName);
    };
  }

  subscriberCount(docName: string): number {
    return this.#handlers.get(docName)?.size ?? 0;
  }
}
