import { describe, expect, it } from 'vitest';
import { anchorChangeset } from './anchor-changeset.ts';
import { captureBase } from './anchors.ts';
import { applyHunks } from './apply-hunks.ts';
import { computeChangeset } from './compute-changeset.ts';
import { previewChangeset } from './preview.ts';
import { docWith, read, replaceIn } from './test-docs.ts';

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
