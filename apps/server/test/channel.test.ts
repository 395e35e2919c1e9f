// Typed channels over the one transport: local handlers hear a message before `publish` resolves, other instances
// hear it once through Redis, and bytes that do not fit the channel's schema never reach a handler.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { bytes, Channel, json } from '../src/bus/channel.ts';
import { Transport } from '../src/bus/transport.ts';
import { testEnv } from './env.ts';

const opened: Transport[] = [];
const redises: Redis[] = [];
afterEach(() => {
  for (const t of opened.splice(0)) t.close();
  for (const r of redises.splice(0)) r.disconnect();
});

function transport(redisUrl: string | undefined) {
  let redis: Redis | undefined;
  if (redisUrl) {
    redis = new Redis(redisUrl);
    redises.push(redis);
  }
  const t = new Transport(redis);
  opened.push(t);
  return t;
}

const message = z.object({ n: z.number() });
const name = () => `test:${String(Math.random()).slice(2)}`;

const modes: { mode: string; redisUrl: string | undefined }[] = [
  { mode: 'in process', redisUrl: undefined },
  ...(testEnv.redisUrl ? [{ mode: 'on redis', redisUrl: testEnv.redisUrl }] : []),
];

describe.each(modes)('Channel $mode', ({ redisUrl }) => {
  it('delivers to local handlers synchronously, exactly once, the same object to every handler', async () => {
    const channel = new Channel(transport(redisUrl), name(), json(message));
    const heard: unknown[] = [];
    await channel.subscribe('k', (m) => heard.push(m));
    await channel.subscribe('k', (m) => heard.push(m));
    await channel.subscribe('other', (m) => heard.push(m));
    const sent = channel.publish('k', { n: 1 });
    expect(heard).toEqual([{ n: 1 }, { n: 1 }]);
    expect(heard[0]).toBe(heard[1]);
    await sent;
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toHaveLength(2);
  });

  it('stops delivering after unsubscribe, and skips local handlers when asked', async () => {
    const channel = new Channel(transport(redisUrl), name(), bytes);
    const heard: Uint8Array[] = [];
    const off = await channel.subscribe('k', (m) => heard.push(m));
    await channel.publish('k', new Uint8Array([1]), { local: false });
    off();
    await channel.publish('k', new Uint8Array([2]));
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual([]);
  });

  it('follows a key until its signal aborts', async () => {
    const channel = new Channel(transport(redisUrl), name(), json(message));
    const stop = new AbortController();
    const got: number[] = [];
    const done = (async () => {
      for await (const m of channel.follow('k', stop.signal)) {
        got.push(m.n);
        if (got.length === 2) stop.abort();
      }
    })();
    await vi.waitFor(() =>
      channel.publish('k', { n: got.length + 1 }).then(() => expect(got.length).toBe(2)),
    );
    await done;
  });
});

describe.runIf(testEnv.redisUrl)('Channel across instances', () => {
  it('carries a message to another instance once, and drops foreign or malformed bytes', async () => {
    const topic = name();
    const a = new Channel(transport(testEnv.redisUrl), topic, json(message));
    const invalid: string[] = [];
    const b = new Channel(transport(testEnv.redisUrl), topic, json(message), {
      onInvalid: (channel) => invalid.push(channel),
    });
    const heard: unknown[] = [];
    await b.subscribe('k', (m) => heard.push(m));
    const raw = new Redis(testEnv.redisUrl ?? '');
    redises.push(raw);
    // Eight bytes of someone else's origin, then bodies that are not this channel's messages.
    await raw.publish(`${topic}:k`, 'ABCDEFGHnot json');
    await raw.publish(`${topic}:k`, 'ABCDEFGH{"n":"one"}');
    await raw.publish(`${topic}:k`, 'short');
    await a.publish('k', { n: 7 });
    await vi.waitFor(() => expect(heard).toEqual([{ n: 7 }]));
    expect(invalid).toEqual([topic, topic]);
  });
});
