// @vitest-environment happy-dom
import type { FileChange, Hunk, HunkPreview } from '@tandem/core';
import { act } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { DiffReview, PartialProposalNotice, type DiffReviewProps } from './diff-review.tsx';
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
  it('shows each change with its lines and the actions on it, named for a screen reader', () => {
    const el = show(props());
    const first = el.querySelector('[data-hunk="0-0"]');
    expect(first?.getAttribute('aria-label')).toBe('Change 1 of 4 in src/a.ts, Pending');
    expect(first?.textContent).toContain('old 0-0');
    expect(first?.textContent).toContain('new 0-0');
    expect(first?.querySelector('button[aria-label="Accept change 1 of 4 in src/a.ts"]')).not.toBeNull();
  });

  it('disables accepting, with the reason, while accepting is blocked, and renders extra content on each change', () => {
    const onAccept = vi.fn();
    const reason = 'This workspace requires an approval before changes are accepted.';
    const el = show(
      props({
        onAccept,
        acceptBlocked: reason,
        renderHunkExtra: (h, label) => <p data-extra={h.id}>Comments on {label}</p>,
      }),
    );
    const accept = button(el, 'Accept change 1 of 4 in src/a.ts');
    expect(accept.disabled).toBe(true);
    expect(accept.title).toBe(reason);
    expect(button(el, 'Accept file (1) in src/a.ts').disabled).toBe(true);
    expect(button(el, "Take task's text in change 3 of 4 in src/a.ts").disabled).toBe(true);
    // Rejecting and keeping the current text stay possible.
    expect(button(el, 'Reject change 1 of 4 in src/a.ts').disabled).toBe(false);
    expect(button(el, 'Keep current text in change 3 of 4 in src/a.ts').disabled).toBe(false);
    // The A key does not accept either.
    const item = el.querySelector<HTMLElement>('[data-hunk="0-0"]');
    act(() => item?.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true })));
    expect(onAccept).not.toHaveBeenCalled();
    expect(el.querySelector('[data-extra="0-1"]')?.textContent).toBe('Comments on change 2 of 4 in src/a.ts');
  });

  it('shows current and proposed whole files side by side on request, wrapping lines', () => {
    const el = show(props());
    expect(el.querySelector('.cm-mergeView')).toBeNull();
    act(() => button(el, 'Show whole file src/a.ts').click());
    const contents = [...el.querySelectorAll('.cm-mergeView .cm-content')];
    expect(contents.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Current src/a.ts',
      'Proposed src/a.ts',
    ]);
    expect(contents.map((c) => c.getAttribute('contenteditable'))).toEqual(['false', 'false']);
    expect(el.querySelector('.cm-mergeView')?.textContent).toContain('FIVE');
    expect(el.querySelectorAll('.cm-lineWrapping')).toHaveLength(2);
  });

  it('sends per-hunk decisions with the hunk id', () => {
    const p = props();
    const el = show(p);
    act(() => button(el, 'Accept change 1 of 4 in src/a.ts').click());
    act(() => button(el, 'Reject change 1 of 4 in src/a.ts').click());
    act(() => button(el, 'Accept change 2 of 4 in src/a.ts').click());
    expect(p.onAccept).toHaveBeenNthCalledWith(1, ['0-0']);
    expect(p.onAccept).toHaveBeenNthCalledWith(2, ['0-1']);
    expect(p.onReject).toHaveBeenCalledWith(['0-0']);
  });

  it('moves between changes and decides with the keyboard', () => {
    const p = props();
    const el = show(p);
    const items = [...el.querySelectorAll<HTMLElement>('[data-hunk-nav]')];
    items[0]?.focus();
    const press = (key: string) =>
      act(() => {
        document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
      });
    press('j');
    expect(document.activeElement).toBe(items[1]);
    press('a');
    expect(p.onAccept).toHaveBeenCalledWith(['0-1']);
    press('k');
    expect(document.activeElement).toBe(items[0]);
    press('r');
    expect(p.onReject).toHaveBeenCalledWith(['0-0']);
  });

  it('enables only the decisions a hunk’s status allows', () => {
    const el = show(props());
    expect(button(el, 'Reject change 2 of 4 in src/a.ts').disabled).toBe(true);
    expect(button(el, 'Accept change 4 of 4 in src/a.ts').disabled).toBe(true);
    expect(button(el, 'Reject change 4 of 4 in src/a.ts').disabled).toBe(true);
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

  it('shows both sides of a conflict and reports the chosen side with the text the reviewer saw', () => {
    const p = props();
    const el = show(p);
    const conflict = el.querySelector('[data-hunk="0-2"]');
    expect(conflict?.textContent).toContain('Someone changed these lines');
    expect(conflict?.textContent).toContain('human line');
    expect(conflict?.textContent).toContain('task line');
    act(() => button(el, 'Keep current text in change 3 of 4 in src/a.ts').click());
    act(() => button(el, "Take task's text in change 3 of 4 in src/a.ts").click());
    expect(p.onResolve).toHaveBeenNthCalledWith(1, '0-2', 'ours', 'human line\n');
    expect(p.onResolve).toHaveBeenNthCalledWith(2, '0-2', 'theirs', 'human line\n');
  });

  it('names who changed the lines, and sends a merge written by hand with the text the reviewer saw', () => {
    const p = props({ conflictAuthors: new Map([['0-2', ['Eve', 'Bob']]]) });
    const el = show(p);
    const conflict = el.querySelector('[data-hunk="0-2"]');
    expect(conflict?.textContent).toContain('Eve and Bob changed these lines after the task read them');
    act(() => button(el, 'Merge by hand in change 3 of 4 in src/a.ts').click());
    const box = el.querySelector('textarea');
    if (!box) throw new Error('no merge box');
    expect(box.value).toBe('human line\n');
    expect(el.querySelector(`label[for="${box.id}"]`)?.textContent).toBe(
      'Merged text for change 3 of 4 in src/a.ts',
    );
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(
        box,
        'human and task line\n',
      );
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => button(el, 'Use merged text').click());
    expect(p.onResolve).toHaveBeenCalledWith('0-2', { text: 'human and task line\n' }, 'human line\n');
    // Sent, the box closes; Cancel would have closed it without sending.
    expect(el.querySelector('textarea')).toBeNull();
  });

  it('shows a pending hunk the preview predicts in conflict as a conflict, before anyone accepts', () => {
    const previews: HunkPreview[] = [
      {
        hunkId: '0-0',
        path: 'src/a.ts',
        outcome: 'conflict',
        conflict: {
          path: 'src/a.ts',
          hunkId: '0-0',
          reason: 'region-changed',
          ours: 'old 0-0 // typed\n',
          theirs: 'new 0-0\n',
        },
      },
    ];
    const p = props({ previews });
    const el = show(p);
    const item = el.querySelector('[data-hunk="0-0"]');
    expect(item?.getAttribute('aria-label')).toBe('Change 1 of 4 in src/a.ts, Would conflict');
    expect(item?.textContent).toContain('old 0-0 // typed');
    expect(item?.textContent).toContain('new 0-0');
    expect(item?.querySelector('button[aria-label^="Accept"]')).toBeNull();
    act(() => button(el, "Take task's text in change 1 of 4 in src/a.ts").click());
    expect(p.onResolve).toHaveBeenCalledWith('0-0', 'theirs', 'old 0-0 // typed\n');
  });

  it('keeps a decided change readable: what was proposed, what landed, who decided and when', () => {
    const decided: FileChange = {
      ...file,
      hunks: [
        {
          ...hunk('0-0', 'rejected', 1),
          history: [
            { action: 'applied', by: 'u-ada', at: '2026-01-01T10:00:00.000Z', text: 'merged 0-0\n' },
            { action: 'rolled-back', by: 'u-bob', at: '2026-01-01T10:05:00.000Z' },
          ],
        },
        {
          ...hunk('0-1', 'rejected', 3),
          history: [{ action: 'rejected', by: 'u-ada', at: '2026-01-01T10:01:00.000Z' }],
        },
      ],
    };
    const names = (id: string) => ({ 'u-ada': 'Ada', 'u-bob': 'Bob' })[id] ?? id;
    const html = renderToStaticMarkup(
      <DiffReview {...props({ file: decided, conflicts: [] })} userName={names} />,
    );
    expect(html).toContain('old 0-0');
    expect(html).toContain('merged 0-0');
    expect(html).toContain('Applied, then rolled back');
    expect(html).toContain('Applied by Ada at');
    expect(html).toContain('Rolled back by Bob at');
    expect(html).toContain('Proposed (rejected)');
    expect(html).toContain('new 0-1');
    expect(html).toContain('Rejected by Ada at');
  });

  it('lays a change out side by side without wrapping when asked', () => {
    const html = renderToStaticMarkup(<DiffReview {...props()} layout="split" wrap={false} />);
    expect(html).toContain('aria-label="Current"');
    expect(html).toContain('aria-label="After accepting"');
    expect(html).not.toContain('whitespace-pre-wrap');
  });

  it('disables every decision for a read-only member', () => {
    const el = show(props({ readOnly: true }));
    const buttons = [...el.querySelectorAll('button')].filter((b) => !b.hasAttribute('aria-expanded'));
    expect(buttons.length).toBeGreaterThan(0);
    expect(buttons.every((b) => b.disabled)).toBe(true);
  });

  it('rebuilds the merge view when the live text changes', () => {
    const p = props();
    const el = show(p);
    act(() => button(el, 'Show whole file src/a.ts').click());
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

describe('PartialProposalNotice', () => {
  it('says plainly that a proposal is partial, listing each failed edit and why', () => {
    const html = renderToStaticMarkup(
      <PartialProposalNotice
        unapplied={[
          {
            path: 'src/a.ts',
            code: 'EDIT_NO_MATCH',
            message: 'The SEARCH text does not match any lines in src/a.ts.',
          },
          { path: '', code: 'PARSE_ERROR', message: 'The answer was cut off at the output limit.' },
        ]}
      />,
    );
    expect(html).toContain('Partial proposal: 2 of the model&#x27;s edits could not be applied');
    expect(html).toContain('The SEARCH text does not match any lines in src/a.ts.');
    expect(html).toContain('<code class="font-mono">src/a.ts</code>: The SEARCH text');
    expect(html).toContain('The answer: The answer was cut off at the output limit.');
  });

  it('shows nothing for a proposal that applied whole', () => {
    expect(renderToStaticMarkup(<PartialProposalNotice unapplied={[]} />)).toBe('');
  });
});

describe('DiffReview findings', () => {
  it('shows each finding on the change it falls in, flags a change with a serious one, and lists the rest above', () => {
    const finding = (hunkId: string | undefined, severity: 'high' | 'low', line: number) => ({
      tool: 'eslint-security',
      rule: 'security/detect-eval-with-expression',
      severity,
      path: 'src/a.ts',
      line,
      message: `finding at ${String(line)}`,
      ...(hunkId === undefined ? {} : { hunkId }),
    });
    const el = show(
      props({
        findings: [finding('0-0', 'high', 1), finding('0-1', 'low', 3), finding(undefined, 'low', 9)],
      }),
    );
    const first = el.querySelector('[data-hunk="0-0"]');
    expect(first?.querySelector('ul[aria-label^="Findings on"]')?.textContent).toContain('finding at 1');
    expect(first?.textContent).toContain('Flagged by checks');
    const second = el.querySelector('[data-hunk="0-1"]');
    expect(second?.textContent).toContain('finding at 3');
    expect(second?.textContent).not.toContain('Flagged by checks');
    expect(el.querySelector('[data-hunk="0-2"] ul[aria-label^="Findings on"]')).toBeNull();
    expect(el.querySelector('ul[aria-label="Findings in src/a.ts"]')?.textContent).toContain('finding at 9');
  });
});
