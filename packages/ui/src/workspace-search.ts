// Find in files over the live workspace document, and replace as edits to the live Y.Texts.
//
// Search runs here, in the browser, over the document every member already holds in full: no round trip, no
// second copy on the server to keep fresh, and results include edits peers made a moment ago. Each file's text
// is read once and cached until that Y.Text changes, so searching again as the query is typed costs only the
// regex scan. Replace runs in one transaction under an origin of its own: peers get it as one update, and only its
// author can undo it. A file opened in this tab keeps the replacement in its own undo history (Ctrl/Cmd+Z there);
// the other files share one undo manager for this replacement alone, because an undo manager per file costs
// every transaction a handler each (1,000 of them made one replace-all half a second slower).
import {
  applyToText,
  getStoredFile,
  planReplaceAt,
  planReplacements,
  searchFiles,
  storedFiles,
  defaultSearchLimits,
  type CompiledSearch,
  type SearchLimits,
  type SearchMatch,
  type SearchResult,
} from '@tandem/core';
import * as Y from 'yjs';
import { existingUndoManagerFor } from './collaborative-editor.tsx';

const cachedText = new WeakMap<Y.Text, string>();
const observed = new WeakSet<Y.Text>();

/** `text.toString()`, cached until the text changes. */
export function textOf(text: Y.Text): string {
  let value = cachedText.get(text);
  if (value === undefined) {
    value = text.toString();
    cachedText.set(text, value);
    if (!observed.has(text)) {
      observed.add(text);
      text.observe(() => cachedText.delete(text));
    }
  }
  return value;
}

/** The text files of the workspace as search sources (binary files are never searched). */
export function searchWorkspace(
  doc: Y.Doc,
  search: CompiledSearch,
  limits: SearchLimits = defaultSearchLimits,
): SearchResult {
  const sources = storedFiles(doc).flatMap((file) =>
    file.binary ? [] : [{ path: file.path, text: () => textOf(file.text) }],
  );
  return searchFiles(sources, search, limits);
}

/** What to replace in one file: every current match, or the matches found at these places. */
export interface ReplaceScope {
  path: string;
  only?: readonly Pick<SearchMatch, 'index' | 'length'>[];
}

export interface ReplaceOutcome {
  replaced: number;
  files: string[];
  /** Matches that had moved or changed since the search (a peer edited there): left alone. */
  stale: number;
  /** Takes the replacement back in every file where it is still the author's latest change there; returns the
   * files where it could not (the author edited them since: undo those in the editor, step by step). */
  undo: () => { undone: string[]; skipped: string[] };
}

export function replaceInWorkspace(
  doc: Y.Doc,
  search: CompiledSearch,
  replacement: string,
  scopes: readonly ReplaceScope[],
): ReplaceOutcome {
  const plans: { path: string; text: Y.Text; edits: ReturnType<typeof planReplacements> }[] = [];
  let stale = 0;
  for (const scope of scopes) {
    const file = getStoredFile(doc, scope.path);
    if (!file || file.binary) {
      stale += scope.only?.length ?? 0;
      continue;
    }
    const value = file.text;
    const current = textOf(value);
    let edits;
    if (scope.only) {
      edits = [];
      for (const at of [...scope.only].sort((a, b) => a.index - b.index)) {
        const edit = planReplaceAt(current, search, replacement, at);
        const last = edits.at(-1);
        if (!edit || (last && last.index + last.deleteCount > edit.index)) stale++;
        else edits.push(edit);
      }
    } else edits = planReplacements(current, search, replacement);
    if (edits.length > 0) plans.push({ path: scope.path, text: value, edits });
  }
  const origin = { name: 'find-and-replace' };
  // Files with an editor history in this tab get the replacement as one step of it; the rest share one manager.
  const perFile = new Map<Y.Text, Y.UndoManager>();
  const rest: Y.Text[] = [];
  for (const plan of plans) {
    const manager = existingUndoManagerFor(plan.text);
    if (manager) perFile.set(plan.text, manager);
    else rest.push(plan.text);
  }
  lastShared?.destroy();
  const shared = rest.length > 0 ? new Y.UndoManager(rest, { trackedOrigins: new Set([origin]) }) : null;
  lastShared = shared;
  const managers = [...perFile.values(), ...(shared ? [shared] : [])];
  for (const manager of perFile.values()) manager.addTrackedOrigin(origin);
  // Its own undo step: not merged with typing just before or after.
  for (const manager of managers) manager.stopCapturing();
  doc.transact(() => {
    for (const plan of plans) applyToText(plan.text, plan.edits);
  }, origin);
  const items = new Map(
    managers.map((m) => {
      m.stopCapturing();
      return [m, m.undoStack.at(-1)] as const;
    }),
  );
  return {
    replaced: plans.reduce((n, p) => n + p.edits.length, 0),
    files: plans.map((p) => p.path),
    stale,
    undo: () => {
      const reverted = new Set<Y.UndoManager>();
      for (const manager of managers) {
        // A later replacement destroyed this one's shared manager; a per-file history moved on if its top step
        // is no longer this replacement (the author typed there since).
        if (manager === shared && lastShared !== shared) continue;
        const item = items.get(manager);
        if (item !== undefined && manager.undoStack.at(-1) === item) {
          manager.undo();
          reverted.add(manager);
        }
      }
      const undone: string[] = [];
      const skipped: string[] = [];
      for (const plan of plans) {
        const manager = perFile.get(plan.text) ?? shared;
        (manager && reverted.has(manager) ? undone : skipped).push(plan.path);
      }
      return { undone, skipped };
    },
  };
}

// The shared undo manager of the latest replacement; the panel offers to undo only that one.
let lastShared: Y.UndoManager | null = null;
