import { describe, expect, it } from 'vitest';
import { PhaseClock } from './phase-clock.ts';

function fakeTime(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('PhaseClock', () => {
  it('adds up time per phase, counting nested work only where it happened', () => {
    const time = fakeTime();
    const clock = new PhaseClock(time.now);
    clock.enter('selecting-context');
    time.advance(5);
    clock.enter('streaming');
    time.advance(10);
    clock.measure('applying', () => time.advance(3));
    time.advance(7);
    clock.enter('reflecting');
    time.advance(1);
    clock.enter('streaming');
    time.advance(4);
    clock.stop();
    time.advance(100);
    expect(clock.phaseMs).toEqual({ 'selecting-context': 5, streaming: 21, applying: 3, reflecting: 1 });
    expect(clock.totalMs).toBe(30);
  });

  it('returns the measured value and resumes the outer phase after a throw', () => {
    const time = fakeTime();
    const clock = new PhaseClock(time.now);
    clock.enter('streaming');
    expect(clock.measure('applying', () => 42)).toBe(42);
    expect(() =>
      clock.measure('applying', () => {
        time.advance(2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    time.advance(6);
    clock.stop();
    expect(clock.phaseMs).toEqual({ streaming: 6, applying: 2 });
  });
});
