// @vitest-environment happy-dom
import type { FileChange, Hunk } from '@tandem/core';
import { act } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { DiffReview, type DiffReviewProps } from './diff-review.tsx';
import { mount, rerender } from './test-dom.tsx';

function hunk(id: string, status: Hunk['status'], line: number): Hunk {
  return {
    id,
    oldStart: line,
    oldLines: 1,
    newStart: line,
    newLines: 1,
    oldOffset: 0,
    oldText: `old ${id}\n`,
    newText: `new ${id}\n`,
    status,
  };
}

const file: FileChange = {
  path: 'src/a.ts',
  kind: 'modify',
  baseHash: 'a'.repeat(64),
  hunks: [
    hunk('0-0', 'pending', 1),
    hunk('0-1', 'rejected', 3),
    hunk('0-2', 'conflict', 5),
    hunk('0-3', 'applied', 7),
  ],
};

const current = 'one\ntwo\nthree\nfour\nfive\n';
const proposed = 'ONE\ntwo\nthree\nfour\nFIVE\n';

function props(overrides: Partial<DiffReviewProps> = {}): DiffReviewProps {
  return {
    file,
    current,
    proposed,
    conflicts: [
      {
        path: 'src/a.ts',
        hunkId: '0-2',
        reason: 'region-changed',
        ours: 'human line\n',
        theirs: 'task line\n',
      },
    ],
    onAccept: vi.fn(),
    onReject: vi.fn(),
    onResolve: vi.fn(),
    ...overrides,
  };
}

const show = (p: DiffReviewProps) => mount(<DiffReview {...p} />);

function button(el: HTMLElement, name: string): HTMLButtonElement {
  const found = [...el.querySelectorAll('button')].find(
    (b) => (b.getAttribute('aria-label') ?? b.textContent) === name,
  );
  if (!found) throw new Error(`no button ${name}`);
  return found;
}

