import { describe, expect, it } from 'vitest';
import { lineRegion, replaceRegions, theirsText, type LocatedRegion } from './region.ts';
import { docWith, read, textOf } from './test-docs.ts';

describe('lineRegion', () => {
  const content = 'one\ntwo\nthree';

  it('widens a range to the whole lines it touches', () => {
    expect(lineRegion(content, 5, 6, true)).toEqual([4, 8]); // "two\n"
    expect(lineRegion(content, 4, 8, true)).toEqual([4, 8]); // already whole
    expect(lineRegion(content, 0, 1, true)).toEqual([0, 4]);
  });

  it('keeps an empty range at a line start empty, and widens one in mid-line', () => {
    expect(lineRegion(content, 4, 4, true)).toEqual([4, 4]);
    expect(lineRegion(content, 6, 6, true)).toEqual([4, 8]);
  });

  it('stops before the newline when the expected text has none (the last line of a file)', () => {
    expect(lineRegion(content, 8, 13, false)).toEqual([8, 13]);
    expect(lineRegion('a\nb\nappended\n', 2, 3, false)).toEqual([2, 3]);
    expect(lineRegion('a\nbx\n', 2, 3, false)).toEqual([2, 4]);
  });

  it('does not mistake a newline at index 0 for the start of the line', () => {
    expect(lineRegion('\nabc', 0, 0, true)).toEqual([0, 0]);
    expect(lineRegion('\nabc', 2, 3, false)).toEqual([1, 4]);
  });
});

describe('theirsText', () => {
  it('puts inserted lines before what a human typed at the same spot, and replaces otherwise', () => {
    expect(theirsText('', 'new\n', 'human\n')).toBe('new\nhuman\n');
    expect(theirsText('old\n', 'new\n', 'human\n')).toBe('new\n');
  });
});

describe('replaceRegions', () => {
  it('writes back to front so offsets found up front stay valid', () => {
    const doc = docWith({ f: 'a\nb\nc\nd\n' });
    const text = textOf(doc, 'f');
    const at = (from: number, to: number): LocatedRegion => ({
      ok: true,
      text,
      from,
      to,
      current: text.toJSON().slice(from, to),
    });
    const anchors = replaceRegions([
      { region: at(0, 2), replacement: 'A1\nA2\n' },
      { region: at(4, 6), replacement: '' },
      { region: at(8, 8), replacement: 'e\n' },
    ]);
    expect(read(doc, 'f')).toBe('A1\nA2\nb\nd\ne\n');
    expect(anchors.every((a) => a !== null)).toBe(true);
  });

  it('skips a region overlapping one already written', () => {
    const doc = docWith({ f: 'a\nb\nc\n' });
    const text = textOf(doc, 'f');
    const region = (from: number, to: number): LocatedRegion => ({
      ok: true,
      text,
      from,
      to,
      current: text.toString().slice(from, to),
    });
    const anchors = replaceRegions([
      { region: region(0, 4), replacement: 'first\n' },
      { region: region(2, 6), replacement: 'second\n' },
    ]);
    expect(anchors[0]).toBeNull();
    expect(anchors[1]).not.toBeNull();
    expect(read(doc, 'f')).toBe('a\nsecond\n');
  });
});
