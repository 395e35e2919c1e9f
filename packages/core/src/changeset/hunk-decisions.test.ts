import { describe, expect, it } from 'vitest';
import { anchorChangeset } from './anchor-changeset.ts';
import { captureBase } from './anchors.ts';
import { applyHunks } from './apply-hunks.ts';
import { changesetSchema, hunkHistoryLimit } from './changeset.ts';
import { computeChangeset } from './compute-changeset.ts';
import { findHunk, markRolledBack, rejectHunks, setHunkStatuses } from './hunk-decisions.ts';
import { resolveConflict } from './resolve-conflict.ts';
import { rollbackTask } from './rollback.ts';
import { docWith, read, replaceIn } from './test-docs.ts';

const PATH = 'src/timeout.ts';
const BASE = 'const a = 1;\nconst b = 2;\nconst c = 3;\n';
const PROPOSED = 'const a = 10;\nconst b = 2;\nconst c = 30;\n';
const at = (minute: number) => () => new Date(Date.UTC(2026, 0, 1, 10, minute));

function proposal() {
  const doc = docWith({ [PATH]: BASE });
  const base = captureBase(doc);
  const cs = computeChangeset(base.texts, new Map([[PATH, PROPOSED]]), [], { taskId: 't' });
  return { doc, changeset: anchorChangeset(doc, cs, { snapshot: base.snapshot }) };
}

describe('hunk history', () => {
  it('keeps every decision on a hunk with who and when, through accept, rollback and reject', () => {
    const { doc, changeset } = proposal();
    const applied = applyHunks(doc, changeset, ['0-0'], { taskId: 't', userId: 'ada', now: at(1) });
    const rejected = rejectHunks(applied.changeset, ['0-1'], { userId: 'eve', now: at(2) });
    const rollback = rollbackTask(doc, applied.undo, { taskId: 't', userId: 'bob' });
    const after = markRolledBack(rejected, rollback.restored, { userId: 'bob', now: at(3) });
    expect(read(doc, PATH)).toBe(BASE);

    const first = findHunk(after, '0-0').hunk;
    expect(first).toMatchObject({
      status: 'rejected',
      oldText: 'const a = 1;\n',
      newText: 'const a = 10;\n',
    });
    expect(first.history).toEqual([
      { action: 'applied', by: 'ada', at: '2026-01-01T10:01:00.000Z' },
      { action: 'rolled-back', by: 'bob', at: '2026-01-01T10:03:00.000Z' },
    ]);
    expect(findHunk(after, '0-1').hunk.history).toEqual([
      { action: 'rejected', by: 'eve', at: '2026-01-01T10:02:00.000Z' },
    ]);
    // It survives the round trip through storage.
    expect(changesetSchema.parse(JSON.parse(JSON.stringify(after)))).toEqual(after);
  });

  it('records what landed when a conflict was settled with other text than the task proposed', () => {
    const { doc, changeset } = proposal();
    replaceIn(doc, PATH, 'const c = 3;', 'const c = 4;');
    const tried = applyHunks(doc, changeset, ['0-1'], { taskId: 't', userId: 'ada', now: at(1) });
    const merged = resolveConflict(
      doc,
      tried.changeset,
      '0-1',
      { text: 'const c = 40;\n' },
      {
        taskId: 't',
        userId: 'ada',
        now: at(2),
      },
    );
    expect(findHunk(merged.changeset, '0-1').hunk.history).toEqual([
      { action: 'conflict', by: 'ada', at: '2026-01-01T10:01:00.000Z' },
      { action: 'applied', by: 'ada', at: '2026-01-01T10:02:00.000Z', text: 'const c = 40;\n' },
    ]);
  });

  it('keeps only the latest decisions of a hunk decided over and over', () => {
    let { changeset } = proposal();
    for (let i = 0; i < hunkHistoryLimit + 5; i++) {
      changeset = setHunkStatuses(changeset, new Map([['0-0', i % 2 ? 'pending' : 'rejected']]), {
        userId: `u${String(i)}`,
      });
    }
    const history = findHunk(changeset, '0-0').hunk.history ?? [];
    expect(history.length).toBeLessThanOrEqual(hunkHistoryLimit);
    expect(history.at(-1)?.by).toBe(`u${String(hunkHistoryLimit + 4)}`);
    expect(() => changesetSchema.parse(changeset)).not.toThrow();
  });
});
