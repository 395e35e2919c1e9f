import superjson from 'superjson';
import { describe, expect, it } from 'vitest';
import { shareOutput, sharedEncoder, sharedOutput } from '../src/trpc/shared-output.ts';

// What tRPC's WebSocket adapter builds for one subscriber: its own envelope objects around the yielded value.
const message = (subscription: number, trackedId: string, data: object) => ({
  id: subscription,
  jsonrpc: '2.0' as const,
  result: { type: 'data' as const, id: trackedId, data: sharedOutput.serialize({ id: trackedId, data }) },
});
const plain = (subscription: number, trackedId: string, data: object) =>
  JSON.stringify({
    id: subscription,
    jsonrpc: '2.0',
    result: { type: 'data', id: trackedId, data: superjson.serialize({ id: trackedId, data }) },
  });

describe('shared subscription output', () => {
  const event = () => ({ type: 'edit', path: 'src/a.ts', seq: 7, at: new Date('2026-11-25T07:00:00.123Z') });

  it('serializes a shared value once for every subscriber and keeps the wire format', () => {
    const value = shareOutput(event());
    const first = message(1, '7', value);
    const second = message(2, '7', value);
    expect(second.result.data).toBe(first.result.data);
    for (const [n, m] of [first, second].entries()) {
      const text = sharedEncoder.encode(m);
      expect(JSON.parse(text)).toEqual(JSON.parse(plain(n + 1, '7', value)));
      const decoded = superjson.deserialize<{ id: string; data: ReturnType<typeof event> }>(
        (JSON.parse(text) as { result: { data: never } }).result.data,
      );
      expect(decoded.data.at).toEqual(value.at);
    }
  });

  it('serializes again when the same value goes out under another id', () => {
    const value = shareOutput(event());
    const a = message(1, '7', value);
    const b = message(1, '8', value);
    expect(b.result.data).not.toBe(a.result.data);
    expect(JSON.parse(sharedEncoder.encode(b))).toEqual(JSON.parse(plain(1, '8', value)));
  });

  it('leaves values that are not shared, and other messages, to superjson and JSON.stringify', () => {
    const value = event();
    const a = message(1, '7', value);
    expect(message(2, '7', value).result.data).not.toBe(a.result.data);
    expect(sharedEncoder.encode(a)).toBe(plain(1, '7', value));
    const stopped = { id: 3, jsonrpc: '2.0', result: { type: 'stopped' } };
    expect(sharedEncoder.encode(stopped)).toBe(JSON.stringify(stopped));
    expect(sharedOutput.serialize(new Date(0))).toEqual(superjson.serialize(new Date(0)));
  });

  it('decodes text frames and refuses binary ones', () => {
    expect(sharedEncoder.decode('{"id":1}')).toEqual({ id: 1 });
    expect(() => sharedEncoder.decode(new Uint8Array([1]))).toThrow(/text frame/);
  });
});
