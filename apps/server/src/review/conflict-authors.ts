// The people (and other tasks) whose text a task's hunk runs into, named from the document's own history: the item
// ids of what was typed into the hunk's lines since the task read them (core `conflictWriters`), mapped through the
// recorded authorship. The review shows them beside the conflict; a resolution that overwrites their text tells them.
import { changesetSchema, conflictWriters, previewChangeset, type IdRun } from '@tandem/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { AppDeps } from '../deps.ts';
import { tasks, users } from '../db/schema.ts';

export type WriterDeps = Pick<AppDeps, 'db' | 'rooms' | 'authorship'>;

export type Writer =
  { kind: 'user'; id: string; name: string } | { kind: 'task'; id: string; prompt: string };

/** Names the authors of `runs` in one workspace; ids nobody recorded (imports, other server edits) name nobody. */
async function writersOf(deps: WriterDeps, workspaceId: string, runs: readonly IdRun[]): Promise<Writer[]> {
  if (runs.length === 0) return [];
  const authors = await deps.authorship.authorsOf(workspaceId, runs);
  const userIds = authors.filter((a) => a.kind === 'user').map((a) => a.id);
  const taskIds = authors.filter((a) => a.kind === 'task').map((a) => a.id);
  const people =
    userIds.length === 0
      ? []
      : await deps.db
          .select({ id: users.id, name: users.name })
          .from(users)
          .where(inArray(users.id, userIds));
  const others =
    taskIds.length === 0
      ? []
      : await deps.db
          .select({ id: tasks.id, prompt: tasks.prompt })
          .from(tasks)
          .where(and(inArray(tasks.id, taskIds), eq(tasks.workspaceId, workspaceId)));
  return [
    ...people
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p): Writer => ({ kind: 'user', id: p.id, name: p.name })),
    ...others.map((t): Writer => ({ kind: 'task', id: t.id, prompt: t.prompt })),
  ];
}

/** For each of a task's open hunks that would not land now, who changed its lines since the task read them. */
export async function conflictAuthors(
  deps: WriterDeps,
  task: { id: string; workspaceId: string; changeset: unknown },
): Promise<{ hunkId: string; writers: Writer[] }[]> {
  if (task.changeset === null) return [];
  const changeset = changesetSchema.parse(task.changeset);
  const conflicted = await deps.rooms.transact(task.workspaceId, (doc) =>
    previewChangeset(doc, changeset).conflicts.map((c) => ({
      hunkId: c.hunkId,
      runs: conflictWriters(doc, changeset, c.hunkId),
    })),
  );
  return Promise.all(
    conflicted.map(async ({ hunkId, runs }) => ({
      hunkId,
      writers: (await writersOf(deps, task.workspaceId, runs)).filter(
        (w) => w.kind === 'user' || w.id !== task.id,
      ),
    })),
  );
}
