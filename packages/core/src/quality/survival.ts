// Whether an accepted task's changes lasted. A task's accepted hunks survive when, a day after they were first
// accepted, the task was not rolled back and most of the text it inserted is still in the document: people who
// rewrite what a model wrote within a day are saying it was not right. The text is followed by its Yjs items (the
// server records under which clock ranges it applied each task's hunks), so moving, reformatting around or typing
// next to it changes nothing; deleting it does. A task that only deleted text survives unless it is rolled back.
import type * as Y from 'yjs';
import type { AuthorSpan } from '../git/attribution.ts';

export const SURVIVAL_WINDOW_MS = 24 * 60 * 60 * 1000;
/** More than this share of the inserted characters deleted again counts as rewritten. */
export const REWRITTEN_SHARE = 0.5;

export type SurvivalVerdict = 'pending' | 'survived' | 'rolled-back' | 'rewritten';

/** Characters the spans' items inserted, and how many of them are still in the document. */
export interface InsertedText {
  inserted: number;
  remaining: number;
}

/**
 * Counts the characters of the document's items inside `spans` (the task's recorded clock ranges), and those not
 * deleted since. Garbage-collected items are deleted ones.
 */
export function insertedText(doc: Y.Doc, spans: readonly Omit<AuthorSpan, 'author'>[]): InsertedText {
  let inserted = 0;
  let remaining = 0;
  for (const span of spans) {
    const structs = doc.store.clients.get(span.client) ?? [];
    for (const struct of structs) {
      const start = Math.max(struct.id.clock, span.clockStart);
      const end = Math.min(struct.id.clock + struct.length, span.clockEnd);
      if (start >= end) continue;
      // Items that are not text (a file's Y.Text itself, map entries) are not characters anybody wrote.
      const isItem = 'content' in struct;
      if (isItem && !struct.countable) continue;
      inserted += end - start;
      if (isItem && !struct.deleted) remaining += end - start;
    }
  }
  return { inserted, remaining };
}

export interface SurvivalInput {
  /** When the task's hunks were first accepted; null when none ever were. */
  acceptedAt: Date | null;
  /** When it was rolled back, if it was. */
  rolledBackAt: Date | null;
  now: Date;
  /** The task's inserted text as the document holds it now (see `insertedText`). */
  text: InsertedText;
}

/**
 * The verdict on an accepted task, or `pending` while its day is not over and nothing has decided it yet. A
 * rollback or rewrite inside the window decides it at once; `survived` only once the window has passed. Callers
 * store a decided verdict, so what happens after the window never changes it; a rewrite noticed on the first
 * look after the window is counted, which makes the window at most one look longer than a day.
 */
export function survivalVerdict(input: SurvivalInput): SurvivalVerdict | null {
  if (input.acceptedAt === null) return null;
  const windowEnd = input.acceptedAt.getTime() + SURVIVAL_WINDOW_MS;
  if (input.rolledBackAt !== null && input.rolledBackAt.getTime() <= windowEnd) return 'rolled-back';
  // Rolled back after the window: its text is gone by the rollback, not by a rewrite, and it lasted its day.
  if (input.rolledBackAt !== null) return 'survived';
  const { inserted, remaining } = input.text;
  if (inserted > 0 && inserted - remaining > inserted * REWRITTEN_SHARE) return 'rewritten';
  return input.now.getTime() >= windowEnd ? 'survived' : 'pending';
}
