// Serializing a subscription message once for all its followers. tRPC serializes every message per subscriber:
// with 50 people watching a task, each event went through superjson and JSON.stringify 50 times, which was most
// of the server's fan-out work. A value yielded to many subscribers as the same object (see `shareOutput`) is
// serialized by the first and reused by the rest; everything else goes through superjson as before, so the wire
// format does not change.
import superjson from 'superjson';
import type { SuperJSONResult } from 'superjson';

const shareable = new WeakSet<object>();
/** Per shared value: the tracked id it was serialized with and the superjson result. */
const serialized = new WeakMap<object, { id: unknown; result: SuperJSONResult }>();
/** Per shared superjson result: its JSON text. */
const jsonText = new WeakMap<object, string>();

/** Marks `value` as yielded unchanged to every subscriber, so its serialization may be shared. */
export function shareOutput<T extends object>(value: T): T {
  shareable.add(value);
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function hasOnlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length <= keys.length && own.every((k) => keys.includes(k));
}

/**
 * The router's output transformer: superjson, except that a tracked envelope (`{ id, data }`, rebuilt by tRPC
 * for each subscriber) around a shared value returns the result computed for the first subscriber.
 */
export const sharedOutput = {
  serialize(value: unknown): unknown {
    if (!isObject(value) || !hasOnlyKeys(value, ['id', 'data'])) return superjson.serialize(value);
    const data = value.data;
    if (!isObject(data) || !shareable.has(data)) return superjson.serialize(value);
    const known = serialized.get(data);
    if (known && known.id === value.id) return known.result;
    const result = superjson.serialize(value);
    serialized.set(data, { id: value.id, result });
    jsonText.set(result, JSON.stringify(result));
    return result;
  },
  deserialize: (value: unknown): unknown => superjson.deserialize(value as SuperJSONResult),
};

/**
 * The WebSocket adapter's encoder: `JSON.stringify`, except that a data message whose payload is a shared result
 * splices in the payload's JSON text instead of writing it again.
 */
export const sharedEncoder = {
  encode(message: unknown): string {
    if (isObject(message) && hasOnlyKeys(message, ['id', 'jsonrpc', 'result'])) {
      const result = message.result;
      if (isObject(result) && hasOnlyKeys(result, ['type', 'id', 'data']) && isObject(result.data)) {
        const text = jsonText.get(result.data);
        if (text !== undefined) {
          const head = JSON.stringify({
            id: message.id,
            jsonrpc: message.jsonrpc,
            result: { type: result.type, id: result.id },
          });
          // `head` ends with the two closing braces of `result` and the message.
          return `${head.slice(0, -2)},"data":${text}}}`;
        }
      }
    }
    return JSON.stringify(message);
  },
  decode(data: unknown): unknown {
    if (typeof data !== 'string') throw new Error('expected a text frame');
    return JSON.parse(data);
  },
};
