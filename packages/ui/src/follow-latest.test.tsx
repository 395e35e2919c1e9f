// @vitest-environment happy-dom
import { act, useRef } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { isNearBottom, scrollParent, useFollowLatest } from './follow-latest.ts';
import { mount, rerender } from './test-dom.tsx';

function List({ items }: { items: number }) {
  const ref = useRef<HTMLOListElement>(null);
  useFollowLatest(ref, items);
  return (
    <div data-testid="scroller" style={{ overflowY: 'auto', height: '100px' }}>
      <ol ref={ref}>
        {Array.from({ length: items }, (_, i) => (
          <li key={i}>{i}</li>
        ))}
      </ol>
    </div>
  );
}

/** happy-dom does no layout: give the scroller a fixed geometry and a settable position. */
function geometry(el: HTMLElement, height: { scroll: number }) {
  let top = 0;
  Object.defineProperty(el, 'clientHeight', { value: 100 });
  Object.defineProperty(el, 'scrollHeight', { get: () => height.scroll });
  Object.defineProperty(el, 'scrollTop', {
    get: () => top,
    set: (v: number) => {
      top = Math.max(0, Math.min(v, height.scroll - 100));
    },
  });
}

/** A list followed to its end: six entries, 500 px tall in a 100 px view, scrolled to 400. */
function followedList() {
  const el = mount(<List items={5} />);
  const scroller = el.querySelector<HTMLElement>('[data-testid="scroller"]');
  if (!scroller) throw new Error('no scroller');
  const height = { scroll: 500 };
  geometry(scroller, height);
  rerender(<List items={6} />);
  expect(scroller.scrollTop).toBe(400);
  return { el, scroller, height };
}

describe('useFollowLatest', () => {
  it('follows new entries while the reader is at the end, and stays put once they scrolled up', () => {
    const el = mount(<List items={5} />);
    const scroller = el.querySelector<HTMLElement>('[data-testid="scroller"]');
    if (!scroller) throw new Error('no scroller');
    expect(scrollParent(el.querySelector('ol'))).toBe(scroller);
    const height = { scroll: 500 };
    geometry(scroller, height);

    rerender(<List items={6} />);
    expect(scroller.scrollTop).toBe(400);

    height.scroll = 600;
    rerender(<List items={7} />);
    expect(scroller.scrollTop).toBe(500);

    // The reader scrolls up to read something older: new entries no longer pull the view down.
    act(() => {
      scroller.dispatchEvent(new Event('wheel'));
      scroller.scrollTop = 100;
      scroller.dispatchEvent(new Event('scroll'));
    });
    height.scroll = 700;
    rerender(<List items={8} />);
    expect(scroller.scrollTop).toBe(100);

    // Back at the end, it follows again.
    act(() => {
      scroller.dispatchEvent(new KeyboardEvent('keydown', { key: 'End' }));
      scroller.scrollTop = 600;
      scroller.dispatchEvent(new Event('scroll'));
    });
    height.scroll = 800;
    rerender(<List items={9} />);
    expect(scroller.scrollTop).toBe(700);
  });

  it('stays at the end when the view shrinks or the list grows without a new entry, unless scrolled up', () => {
    const observers: { callback: () => void; targets: Element[] }[] = [];
    vi.stubGlobal(
      'ResizeObserver',
      class {
        readonly entry: { callback: () => void; targets: Element[] };
        constructor(callback: () => void) {
          this.entry = { callback, targets: [] };
          observers.push(this.entry);
        }
        observe(target: Element) {
          this.entry.targets.push(target);
        }
        disconnect() {
          this.entry.targets = [];
        }
      },
    );
    try {
      const { el, scroller, height } = followedList();
      const observer = observers.find((o) => o.targets.includes(scroller));
      expect(observer?.targets).toContain(el.querySelector('ol'));

      // A form appears under the list: the end moves 80 px further down, and no new entry says so. The scroll
      // event of the last follow arrives after the growth: the view did not move up, so it still follows.
      height.scroll = 580;
      act(() => scroller.dispatchEvent(new Event('scroll')));
      act(() => observer?.callback());
      expect(scroller.scrollTop).toBe(480);

      act(() => {
        scroller.dispatchEvent(new Event('touchmove'));
        scroller.scrollTop = 0;
        scroller.dispatchEvent(new Event('scroll'));
      });
      height.scroll = 700;
      act(() => observer?.callback());
      expect(scroller.scrollTop).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('goes back to the end when the page, not the reader, moved the view up', () => {
    const { el, scroller, height } = followedList();

    // Content collapsing above, or the browser's scroll anchoring, moves the view up with no input from the reader.
    act(() => {
      scroller.scrollTop = 150;
      scroller.dispatchEvent(new Event('scroll'));
    });
    expect(scroller.scrollTop).toBe(400);
    height.scroll = 600;
    rerender(<List items={7} />);
    expect(scroller.scrollTop).toBe(500);

    // Keys typed into a field inside the list are not the reader scrolling.
    const field = el.ownerDocument.createElement('textarea');
    scroller.append(field);
    act(() => {
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
      scroller.scrollTop = 200;
      scroller.dispatchEvent(new Event('scroll'));
    });
    expect(scroller.scrollTop).toBe(500);

    // Dragging the scroll bar is the reader's own scrolling, however long it takes.
    act(() => {
      scroller.dispatchEvent(new Event('pointerdown'));
      scroller.scrollTop = 100;
      scroller.dispatchEvent(new Event('scroll'));
    });
    height.scroll = 700;
    rerender(<List items={8} />);
    expect(scroller.scrollTop).toBe(100);
  });

  it('stays where the focus went when the reader tabs to an entry above the end', () => {
    const { el, scroller, height } = followedList();

    // Focusing an entry scrolls it into view: the view stays with the focus, even as new entries arrive.
    const button = el.ownerDocument.createElement('button');
    el.querySelector('li')?.append(button);
    act(() => {
      button.focus();
      scroller.scrollTop = 0;
      scroller.dispatchEvent(new Event('scroll'));
    });
    expect(scroller.scrollTop).toBe(0);
    height.scroll = 600;
    rerender(<List items={7} />);
    expect(scroller.scrollTop).toBe(0);
  });

  it('counts a few pixels short of the end as the end', () => {
    expect(isNearBottom({ scrollHeight: 1000, clientHeight: 200, scrollTop: 770 })).toBe(true);
    expect(isNearBottom({ scrollHeight: 1000, clientHeight: 200, scrollTop: 600 })).toBe(false);
  });
});
