// Mounting components into happy-dom for the component tests: one React root at a time, removed after each
// test. Importing this module registers the cleanup and tells React the tests drive `act`.
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach } from 'vitest';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
let container: HTMLElement | null = null;

afterEach(() => {
  act(() => root?.unmount());
  container?.remove();
  root = null;
  container = null;
});

/** Renders `node` into a fresh element attached to the document and returns that element. */
export function mount(node: ReactNode): HTMLElement {
  const el = document.createElement('div');
  document.body.append(el);
  const r = createRoot(el);
  container = el;
  root = r;
  act(() => r.render(node));
  return el;
}

/** Renders new props into the root `mount` made, as a parent re-rendering would. */
export function rerender(node: ReactNode): void {
  act(() => root?.render(node));
}
