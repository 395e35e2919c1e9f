import { describe, expect, it } from 'vitest';
import {
  clampSize,
  computeLayout,
  defaultLayout,
  dragTo,
  keyResize,
  MAIN_MIN,
  parseLayout,
  type LayoutPrefs,
} from './pane-layout.ts';

const prefs = (
  files: number,
  ai: number,
  collapsed: Partial<Record<'files' | 'ai', boolean>> = {},
): LayoutPrefs => ({
  files: { size: files, collapsed: collapsed.files ?? false },
  ai: { size: ai, collapsed: collapsed.ai ?? false },
});

describe('clampSize', () => {
  it('keeps a size within the pane limits and the room the window leaves, in whole pixels', () => {
    expect(clampSize('files', 100)).toBe(160);
    expect(clampSize('files', 900)).toBe(480);
    expect(clampSize('files', 300.6)).toBe(301);
    expect(clampSize('files', 400, 350)).toBe(350);
    // A window with no room still leaves the pane its minimum.
    expect(clampSize('ai', 400, 100)).toBe(280);
    expect(clampSize('ai', Number.NaN)).toBe(384);
  });
});

describe('parseLayout', () => {
  it('reads what was stored, clamped, and falls back to the defaults for anything else', () => {
    expect(parseLayout(null)).toEqual(defaultLayout);
    expect(parseLayout('not json')).toEqual(defaultLayout);
    expect(parseLayout('[1]')).toEqual(defaultLayout);
    expect(parseLayout(JSON.stringify(prefs(300, 2000, { ai: true })))).toEqual(
      prefs(300, 640, { ai: true }),
    );
    expect(parseLayout('{"files":{"size":"wide","collapsed":"yes"}}')).toEqual(defaultLayout);
  });
});

describe('computeLayout', () => {
  it('docks both panes at their chosen sizes when the window has room, the editor taking the rest', () => {
    const layout = computeLayout(1440, prefs(240, 384), null, 6);
    expect(layout.mode).toBe('docked');
    expect(layout.files).toMatchObject({ open: true, width: 240 });
    expect(layout.ai).toMatchObject({ open: true, width: 384 });
    expect(layout.main).toBe(1440 - 240 - 384 - 12);
    // The tree may grow to its own maximum, or until the editor would drop under its minimum.
    expect(layout.files.max).toBe(480);
    expect(computeLayout(1100, prefs(200, 384), null, 6).files.max).toBe(1100 - 384 - 12 - MAIN_MIN);
  });

  it("gives a collapsed pane's width to the editor, keeping its separator", () => {
    const layout = computeLayout(1440, prefs(240, 384, { files: true }), null, 6);
    expect(layout.files.open).toBe(false);
    expect(layout.files.width).toBe(240);
    expect(layout.main).toBe(1440 - 384 - 12);
  });

  it('shrinks the AI panel first, then the tree, to keep the editor its minimum on a narrower window', () => {
    const at1024 = computeLayout(1024, prefs(240, 384), null, 6);
    expect(at1024.main).toBe(MAIN_MIN);
    expect(at1024.files.width).toBe(240);
    expect(at1024.ai.width).toBe(1024 - 240 - 12 - MAIN_MIN);
    const tight = computeLayout(960, prefs(400, 600), null, 6);
    expect(tight.ai.width).toBe(280);
    expect(tight.files.width).toBe(960 - 280 - 12 - MAIN_MIN);
    expect(tight.main).toBe(MAIN_MIN);
  });

  it('keeps the stored sizes, so a wider window gets the chosen layout back', () => {
    const chosen = prefs(400, 600);
    computeLayout(1000, chosen, null, 6);
    expect(computeLayout(1920, chosen, null, 6)).toMatchObject({ files: { width: 400 }, ai: { width: 600 } });
  });

  it('closes the AI panel, then the tree, when even their minimums leave the editor too little', () => {
    // Only reachable with a wide gutter (the overlay takes over below 960 px), but the order must hold.
    const noAi = computeLayout(1000, prefs(240, 384), null, 60);
    expect(noAi.ai.open).toBe(false);
    expect(noAi.files.open).toBe(true);
    expect(noAi.main).toBe(1000 - 240 - 120);
    const neither = computeLayout(1000, prefs(240, 384), null, 200);
    expect(neither.files.open).toBe(false);
    expect(neither.main).toBe(1000 - 400);
  });

  it('floats the side panes over a narrow window: closed unless asked for, the editor keeping the full width', () => {
    for (const width of [800, 959]) {
      const closed = computeLayout(width, prefs(240, 384), null, 6);
      expect(closed).toMatchObject({
        mode: 'overlay',
        main: width,
        files: { open: false },
        ai: { open: false },
      });
    }
    // Docked-collapsed or not, narrow starts closed; asking opens one pane, never narrower than chosen if it fits.
    const ai = computeLayout(800, prefs(240, 384, { ai: true }), 'ai', 6);
    expect(ai.ai).toMatchObject({ open: true, width: 384 });
    expect(ai.files.open).toBe(false);
    expect(ai.main).toBe(800);
    expect(computeLayout(400, prefs(240, 384), 'ai', 6).ai.width).toBe(400 - 48);
  });
});

describe('dragTo', () => {
  it('sets the dragged size within limits, and collapses a pane dragged under half its minimum', () => {
    const start = prefs(240, 384);
    expect(dragTo(start, 'files', 320, 700).files).toEqual({ size: 320, collapsed: false });
    expect(dragTo(start, 'files', 900, 700).files.size).toBe(480);
    expect(dragTo(start, 'files', 500, 300).files.size).toBe(300);
    expect(dragTo(start, 'files', 100, 700).files).toEqual({ size: 160, collapsed: false });
    expect(dragTo(start, 'files', 79, 700).files).toEqual({ size: 240, collapsed: true });
    expect(dragTo(start, 'files', 79, 700).ai).toBe(start.ai);
  });
});

describe('keyResize', () => {
  const start = prefs(240, 384);
  const view = { open: true, width: 240, max: 400 };
  it('moves the edge the way the arrow points: right widens the tree, left widens the AI panel', () => {
    expect(keyResize(start, 'files', 'ArrowRight', false, view)?.files.size).toBe(256);
    expect(keyResize(start, 'files', 'ArrowLeft', true, view)?.files.size).toBe(176);
    const aiView = { open: true, width: 384, max: 500 };
    expect(keyResize(start, 'ai', 'ArrowLeft', false, aiView)?.ai.size).toBe(400);
    expect(keyResize(start, 'ai', 'ArrowRight', false, aiView)?.ai.size).toBe(368);
  });

  it('stops at the limits, jumps to them with Home and End, and ignores other keys', () => {
    expect(keyResize(prefs(160, 384), 'files', 'ArrowLeft', false, { ...view, width: 160 })?.files.size).toBe(
      160,
    );
    expect(keyResize(start, 'files', 'ArrowRight', true, { ...view, width: 390 })?.files.size).toBe(400);
    expect(keyResize(start, 'files', 'Home', false, view)?.files.size).toBe(160);
    expect(keyResize(start, 'files', 'End', false, view)?.files.size).toBe(400);
    expect(keyResize(start, 'files', 'a', false, view)).toBeNull();
  });

  it('collapses and restores with Enter, keeping the size', () => {
    const collapsed = keyResize(start, 'files', 'Enter', false, view);
    expect(collapsed?.files).toEqual({ size: 240, collapsed: true });
    expect(keyResize(collapsed ?? start, 'files', 'Enter', false, { ...view, open: false })?.files).toEqual({
      size: 240,
      collapsed: false,
    });
  });
});
