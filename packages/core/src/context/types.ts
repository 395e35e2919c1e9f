// The shapes of context selection. `ContextReason` is the event union's own type, so a selection can be
// emitted as a `context` event without mapping reasons.
import type { ContextReason } from '../events/task-event.ts';

export type { ContextReason };

export interface ContextInput {
  /** Path -> text, the text files of the workspace snapshot. */
  files: ReadonlyMap<string, string>;
  prompt: string;
  /** Files the requester has open in the editor. */
  openPaths?: readonly string[];
  /** The `paths` passed to `task.create`; a folder stands for the files inside it. */
  pinnedPaths?: readonly string[];
  /** For file contents and the repo map together. */
  budgetTokens: number;
}

export interface ContextFile {
  path: string;
  reason: ContextReason;
  /** Tokens of the content plus the path line and code fence a prompt wraps it in. */
  tokens: number;
  /** BM25 score, for files chosen by relevance. */
  score?: number;
  content: string;
}

export interface ContextSelection {
  /** Full contents sent, in priority order. */
  files: ContextFile[];
  /** Compact tree map with top-level symbols. */
  map: { text: string; tokens: number };
  totalTokens: number;
  budgetTokens: number;
  /** Wanted but over budget, in priority order. */
  skipped: { path: string; reason: ContextReason; tokens: number }[];
}
