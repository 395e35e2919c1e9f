// @vitest-environment happy-dom
import { act } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import {
  avatarColors,
  contrastRatio,
  groupPeople,
  initials,
  parseColor,
  PresenceBar,
  type PresenceBarProps,
  type PresenceMember,
  readableTextColor,
} from './presence-bar.tsx';
import { mount, rerender } from './test-dom.tsx';

const show = (p: PresenceBarProps) => mount(<PresenceBar {...p} />);

const member = (clientId: number, userId: string, name: string, extra: Partial<PresenceMember> = {}) => ({
  clientId,
  userId,
  name,
  color: '#2563eb',
  ...extra,
});

const self = member(1, 'u-me', 'Me Myself', { isSelf: true, path: 'README.md', color: '#fde047' });
const ada = member(2, 'u-ada', 'Ada Lovelace', { path: 'src/app.ts', color: '#be123c' });
const grace = member(3, 'u-grace', 'Grace Hopper', { role: 'reviewer', path: 'src/lib.ts' });

const labels = (el: HTMLElement) =>
  [...el.querySelectorAll('button')].map((b) => b.getAttribute('aria-label'));

describe('initials', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['ada', 'A'],
    ['Grace Brewster Murray Hopper', 'GH'],
    ['  jean-luc  ', 'JL'],
    ['émile zola', 'ÉZ'],
    ['linus@example.com', 'L'],
    ['🇫🇷 Team', '🇫🇷T'],
    ['', '?'],
  ])('%j -> %j', (name, expected) => {
    expect(initials(name)).toBe(expected);
  });
});

describe('colours', () => {
  it('parses hex and rgb notations, and refuses others', () => {
    expect(parseColor('#fff')).toEqual([255, 255, 255]);
    expect(parseColor('#2563EB')).toEqual([37, 99, 235]);
    expect(parseColor('#2563eb80')).toEqual([37, 99, 235]);
    expect(parseColor('rgb(10, 20, 30)')).toEqual([10, 20, 30]);
    expect(parseColor('rgba(10 20 30 / 0.5)')).toEqual([10, 20, 30]);
    expect(parseColor('rgb(100%, 0%, 50%)')).toEqual([255, 0, 127.5]);
    expect(parseColor('hotpink')).toBeNull();
    expect(parseColor('#12345')).toBeNull();
    expect(parseColor('rgb(1, 2)')).toBeNull();
  });

  it('uses white text only where it reaches AA, black otherwise', () => {
    expect(readableTextColor('#1e3a8a')).toBe('#ffffff'); // dark blue
    expect(readableTextColor('#be123c')).toBe('#ffffff');
    expect(readableTextColor('#fde047')).toBe('#000000'); // yellow
    expect(readableTextColor('#22c55e')).toBe('#000000'); // mid green: white is only 2.3:1
    expect(readableTextColor('nonsense')).toBe('#000000');
  });

  it.each([
    '#ff0000',
    '#00ff00',
    '#0000ff',
    '#808080',
    '#767676',
    '#777777',
    '#e11d48',
    '#ffffff',
    '#000000',
  ])('%s gets text with at least 4.5:1 contrast', (bg) => {
    const text = parseColor(readableTextColor(bg));
    const rgb = parseColor(bg);
    if (!text || !rgb) throw new Error('unparsed');
    expect(contrastRatio(rgb, text)).toBeGreaterThanOrEqual(4.5);
  });

  it('falls back to a neutral avatar for a colour it cannot check', () => {
    expect(avatarColors('hsl(10 50% 50%)')).toEqual({ backgroundColor: '#52525b', color: '#ffffff' });
    expect(avatarColors('#fde047')).toEqual({ backgroundColor: '#fde047', color: '#000000' });
  });
});

describe('groupPeople', () => {
  it('shows a person with several tabs once, by their latest tab with a file open', () => {
    const people = groupPeople([
      member(10, 'u-ada', 'Ada', { path: 'a.ts' }),
      grace,
      member(11, 'u-ada', 'Ada', { path: 'b.ts' }),
      member(12, 'u-ada', 'Ada', { path: null }),
    ]);
    expect(people.map((p) => [p.member.clientId, p.clientIds])).toEqual([
      [11, [10, 11, 12]],
      [3, [3]],
    ]);
  });

  it('puts self first, represented by this tab', () => {
    const otherTab = member(7, 'u-me', 'Me Myself', { path: 'other.ts' });
    const people = groupPeople([ada, otherTab, self]);
    expect(people.map((p) => p.member.clientId)).toEqual([1, 2]);
    expect(people[0]?.clientIds).toEqual([7, 1]);
  });
});

