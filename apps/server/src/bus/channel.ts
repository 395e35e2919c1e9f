// A typed channel over the Transport: `channel(transport, name, codec)` names a family of topics (one per key:
// a task id, a workspace id, or '' for a single topic). Every message is decoded and validated once where it is
// read, whichever process published it, and all of this process's handlers of a topic receive the same decoded
// object, so a consumer can cache work per message (task events serialize once for all followers).
//
// Local handlers hear a message synchronously, before `publish` returns: an access change or a cancel takes
// effect on this instance the moment its mutation answers. Other instances hear it through the transport.
import type { z } from 'zod';
import type { Transport } from './transport.ts';

export interface Codec<In, Out> {
  encode(message: In): Uint8Array;
  /** null: not a message of this channel (dropped and counted). */
  decode(payload: Uint8Array): Out | null;
  /** The same check for a message published in this process, without the bytes round trip. */
  local(message: In): Out | null;
}

export function json<S extends z.ZodType>(schema: S): Codec<z.input<S>, z.output<S>> {
  const check = (value: unknown) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : null;
  };
  return {
    encode: (message) => Buffer.from(JSON.stringify(message)),
    decode: (payload) => {
      try {
        return check(JSON.parse(Buffer.from(payload).toString('utf8')));
      } catch {
        return null;
      }
    },
    local: check,
  };
}

/** Raw bytes (Yjs frames): the reader validates them itself. */
export const bytes: Codec<Uint8Array, Uint8Array> = {
  encode: (message) => message,
  decode: (payload) => payload,
  local: (message) => message,
};

export interface ChannelOptions {
  /** Count messages that did not decode (foreign bytes on the channel, a newer instance's format). */
  onInvalid?(name: string): void;
}

export class Channel<In, Out> {
  private readonly handlers = new Map<string, Set<(message: Out) => void>>();
  /** Per key: resolves when the transport confirmed the route (every later subscriber of the key waits for it). */
  private readonly routed = new Map<string, Promise<void>>();

  constructor(
    private readonly transport: Transport,
    readonly name: string,
    private readonly codec: Codec<In, Out>,
    private readonly options: ChannelOptions = {},
  ) {}

  /**
   * Sends to this process's handlers of `key` (unless `local: false`, for a publisher that already served its
   * own process, like a room that fanned an update out to its own sockets) and to the other instances.
   */
  async publish(key: string, message: In, options: { local?: boolean } = {}): Promise<void> {
    if (options.local !== false) {
      const handlers = this.handlers.get(key);
      if (handlers) {
        const decoded = this.codec.local(message);
        if (decoded === null) throw new Error(`message does not fit channel ${this.name}`);
        this.deliver(handlers, decoded);
      }
    }
    await this.transport.publish(this.topic(key), this.codec.encode(message));
  }

  /** Resolves once messages published from now on, anywhere, will be delivered. */
  async subscribe(key: string, handler: (message: Out) => void): Promise<() => void> {
    const topic = this.topic(key);
    let set = this.handlers.get(key);
    if (!set) {
      const handlers = new Set<(message: Out) => void>();
      set = handlers;
      this.handlers.set(key, handlers);
      this.routed.set(
        key,
        this.transport.route(topic, (payload) => {
          const decoded = this.codec.decode(payload);
          if (decoded === null) this.options.onInvalid?.(this.name);
          else this.deliver(handlers, decoded);
        }),
      );
    }
    set.add(handler);
    const handlers = set;
    await this.routed.get(key);
    return () => {
      if (!handlers.delete(handler) || handlers.size > 0 || this.handlers.get(key) !== handlers) return;
      this.handlers.delete(key);
      this.routed.delete(key);
      this.transport.unroute(topic);
    };
  }

  /** The messages of `key` from now on, in order, until `signal` aborts. */
  async *follow(key: string, signal: AbortSignal): AsyncGenerator<Out> {
    const queue: Out[] = [];
    let wake: (() => void) | undefined;
    const poke = () => wake?.();
    const unsubscribe = await this.subscribe(key, (message) => {
      queue.push(message);
      poke();
    });
    signal.addEventListener('abort', poke);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', poke);
      unsubscribe();
    }
  }

  private topic(key: string) {
    return key === '' ? this.name : `${this.name}:${key}`;
  }

  private deliver(handlers: Set<(message: Out) => void>, message: Out) {
    // A handler may unsubscribe (itself or another) while we iterate.
    for (const handler of [...handlers]) handler(message);
  }
}
