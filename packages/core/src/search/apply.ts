// Applies planned replacements to a live Y.Text, from the last to the first so earlier offsets stay valid.
// Callers wrap every file of one replace in a single transaction with their own origin, so peers receive it as
// one update and the author's undo manager can take it back as one step.
import type * as Y from 'yjs';
import type { TextReplacement } from './find.ts';

export function applyToText(text: Y.Text, edits: readonly TextReplacement[]): void {
  for (let i = edits.length - 1; i >= 0; i--) {
    const edit = edits[i];
    if (!edit) continue;
    if (edit.deleteCount > 0) text.delete(edit.index, edit.deleteCount);
    if (edit.insert !== '') text.insert(edit.index, edit.insert);
  }
}
