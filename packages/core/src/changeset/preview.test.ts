import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { anchorChangeset } from './anchor-changeset.ts';
import { captureBase } from './anchors.ts';
import { applyHunks } from './apply-hunks.ts';
import type { Changeset } from './changeset.ts';
import { computeChangeset } from './compute-changeset.ts';
import { openHunkIds, previewChangeset } from './preview.ts';
import { docWith, peerOf, read, replaceIn, sync, textOf } from './test-docs.ts';

const PATH = 'src/a.ts';
const BASE = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n';

function proposal(files: Record<string, string>, proposed: Record<string, string>, deleted: string[] = []) {
  const doc = docWith(files);
  const base = captureBase(doc);
  const cs = computeChangeset(base.texts, new Map(Object.entries(proposed)), deleted, { taskId: 't1' });
  return { doc, changeset: anchorChangeset(doc, cs, { snapshot: base.snapshot }) };
}

describe('previewChangeset', () => {
  it('shows the live text beside what accepting every open hunk would give, and leaves the doc alone', () => {
    const { doc, changeset } = proposal(
      { [PATH]: BASE },
      { [PATH]: BASE.replace('two', 'TWO').replace('six', 'SIX') },
    );
    replaceIn(doc, PATH, 'four', 'FOUR');
    const preview = previewChangeset(doc, changeset);
    expect(preview.conflicts).toEqual([]);
    expect(preview.files).toEqual([
      {
        path: PATH,
        current: 'one\ntwo\nthree\nFOUR\nfive\nsix\nseven\n',
        proposed: 'one\nTWO\nthree\nFOUR\nfive\nSIX\nseven\n',
      },
    ]);
    expect(read(doc, PATH)).toBe('one\ntwo\nthree\nFOUR\nfive\nsix\nseven\n');
  });

  it('leaves rejected and applied hunks out and predicts conflicts where a human changed the region', () => {
    const { doc, changeset } = proposal(
      { [PATH]: BASE },
      { [PATH]: BASE.replace('two', 'TWO').replace('six', 'SIX') },
    );
    const [first, second] = changeset.files[0]?.hunks ?? [];
    if (!first || !second) throw new Error('expected two hunks');
    const applied = applyHunks(doc, changeset, [first.id], { taskId: 't1', userId: 'u' }).changeset;
    replaceIn(doc, PATH, 'six', 'six (human)');
    const preview = previewChangeset(doc, applied);
    expect(preview.files[0]?.proposed).toBe('one\nTWO\nthree\nfour\nfive\nsix (human)\nseven\n');
    expect(preview.conflicts.map((c) => c.hunkId)).toEqual([second.id]);

    const rejected = {
      ...applied,
      files: applied.files.map((f) => ({
        ...f,
        hunks: f.hunks.map((h) => (h.id === second.id ? { ...h, status: 'rejected' as const } : h)),
      })),
    };
    expect(previewChangeset(doc, rejected).conflicts).toEqual([]);
  });

  it('previews created and deleted files', () => {
    const { doc, changeset } = proposal({ [PATH]: BASE, 'old.ts': 'bye\n' }, { 'new.ts': 'hello\n' }, [
      'old.ts',
    ]);
    const byPath = Object.fromEntries(previewChangeset(doc, changeset).files.map((f) => [f.path, f]));
    expect(byPath['new.ts']).toEqual({ path: 'new.ts', current: '', proposed: 'hello\n' });
    expect(byPath['old.ts']).toEqual({ path: 'old.ts', current: 'bye\n', proposed: '' });
  });
});

