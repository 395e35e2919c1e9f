import { describe, expect, it } from 'vitest';
import { applyTextEdits, commonAffixes, computeTextEdits } from './text-diff.ts';

/** Small deterministic PRNG (mulberry32) so the randomized cases are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function changed(edits: ReturnType<typeof computeTextEdits>): number {
  return edits.reduce((sum, edit) => sum + edit.deleteCount + edit.insert.length, 0);
}

describe('computeTextEdits', () => {
  it('returns nothing for equal texts', () => {
    expect(computeTextEdits('same', 'same')).toEqual([]);
  });

  it('touches only the changed characters', () => {
    const edits = computeTextEdits('const a = 1;\nconst b = 2;\n', 'const a = 1;\nconst b = 3;\n');
    expect(edits).toEqual([{ index: 23, deleteCount: 1, insert: '3' }]);
  });

  it('finds separate edits in one region', () => {
    const before = 'alpha beta gamma delta';
    const after = 'alpha BETA gamma delta!';
    const edits = computeTextEdits(before, after);
    expect(applyTextEdits(before, edits)).toBe(after);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(changed(edits)).toBeLessThanOrEqual(9);
  });

  it('handles insert-only and delete-only changes', () => {
    expect(computeTextEdits('ac', 'abc')).toEqual([{ index: 1, deleteCount: 0, insert: 'b' }]);
    expect(computeTextEdits('abc', 'ac')).toEqual([{ index: 1, deleteCount: 1, insert: '' }]);
    expect(computeTextEdits('', 'new')).toEqual([{ index: 0, deleteCount: 0, insert: 'new' }]);
    expect(computeTextEdits('old', '')).toEqual([{ index: 0, deleteCount: 3, insert: '' }]);
  });

  it('never cuts a surrogate pair', () => {
    const before = 'x😀y';
    const after = 'x😁y';
    const edits = computeTextEdits(before, after);
    expect(applyTextEdits(before, edits)).toBe(after);
    for (const edit of edits) {
      expect(edit.index).toBe(1);
      expect(edit.deleteCount).toBe(2);
    }
    const { prefix, suffix } = commonAffixes('\ud83c\ude00', '\ud83d\ude00');
    expect(prefix).toBe(0);
    expect(suffix).toBe(0);
  });

  it('refines large line-level changes to characters', () => {
    const lines = Array.from({ length: 4000 }, (_, i) => `line number ${i} with some text`);
    const before = lines.join('\n');
    const edited = [...lines];
    edited[10] = 'line number 10 with some TEXT';
    edited[3990] = 'line number 3990 with more text';
    const after = edited.join('\n');
    const edits = computeTextEdits(before, after);
    expect(applyTextEdits(before, edits)).toBe(after);
    expect(changed(edits)).toBeLessThan(20);
  });

  it('falls back to one replacement when everything changed, quickly', () => {
    const rand = random(7);
    const noise = (n: number): string =>
      Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
    const before = noise(200_000);
    const after = noise(200_000);
    const started = performance.now();
    const edits = computeTextEdits(before, after);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(applyTextEdits(before, edits)).toBe(after);
  });

  it('always reproduces the target (randomized)', () => {
    const rand = random(42);
    const alphabet = ['a', 'b', 'c', '\n', ' ', 'é', '😀', '\r\n'];
    const text = (n: number): string =>
      Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)] ?? '').join('');
    for (let round = 0; round < 300; round += 1) {
      const before = text(Math.floor(rand() * 60));
      let after = before;
      const mutations = 1 + Math.floor(rand() * 4);
      for (let m = 0; m < mutations; m += 1) {
        const at = Math.floor(rand() * (after.length + 1));
        after = after.slice(0, at) + text(Math.floor(rand() * 5)) + after.slice(at + Math.floor(rand() * 4));
      }
      const edits = computeTextEdits(before, after);
      expect(applyTextEdits(before, edits)).toBe(after);
      for (let i = 1; i < edits.length; i += 1) {
        const previous = edits[i - 1]!;
        expect(edits[i]!.index).toBeGreaterThanOrEqual(previous.index + previous.deleteCount);
      }
    }
  });
});
