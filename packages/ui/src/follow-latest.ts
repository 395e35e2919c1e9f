// Keeps a growing list's newest entry in view, the way a chat does: the view follows new entries while the reader
// is at the bottom, and stays put once they scroll up to read something older.
import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';

/** How close to the bottom (px) still counts as "at the latest entry". */
const SLACK = 48;

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

/**
 * Scrolls the scroll container around `ref` to its end whenever `version` changes, unless the reader has scrolled
 * away from the end since the last time it followed.
 */
export function useFollowLatest(ref: RefObject<HTMLElement | null>, version: unknown): void {
  const following = useRef(true);
  useEffect(() => {
    const scroller = scrollParent(ref.current);
    if (!scroller) return;
    const onScroll = () => {
      following.current = isNearBottom(scroller);
    };
    scroller.addEventListener('scroll', onScroll, { passive: true });
    return () => scroller.removeEventListener('scroll', onScroll);
  }, [ref]);
  useLayoutEffect(() => {
    const scroller = scrollParent(ref.current);
    if (scroller && following.current) scroller.scrollTop = scroller.scrollHeight;
  }, [ref, version]);
}