/** Small deterministic PRNG (mulberry32) so the random cases are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Zone = 'before' | 'inside' | 'after';

describe('previewChangeset equals what accepting does (property)', () => {
  const random = mulberry32(18);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[int(xs.length)];
    if (x === undefined) throw new Error('empty');
    return x;
  };
  const snippet = () => pick(['x', ' // human', 'new line\n', '\n', 'a\nb', '']);

  /** The task's proposal: 1 to 3 random line edits (replace, insert, delete) of the base lines. */
  function taskLines(base: readonly string[]): string[] {
    const out = [...base];
    for (let n = 1 + int(3); n > 0; n--) {
      const at = int(out.length + 1);
      const kind = pick(['replace', 'insert', 'delete'] as const);
      if (kind === 'insert' || at === out.length) out.splice(at, 0, `task ${String(n)}`);
      else if (kind === 'replace') out[at] = `${out[at] ?? ''} (task)`;
      else out.splice(at, 1);
    }
    return out;
  }

  /** One human edit on `text` inside `[from, to)`: insert, delete or replace a few characters. */
  function editWithin(text: Y.Text, from: number, to: number) {
    const at = from + int(Math.max(1, to - from + 1));
    const length = text.length;
    const position = Math.min(at, length);
    const removable = Math.min(int(4), length - position);
    const insert = snippet();
    text.doc?.transact(() => {
      if (removable > 0 && random() < 0.5) text.delete(position, removable);
      if (insert !== '' || removable === 0) text.insert(position, insert === '' ? 'y' : insert);
    });
  }

  function hunkOutcomes(result: ReturnType<typeof applyHunks>) {
    return {
      applied: [...result.applied].sort(),
      conflicts: [...result.conflicts].sort((a, b) => a.hunkId.localeCompare(b.hunkId)),
    };
  }

  it('gives the text, the conflicts and each hunk outcome that accept gives, for edits before/inside/after a hunk', () => {
    const seen = { before: 0, inside: 0, after: 0, clean: 0, conflict: 0, mixed: 0 };
    for (let run = 0; run < 250; run++) {
      const baseLines = Array.from({ length: 8 + int(6) }, (_, i) => `line ${String(i)}`);
      const base = baseLines.map((l) => `${l}\n`).join('');
      const server = docWith({ [PATH]: base });
      const human = peerOf(server);
      const snapshot = captureBase(server);
      const proposedText = taskLines(baseLines)
        .map((l) => `${l}\n`)
        .join('');
      const computed = computeChangeset(snapshot.texts, new Map([[PATH, proposedText]]), [], {
        taskId: 't1',
      });
      const hunks = computed.files[0]?.hunks ?? [];
      if (hunks.length === 0) continue;

      // While the model streams, a human edits before, inside or after one of the hunks' lines.
      const target = pick(hunks);
      const zone = pick(['before', 'inside', 'after'] as const satisfies readonly Zone[]);
      const start = target.oldOffset;
      const end = start + target.oldText.length;
      const text = textOf(human, PATH);
      if (zone === 'before' && start > 0) editWithin(text, 0, Math.max(0, start - 1));
      else if (zone === 'inside') editWithin(text, start, Math.max(start, end - 1));
      else if (zone === 'after' && end < base.length) editWithin(text, end + 1, base.length);
      else continue;
      seen[zone] += 1;
      sync(human, server);

      const changeset: Changeset = anchorChangeset(server, computed, { snapshot: snapshot.snapshot });
      // And people keep typing anywhere while the review is open.
      for (let n = int(3); n > 0; n--) {
        const live = textOf(human, PATH);
        editWithin(live, 0, live.length);
      }
      sync(human, server);

      // The reviewer's browser previews on its replica; the server accepts on its own.
      const preview = previewChangeset(human, changeset);
      const before = peerOf(server);
      const all = applyHunks(server, changeset, openHunkIds(changeset), { taskId: 't1', userId: 'u' });
      expect(preview.files[0]?.proposed).toBe(read(server, PATH));
      expect(preview.files[0]?.current).toBe(read(human, PATH));
      expect(hunkOutcomes(all)).toEqual({
        applied: preview.hunks
          .filter((h) => h.outcome === 'clean')
          .map((h) => h.hunkId)
          .sort(),
        conflicts: preview.hunks
          .flatMap((h) => (h.outcome === 'conflict' ? [h.conflict] : []))
          .sort((a, b) => a.hunkId.localeCompare(b.hunkId)),
      });

      // Accepting a single hunk does what its own preview says, too.
      const one = pick(preview.hunks);
      const alone = applyHunks(peerOf(before), changeset, [one.hunkId], { taskId: 't1', userId: 'u' });
      if (one.outcome === 'clean') expect(alone.applied).toEqual([one.hunkId]);
      else if (one.outcome === 'conflict') expect(alone.conflicts).toEqual([one.conflict]);

      const conflicts = preview.conflicts.length;
      if (conflicts === 0) seen.clean += 1;
      else if (conflicts === preview.hunks.length) seen.conflict += 1;
      else seen.mixed += 1;
    }
    // Every zone and every kind of outcome was exercised, so the equalities above were not vacuous.
    for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThan(10);
  }, 30_000);
});
