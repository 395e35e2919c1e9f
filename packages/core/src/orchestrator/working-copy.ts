// The task's private copy of the workspace. Edits land here one at a time as the model streams them, so each
// applies to the files as the edits before it left them; the live document is not touched until a reviewer
// accepts the changeset computed from this copy.
import { applyEdits, type ApplyEditsOptions, type EditResult, type ParsedEdit } from '../edits/index.ts';

export class WorkingCopy {
  readonly #snapshot: ReadonlyMap<string, string>;
  readonly #current: Map<string, string>;
  readonly #options: ApplyEditsOptions;

  constructor(snapshot: ReadonlyMap<string, string>, options: ApplyEditsOptions = {}) {
    this.#snapshot = snapshot;
    this.#current = new Map(snapshot);
    this.#options = options;
  }

  /** Every file as the task would leave it. */
  get files(): ReadonlyMap<string, string> {
    return this.#current;
  }

  /**
   * Applies one edit (paths are normalized there, so `..` and absolute paths are refused) and returns its
   * results: one per edit, or one per hunk for a unified diff.
   */
  apply(edit: ParsedEdit): { results: EditResult[]; touched: string[] } {
    const out = applyEdits(this.#current, [edit], this.#options);
    for (const [path, content] of out.files) this.#current.set(path, content);
    for (const path of out.deleted) this.#current.delete(path);
    return { results: out.results, touched: [...out.files.keys(), ...out.deleted] };
  }

  /**
   * What differs from `base` (by default the snapshot): new or changed files with their text, and base files
   * now gone.
   */
  changes(base: ReadonlyMap<string, string> = this.#snapshot): {
    proposed: Map<string, string>;
    deleted: string[];
  } {
    const proposed = new Map<string, string>();
    for (const [path, content] of this.#current) {
      if (base.get(path) !== content) proposed.set(path, content);
    }
    const deleted = [...base.keys()].filter((path) => !this.#current.has(path));
    return { proposed, deleted };
  }
}