describe('DiffReview', () => {
  it('shows current and proposed text side by side in read-only editors', () => {
    const el = show(props());
    const contents = [...el.querySelectorAll('.cm-mergeView .cm-content')];
    expect(contents.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Current src/a.ts',
      'Proposed src/a.ts',
    ]);
    expect(contents.map((c) => c.getAttribute('contenteditable'))).toEqual(['false', 'false']);
    expect(el.querySelector('.cm-mergeView')?.textContent).toContain('FIVE');
    // The merge view marks what changed, so the reviewer sees the hunks in context.
    expect(el.querySelectorAll('.cm-changedLine').length).toBeGreaterThan(0);
  });

  it('sends per-hunk decisions with the hunk id', () => {
    const p = props();
    const el = show(p);
    act(() => button(el, 'Accept @@ -1,1 +1,1 @@').click());
    act(() => button(el, 'Reject @@ -1,1 +1,1 @@').click());
    act(() => button(el, 'Accept @@ -3,1 +3,1 @@').click());
    expect(p.onAccept).toHaveBeenNthCalledWith(1, ['0-0']);
    expect(p.onAccept).toHaveBeenNthCalledWith(2, ['0-1']);
    expect(p.onReject).toHaveBeenCalledWith(['0-0']);
  });

  it('enables only the decisions a hunk’s status allows', () => {
    const el = show(props());
    expect(button(el, 'Reject @@ -3,1 +3,1 @@').disabled).toBe(true);
    expect(button(el, 'Accept @@ -7,1 +7,1 @@').disabled).toBe(true);
    expect(button(el, 'Reject @@ -7,1 +7,1 @@').disabled).toBe(true);
    expect(el.querySelector('[data-hunk="0-2"]')?.textContent).toContain('Conflict');
    expect(el.querySelector('[data-hunk="0-2"] button[aria-label^="Accept"]')).toBeNull();
  });

  it('file-level buttons act on the open hunks only', () => {
    const p = props();
    const el = show(p);
    act(() => button(el, 'Accept file (1) in src/a.ts').click());
    act(() => button(el, 'Reject file (1) in src/a.ts').click());
    expect(p.onAccept).toHaveBeenCalledWith(['0-0']);
    expect(p.onReject).toHaveBeenCalledWith(['0-0']);
  });

  it('shows both sides of a conflict and reports the chosen side', () => {
    const p = props();
    const el = show(p);
    const conflict = el.querySelector('[data-hunk="0-2"]');
    expect(conflict?.textContent).toContain('region changed');
    expect(conflict?.textContent).toContain('human line');
    expect(conflict?.textContent).toContain('task line');
    act(() => button(el, 'Keep current text').click());
    act(() => button(el, "Take task's text").click());
    expect(p.onResolve).toHaveBeenNthCalledWith(1, '0-2', 'ours');
    expect(p.onResolve).toHaveBeenNthCalledWith(2, '0-2', 'theirs');
  });

  it('disables every decision for a read-only member', () => {
    const el = show(props({ readOnly: true }));
    const buttons = [...el.querySelectorAll('button')];
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.every((b) => b.disabled)).toBe(true);
  });

  it('rebuilds the merge view when the live text changes', () => {
    const p = props();
    const el = show(p);
    rerender(<DiffReview {...p} current={'one\ntwo\nthree\nfour\nfive!\n'} />);
    expect(el.querySelectorAll('.cm-mergeView')).toHaveLength(1);
    expect(el.querySelector('.cm-mergeView')?.textContent).toContain('five!');
  });

  it('renders the hunk list on the server, before any editor mounts', () => {
    const html = renderToStaticMarkup(<DiffReview {...props()} />);
    expect(html).toContain('<section aria-label="Review src/a.ts"');
    expect(html).toContain('<ol aria-label="Hunks in src/a.ts"');
    expect(html).toContain('>Applied<');
  });

  it('says who decided each hunk', () => {
    const p = props();
    const decided = {
      ...p.file,
      hunks: p.file.hunks.map((h) => ({ ...h, decidedBy: 'u-ada', decidedAt: '2026-01-01T10:00:00.000Z' })),
    };
    const html = renderToStaticMarkup(
      <DiffReview {...p} file={decided} userName={(id) => (id === 'u-ada' ? 'Ada' : id)} />,
    );
    expect(html).toContain('by Ada at');
  });

  it('moves focus to the next hunk once a decided hunk’s buttons are disabled, and to the heading when none is left', () => {
    const two: FileChange = { ...file, hunks: [hunk('h-0', 'pending', 1), hunk('h-1', 'pending', 3)] };
    const onAccept = vi.fn();
    const el = show(props({ file: two, onAccept, conflicts: [] }));
    const acceptFirst = el.querySelector<HTMLButtonElement>('[data-hunk="h-0"] button');
    acceptFirst?.focus();
    act(() => acceptFirst?.click());
    expect(onAccept).toHaveBeenCalledWith(['h-0']);
    // While the decision is in flight everything is disabled; then the hunk comes back accepted.
    rerender(<DiffReview {...props({ file: two, onAccept, conflicts: [], readOnly: true })} />);
    const decided: FileChange = { ...two, hunks: [hunk('h-0', 'accepted', 1), hunk('h-1', 'pending', 3)] };
    rerender(<DiffReview {...props({ file: decided, onAccept, conflicts: [] })} />);
    expect(el.querySelector('[data-hunk="h-1"]')?.contains(document.activeElement)).toBe(true);
    expect(document.activeElement?.textContent).toBe('Accept');

    // Rejecting the last one leaves only decided hunks: focus goes to the first other hunk still there.
    const rejectSecond = el.querySelectorAll<HTMLButtonElement>('[data-hunk="h-1"] button')[1];
    act(() => rejectSecond?.click());
    const done: FileChange = { ...two, hunks: [hunk('h-0', 'accepted', 1), hunk('h-1', 'rejected', 3)] };
    rerender(<DiffReview {...props({ file: done, onAccept, conflicts: [] })} />);
    expect(document.activeElement).not.toBe(document.body);
    expect(el.querySelector('[data-hunk="h-0"]')?.contains(document.activeElement)).toBe(true);
  });
});
