// PubSub: local subscribers hear a message before `publish` resolves; other instances hear it once through Redis.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { PubSub } from '../src/pubsub.ts';
import { testEnv } from './env.ts';

const opened: PubSub[] = [];
const redises: Redis[] = [];
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
  for (const r of redises.splice(0)) r.disconnect();
});

const open = (redisUrl: string | undefined) => {
  let redis: Redis | undefined;
  if (redisUrl) {
    redis = new Redis(redisUrl, { lazyConnect: false });
    redises.push(redis);
  }
  const pubsub = new PubSub(redis);
  opened.push(pubsub);
  return pubsub;
};

const channel = () => `test:${String(Math.random()).slice(2)}`;

const modes: { name: string; redisUrl: string | undefined }[] = [
  { name: 'in process', redisUrl: undefined },
  ...(testEnv.redisUrl ? [{ name: 'on redis', redisUrl: testEnv.redisUrl }] : []),
];

describe.each(modes)('PubSub $name', ({ redisUrl }) => {
  it('delivers to local subscribers synchronously, exactly once', async () => {
    const pubsub = open(redisUrl);
    const name = channel();
    const heard: unknown[] = [];
    await pubsub.subscribe(name, (m) => heard.push(m));
    const sent = pubsub.publish(name, { n: 1 });
    expect(heard).toEqual([{ n: 1 }]);
    await sent;
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([{ n: 1 }]);
  });

  it('stops delivering after unsubscribe', async () => {
    const pubsub = open(redisUrl);
    const name = channel();
    const heard: unknown[] = [];
    const off = await pubsub.subscribe(name, (m) => heard.push(m));
    off();
    await pubsub.publish(name, 'x');
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual([]);
  });
});

describe.runIf(testEnv.redisUrl)('PubSub across instances', () => {
  it('carries a message to another instance once and ignores foreign bytes on the channel', async () => {
    const a = open(testEnv.redisUrl);
    const b = open(testEnv.redisUrl);
    const name = channel();
    const heard: unknown[] = [];
    await b.subscribe(name, (m) => heard.push(m));
    const raw = new Redis(testEnv.redisUrl ?? '');
    redises.push(raw);
    await raw.publish(name, 'not json');
    await raw.publish(name, 'null');
    await a.publish(name, { hello: 'b' });
    const deadline = Date.now() + 2000;
    while (heard.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual([{ hello: 'b' }]);
  });
});
