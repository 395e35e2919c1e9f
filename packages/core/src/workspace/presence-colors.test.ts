import { describe, expect, it } from 'vitest';
import { contrast, deltaEOK, hexToRgb, presenceColor, presencePalette } from './presence-colors.ts';

const white = [255, 255, 255] as const;

describe('presence colours', () => {
  it('has at least twelve colours, every pair far apart in OKLab', () => {
    expect(presencePalette.length).toBeGreaterThanOrEqual(12);
    const rgb = presencePalette.map(hexToRgb);
    for (let i = 0; i < rgb.length; i++) {
      for (let j = i + 1; j < rgb.length; j++) {
        const [a, b] = [rgb[i], rgb[j]];
        if (!a || !b) throw new Error('missing colour');
        expect(deltaEOK(a, b), `${presencePalette[i]} vs ${presencePalette[j]}`).toBeGreaterThanOrEqual(0.13);
      }
    }
  });

  it('keeps white name labels at AA contrast on every colour, and every colour visible on white', () => {
    for (const hex of presencePalette) {
      expect(contrast(white, hexToRgb(hex)), hex).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('gives the first twelve members twelve different colours, then wraps', () => {
    const seats = Array.from({ length: 12 }, (_, seat) => presenceColor(seat));
    expect(new Set(seats).size).toBe(12);
    expect(presenceColor(12)).toBe(presenceColor(0));
    expect(presenceColor(-1)).toBe(presenceColor(0));
    expect(presenceColor(Number.NaN)).toBe(presenceColor(0));
  });

  it('measures known colours as the references do', () => {
    // Black on white is 21:1; OKLab distance from black to white is 1 (L 0 to 1).
    expect(contrast([0, 0, 0], white)).toBeCloseTo(21, 5);
    expect(deltaEOK([0, 0, 0], white)).toBeCloseTo(1, 3);
    // The amber, orange and red sit close together; they would fail the palette's bar.
    expect(deltaEOK(hexToRgb('#d97706'), hexToRgb('#ea580c'))).toBeLessThan(0.13);
  });
});
