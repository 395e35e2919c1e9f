import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { OutputCoalescer, type OutputEvent, type Schedule } from './output-coalescer.ts';
import { taskEventSchema } from './task-event.ts';

/** A manual clock: timers fire only when the test advances time. */
function manualTime() {
  let now = 0;
  let timers: { at: number; callback: () => void; cancelled: boolean }[] = [];
  const schedule: Schedule = (callback, delayMs) => {
    const timer = { at: now + delayMs, callback, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  return {
    schedule,
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => !t.cancelled && t.at <= now);
      timers = timers.filter((t) => !due.includes(t));
      for (const t of due) t.callback();
    },
    get live() {
      return timers.filter((t) => !t.cancelled).length;
    },
  };
}

function setup(options: { flushIntervalMs?: number; maxChars?: number } = {}) {
  const time = manualTime();
  const events: OutputEvent[] = [];
  const coalescer = new OutputCoalescer({ emit: (e) => events.push(e), schedule: time.schedule, ...options });
  return { time, events, coalescer, texts: () => events.map((e) => e.text) };
}

describe('OutputCoalescer', () => {
  it('batches deltas until the interval passes', () => {
    const { time, coalescer, texts } = setup({ flushIntervalMs: 100 });
    coalescer.push('Hel');
    time.advance(40);
    coalescer.push('lo, ');
    coalescer.push('world');
    time.advance(59);
    expect(texts()).toEqual([]);
    expect(coalescer.pendingChars).toBe(12);

    time.advance(1);
    expect(texts()).toEqual(['Hello, world']);
    expect(time.live).toBe(0);

    coalescer.push('!');
    time.advance(100);
    expect(texts()).toEqual(['Hello, world', '!']);
  });

  it('flushes early once maxChars pile up and keeps the remainder on the timer', () => {
    const { time, coalescer, texts } = setup({ flushIntervalMs: 100, maxChars: 4 });
    coalescer.push('ab');
    coalescer.push('cdefghij');
    expect(texts()).toEqual(['abcd', 'efgh']);
    expect(coalescer.pendingChars).toBe(2);
    time.advance(100);
    expect(texts()).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('cancels the timer when a size flush empties the buffer', () => {
    const { time, coalescer, texts } = setup({ flushIntervalMs: 100, maxChars: 3 });
    coalescer.push('a');
    expect(time.live).toBe(1);
    coalescer.push('bc');
    expect(texts()).toEqual(['abc']);
    expect(time.live).toBe(0);
  });

  it('never splits a surrogate pair across events', () => {
    const { coalescer, texts } = setup({ maxChars: 4 });
    coalescer.push('abc😀def');
    coalescer.flush();
    expect(texts()).toEqual(['abc', '😀de', 'f']);
    expect(texts().join('')).toBe('abc😀def');
  });

  it('emits events that satisfy the shared schema', () => {
    const { coalescer, events } = setup({ maxChars: 8192 });
    coalescer.push('x'.repeat(20_000));
    coalescer.close();
    expect(events.map((e) => e.text.length)).toEqual([8192, 8192, 3616]);
    for (const e of events) expect(taskEventSchema.parse(e)).toEqual(e);
  });

  it('flush emits now; close flushes, stops the timer and drops late deltas', () => {
    const { time, coalescer, texts } = setup({ flushIntervalMs: 100 });
    coalescer.flush();
    expect(texts()).toEqual([]);

    coalescer.push('a');
    coalescer.flush();
    expect(texts()).toEqual(['a']);
    expect(time.live).toBe(0);

    coalescer.push('b');
    coalescer.close();
    coalescer.push('late');
    time.advance(1_000);
    expect(texts()).toEqual(['a', 'b']);
  });

  it('refuses settings that would break the schema or never flush', () => {
    const emit = () => undefined;
    expect(() => new OutputCoalescer({ emit, maxChars: 1 })).toThrow(AppError);
    expect(() => new OutputCoalescer({ emit, maxChars: 100_000 })).toThrow(AppError);
    expect(() => new OutputCoalescer({ emit, flushIntervalMs: 0 })).toThrow(AppError);
    expect(() => new OutputCoalescer({ emit, flushIntervalMs: Number.NaN })).toThrow(AppError);
  });

  it('uses real timers by default', async () => {
    const events: OutputEvent[] = [];
    const coalescer = new OutputCoalescer({ emit: (e) => events.push(e), flushIntervalMs: 5 });
    coalescer.push('tick');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(events).toEqual([{ type: 'output', text: 'tick' }]);
  });
});
