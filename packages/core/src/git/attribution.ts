// Who wrote the changes a commit contains, read from the live document itself. Every Yjs item carries the client id
// and clock it was created under; the server records which authenticated user wrote with which client id, and under
// which clock ranges of its own client id it applied an accepted AI task. Mapping the items that make up the
// committed insertions back through those records names the authors; nothing is guessed from timing or presence.
import type * as Y from 'yjs';
import { computeTextEdits } from '../files/text-diff.ts';

/** A recorded authorship: items of `client` with clocks in [clockStart, clockEnd) were written by `author`. */
export interface AuthorSpan {
  client: number;
  clockStart: number;
  clockEnd: number;
  /** `user:<id>` or `task:<id>`. */
  author: string;
}

/** A run of item ids: `length` clocks of `client` starting at `clock`. */
export interface IdRun {
  client: number;
  clock: number;
  length: number;
}

/** Where `after` has characters `before` did not: ranges in `after`'s UTF-16 offsets. */
export function insertedRanges(before: string, after: string): { index: number; length: number }[] {
  const ranges: { index: number; length: number }[] = [];
  let shift = 0;
  for (const edit of computeTextEdits(before, after)) {
    if (edit.insert.length > 0) ranges.push({ index: edit.index + shift, length: edit.insert.length });
    shift += edit.insert.length - edit.deleteCount;
  }
  return ranges;
}

/**
 * The item ids of a Y.Text's visible characters inside `ranges` (sorted, non-overlapping, in the text's current
 * offsets). Walks the item list once.
 */
export function idsInRanges(text: Y.Text, ranges: readonly { index: number; length: number }[]): IdRun[] {
  const runs: IdRun[] = [];
  let rangeIndex = 0;
  let offset = 0;
  for (let item = text._start; item !== null && rangeIndex < ranges.length; item = item.right) {
    if (item.deleted || !item.countable) continue;
    const start = offset;
    const end = offset + item.length;
    offset = end;
    while (rangeIndex < ranges.length) {
      const range = ranges[rangeIndex];
      if (!range) break;
      const rangeEnd = range.index + range.length;
      const from = Math.max(start, range.index);
      const to = Math.min(end, rangeEnd);
      if (from < to)
        runs.push({ client: item.id.client, clock: item.id.clock + (from - start), length: to - from });
      if (rangeEnd <= end) rangeIndex += 1;
      else break;
    }
  }
  return runs;
}

/** Every author whose recorded span covers part of a run. Unrecorded ids (imports, unattributed server edits) name nobody. */
export function authorsOf(runs: readonly IdRun[], spans: readonly AuthorSpan[]): Set<string> {
  const byClient = new Map<number, AuthorSpan[]>();
  for (const span of spans) byClient.set(span.client, [...(byClient.get(span.client) ?? []), span]);
  const authors = new Set<string>();
  for (const run of runs) {
    for (const span of byClient.get(run.client) ?? []) {
      if (span.clockStart < run.clock + run.length && run.clock < span.clockEnd) authors.add(span.author);
    }
  }
  return authors;
}

/** The ids a committed text file contributes: everything when it is new, else what was inserted since `base`. */
export function committedIds(text: Y.Text, base: string | null): IdRun[] {
  const now = text.toString();
  const ranges = base === null ? [{ index: 0, length: now.length }] : insertedRanges(base, now);
  return idsInRanges(
    text,
    ranges.filter((range) => range.length > 0),
  );
}

export const userAuthor = (userId: string) => `user:${userId}`;
export const taskAuthor = (taskId: string) => `task:${taskId}`;

/** Splits an author key back into its kind and id. */
export function parseAuthor(author: string): { kind: 'user' | 'task'; id: string } | null {
  const match = /^(user|task):(.+)$/.exec(author);
  if (!match?.[1] || !match[2]) return null;
  return { kind: match[1] as 'user' | 'task', id: match[2] };
}

/** The transaction origin of a server-side edit made for a person (file API writes, uploads), so it is theirs. */
export interface UserEditOrigin {
  readonly kind: 'user';
  readonly userId: string;
}

export const userEditOrigin = (userId: string): UserEditOrigin => ({ kind: 'user', userId });

export function isUserEditOrigin(origin: unknown): origin is UserEditOrigin {
  if (typeof origin !== 'object' || origin === null) return false;
  const o = origin as Partial<Record<keyof UserEditOrigin, unknown>>;
  return o.kind === 'user' && typeof o.userId === 'string';
}
