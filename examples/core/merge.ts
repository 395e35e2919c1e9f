// The merge: a task's proposal becomes a changeset of line hunks anchored to the live document at the snapshot, so
// an accepted hunk lands where its lines are now, a hunk whose lines a person changed meanwhile comes back as a
// conflict, and the task can be rolled back alone. Run: pnpm --filter @tandem/example-core merge
import {
  anchorChangeset,
  applyHunks,
  captureBase,
  computeChangeset,
  createFile,
  readTextFile,
  rollbackTask,
  writeFile,
} from '@tandem/core';
import * as Y from 'yjs';

const doc = new Y.Doc();
const original = [
  'export const add = (a, b) => a + b;',
  'export const two = 2;',
  'export const sub = (a, b) => a - b;',
  '',
];
createFile(doc, 'src/math.ts', original.join('\n'));

// 1. The task's snapshot: the texts it reads, and the Y.Snapshot its hunks are anchored at.
const base = captureBase(doc);

// 2. What the task proposes (the orchestrator gets this from the model's edits): both lines change.
const typed = original.map((line) => line.replace('(a, b)', '(a: number, b: number)'));
const proposed = new Map([['src/math.ts', typed.join('\n')]]);
const changeset = anchorChangeset(doc, computeChangeset(base.texts, proposed, [], { taskId: 'task-1' }), {
  snapshot: base.snapshot,
});
const hunks = changeset.files.flatMap((file) => file.hunks);
console.log(`hunks: ${hunks.map((h) => `${h.id} (line ${h.oldStart})`).join(', ')}`);

// 3. Meanwhile people edit: a comment on top moves every line down, and someone rewrites `sub` by hand.
writeFile(
  doc,
  'src/math.ts',
  `// shared math\n${readTextFile(doc, 'src/math.ts').replace('a - b', 'b - a')}`,
);

// 4. Accepting every hunk: `add` lands on its moved line; `sub` is a conflict, nothing a person typed is lost.
const result = applyHunks(
  doc,
  changeset,
  hunks.map((h) => h.id),
  { taskId: 'task-1', userId: 'alice' },
);
console.log(`applied: ${result.applied.join(', ')}`);
for (const conflict of result.conflicts) {
  console.log(`conflict on ${conflict.hunkId} (${conflict.reason}): ours ${JSON.stringify(conflict.ours)}`);
}
console.log(`after accept:\n${readTextFile(doc, 'src/math.ts').trimEnd()}`);

// 5. Rolling the task back takes out only its own change; the comment and the hand edit stay.
const undone = rollbackTask(doc, result.undo, { taskId: 'task-1', userId: 'alice' });
console.log(`restored: ${undone.restored.join(', ')}`);
console.log(`after rollback:\n${readTextFile(doc, 'src/math.ts').trimEnd()}`);
