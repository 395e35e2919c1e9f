import { describe, expect, it } from 'vitest';
import type { TaskEvent } from '../events/index.ts';
import { EventSink } from './event-sink.ts';

const status = (message: string): TaskEvent => ({ type: 'status', status: 'streaming', message });

describe('EventSink', () => {
  it('delivers in production order even when emit is async with varying delays', async () => {
    const seen: string[] = [];
    let delay = 12;
    const sink = new EventSink(
      async (event) => {
        await new Promise((resolve) => setTimeout(resolve, (delay = Math.max(0, delay - 4))));
        if (event.type === 'status') seen.push(event.message ?? '');
      },
      () => undefined,
    );
    sink.push(status('a'));
    sink.push(status('b'));
    await sink.emit(status('c'));
    expect(seen).toEqual(['a', 'b', 'c']);
    sink.push(status('d'));
    await sink.drain();
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('stops at the first failing emit, reports it once and drops later events', async () => {
    const seen: string[] = [];
    const failures: unknown[] = [];
    const boom = new Error('db down');
    const sink = new EventSink(
      (event) => {
        if (event.type === 'status' && event.message === 'b') throw boom;
        if (event.type === 'status') seen.push(event.message ?? '');
      },
      (error) => failures.push(error),
    );
    sink.push(status('a'));
    sink.push(status('b'));
    await sink.emit(status('c'));
    expect(seen).toEqual(['a']);
    expect(failures).toEqual([boom]);
    expect(sink.failure).toEqual({ error: boom });
  });
});
