// Keeps a growing list's newest entry in view, the way a chat does: the view follows new entries while the reader
// is at the bottom, and stays put once they scroll up to read something older.
import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

/** How close to the bottom (px) still counts as "at the latest entry". */
const SLACK = 48;
/**
 * How long after the reader's wheel, touch, key or focus move a scroll counts as theirs (a smooth scroll runs on
 * after it).
 */
const INPUT_MS = 1000;
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);

/** The nearest ancestor (or the element itself) that scrolls vertically. */
export function scrollParent(el: HTMLElement | null): HTMLElement | null {
  for (let node = el; node; node = node.parentElement) {
    const overflow = node.ownerDocument.defaultView?.getComputedStyle(node).overflowY;
    if (overflow === 'auto' || overflow === 'scroll') return node;
  }
  return null;
}

export function isNearBottom(el: Pick<HTMLElement, 'scrollHeight' | 'scrollTop' | 'clientHeight'>): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK;
}

function typingIn(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

/**
 * Scrolls the scroll container around `ref` to its end whenever `version` changes, and whenever the container or
 * the list changes size (a form appearing below shrinks the view; an entry growing lengthens the list), until the
 * reader scrolls away from the end.
 *
 * Only the reader's own scrolling (wheel, touch, scroll keys, dragging the scroll bar, moving the focus to something
 * out of view) decides whether the view follows. A scroll the page makes by itself (content collapsing above, the
 * browser's scroll anchoring, a resize clamping the position) never stops it: the view goes back to the end instead.
 */
export function useFollowLatest(ref: RefObject<HTMLElement | null>, version: unknown): void {
  const following = useRef(true);
  useEffect(() => {
    const scroller = scrollParent(ref.current);
    if (!scroller) return;
    let inputAt = Number.NEGATIVE_INFINITY;
    let dragging = false;
    const toEnd = () => {
      scroller.scrollTop = scroller.scrollHeight;
    };
    const input = () => {
      inputAt = Date.now();
    };
    const onKey = (e: KeyboardEvent) => {
      if (SCROLL_KEYS.has(e.key) && !typingIn(e.target)) input();
    };
    // The scroll bar belongs to the scroller itself: a press on it (not on something inside) starts a drag.
    const onPress = (e: PointerEvent) => {
      dragging = e.target === scroller;
    };
    const onRelease = () => {
      dragging = false;
    };
    const onScroll = () => {
      if (dragging || Date.now() - inputAt < INPUT_MS) following.current = isNearBottom(scroller);
      else if (following.current && !isNearBottom(scroller)) toEnd();
    };
    const listeners: [EventTarget | null, string, EventListener][] = [
      [scroller, 'scroll', onScroll],
      [scroller, 'wheel', input],
      [scroller, 'touchmove', input],
      [scroller, 'keydown', onKey as EventListener],
      // Tabbing (or a click) to an entry scrolls it into view: pulled back to the end, the focus would be hidden.
      [scroller, 'focusin', input],
      [scroller, 'pointerdown', onPress as EventListener],
      [scroller.ownerDocument.defaultView, 'pointerup', onRelease],
      [scroller.ownerDocument.defaultView, 'pointercancel', onRelease],
    ];
    for (const [target, type, listener] of listeners)
      target?.addEventListener(type, listener, { passive: true });
    // A resize scrolls nothing by itself, so no scroll event says the end went out of view.
    const resized =
      typeof ResizeObserver === 'undefined'
        ? undefined
        : new ResizeObserver(() => {
            if (following.current) toEnd();
          });
    resized?.observe(scroller);
    if (ref.current) resized?.observe(ref.current);
    return () => {
      for (const [target, type, listener] of listeners) target?.removeEventListener(type, listener);
      resized?.disconnect();
    };
  }, [ref]);
  useLayoutEffect(() => {
    const scroller = scrollParent(ref.current);
    if (scroller && following.current) scroller.scrollTop = scroller.scrollHeight;
  }, [ref, version]);
}