describe('PresenceBar', () => {
  it('shows self first as "(you)", not followable, then a follow button per person', () => {
    const el = show({ members: [ada, self, grace], onFollow: vi.fn() });
    const items = [...el.querySelectorAll('ul[aria-label="People in this workspace"] > li')];
    expect(items).toHaveLength(3);
    const me = items[0]?.querySelector('[role="img"]');
    expect(me?.getAttribute('aria-label')).toBe('Me Myself (you), editing README.md');
    expect(me?.getAttribute('title')).toBe('Me Myself (you) — README.md');
    expect(items[0]?.querySelector('button')).toBeNull();
    expect(labels(el)).toEqual([
      'Follow Ada Lovelace (editing src/app.ts)',
      'Follow Grace Hopper (viewing src/lib.ts)',
    ]);
    expect(el.textContent).toBe('MMALGH');
  });

  it('paints avatars in the member colour with readable text and a tooltip', () => {
    const el = show({ members: [self, ada, grace], onFollow: vi.fn() });
    const avatar = el.querySelector<HTMLElement>('button[aria-label^="Follow Ada"] > span');
    expect(avatar?.style.backgroundColor).toBe('#be123c');
    expect(avatar?.style.color).toBe('#ffffff');
    const mine = el.querySelector<HTMLElement>('[role="img"] > span');
    expect(mine?.style.color).toBe('#000000');
    expect(el.querySelector('button[aria-label^="Follow Grace"]')?.getAttribute('title')).toBe(
      'Grace Hopper · reviewer — src/lib.ts',
    );
  });

  it('follows on click and stops following the followed person', () => {
    const onFollow = vi.fn();
    const el = show({ members: [self, ada, grace], following: 3, onFollow });
    const [first, second] = [...el.querySelectorAll('button')];
    expect(first?.getAttribute('aria-pressed')).toBe('false');
    expect(second?.getAttribute('aria-pressed')).toBe('true');
    expect(second?.getAttribute('aria-label')).toBe('Stop following Grace Hopper');
    act(() => first?.click());
    act(() => second?.click());
    expect(onFollow.mock.calls).toEqual([[2], [null]]);
  });

  it('treats following any tab of a person as following them, and follows their latest tab', () => {
    const onFollow = vi.fn();
    const tabs = [member(20, 'u-ada', 'Ada', { path: 'a.ts' }), member(21, 'u-ada', 'Ada', { path: 'b.ts' })];
    const el = show({ members: [self, ...tabs], following: 20, onFollow });
    expect(labels(el)).toEqual(['Stop following Ada']);
    rerender(<PresenceBar members={[self, ...tabs]} onFollow={onFollow} />);
    expect(labels(el)).toEqual(['Follow Ada (editing b.ts)']);
    act(() => el.querySelector('button')?.click());
    expect(onFollow).toHaveBeenCalledWith(21);
  });

  it('collapses people beyond six into "+N" that lists and follows them', () => {
    const onFollow = vi.fn();
    const others = Array.from({ length: 8 }, (_, i) => member(100 + i, `u${i}`, `Person ${i}`));
    const el = show({ members: [self, ...others], onFollow });
    expect(el.querySelectorAll('ul[aria-label="People in this workspace"] > li')).toHaveLength(7);
    const more = el.querySelector<HTMLButtonElement>('button[aria-label="3 more people"]');
    expect(more?.textContent).toBe('+3');
    expect(more?.getAttribute('aria-expanded')).toBe('false');
    act(() => more?.click());
    expect(more?.getAttribute('aria-expanded')).toBe('true');
    const list = el.querySelector('ul[aria-label="More people"]');
    expect([...(list?.querySelectorAll('button') ?? [])].map((b) => b.getAttribute('aria-label'))).toEqual([
      'Follow Person 5',
      'Follow Person 6',
      'Follow Person 7',
    ]);
    act(() => list?.querySelector('button')?.click());
    expect(onFollow).toHaveBeenCalledWith(105);
    expect(el.querySelector('ul[aria-label="More people"]')).toBeNull();
    expect(document.activeElement).toBe(more);
  });

  it('closes the overflow list on Escape', () => {
    const others = Array.from({ length: 7 }, (_, i) => member(100 + i, `u${i}`, `Person ${i}`));
    const el = show({ members: others, onFollow: vi.fn() });
    const more = el.querySelector<HTMLButtonElement>('button[aria-label="1 more person"]');
    act(() => more?.click());
    const inside = el.querySelector<HTMLButtonElement>('ul[aria-label="More people"] button');
    act(() => inside?.focus());
    act(() => {
      inside?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect(el.querySelector('ul[aria-label="More people"]')).toBeNull();
    expect(document.activeElement).toBe(more);
  });

  it('keeps the followed person visible even when they would be collapsed', () => {
    const others = Array.from({ length: 9 }, (_, i) => member(100 + i, `u${i}`, `Person ${i}`));
    const el = show({ members: [self, ...others], following: 107, onFollow: vi.fn() });
    const visible = [...el.querySelectorAll('ul[aria-label="People in this workspace"] > li > button')].map(
      (b) => b.getAttribute('aria-label'),
    );
    expect(visible).toEqual([
      'Follow Person 0',
      'Follow Person 1',
      'Follow Person 2',
      'Follow Person 3',
      'Stop following Person 7',
      '4 more people',
    ]);
  });

  it('renders on the server', () => {
    const html = renderToStaticMarkup(<PresenceBar members={[self, ada]} onFollow={() => undefined} />);
    expect(html).toContain('aria-label="Follow Ada Lovelace (editing src/app.ts)"');
    expect(html).toContain('aria-pressed="false"');
  });
});
