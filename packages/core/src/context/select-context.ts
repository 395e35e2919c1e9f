// Chooses what the model sees of the workspace, within a token budget: files the user named or pinned, then
// files open in their editor, then files relevant to the prompt (BM25), then import neighbours of those, each
// in full or not at all; and a repo map of everything else in the space the files leave. Pure and
// deterministic: the same snapshot and prompt give the same selection.
import { AppError } from '../errors.ts';
import { comparePaths } from '../files/path.ts';
import { Bm25Index } from './bm25.ts';
import { ImportGraph } from './imports.ts';
import { createPathLookup, expandPinned, mentionsInPrompt } from './mentions.ts';
import { buildRepoMap } from './repo-map.ts';
import { countTokens } from './tokens.ts';
import type { ContextFile, ContextInput, ContextReason, ContextSelection } from './types.ts';

/** Limits of the selection; the defaults suit budgets from a few thousand to a few hundred thousand tokens. */
export const contextLimits = {
  /** Share of the budget kept for the repo map whatever the files want. */
  mapReserveShare: 0.1,
  mapReserveMax: 2_048,
  /** The map may grow into space the files leave, up to this share and size. */
  mapShare: 0.25,
  mapMax: 8_192,
  /** Relevant files: at most this many, each scoring at least this fraction of the best. */
  maxRelevant: 30,
  minRelativeScore: 0.1,
  maxNeighbours: 40,
} as const;

interface Candidate {
  path: string;
  reason: ContextReason;
  score?: number;
}

/** Tokens a file costs in the prompt: its content plus the path line and code fence around it. */
export function fileTokens(path: string, content: string): number {
  return countTokens(content) + countTokens(`${path}\n\`\`\`ts\n\n\`\`\`\n\n`);
}

class Filler {
  readonly files: ContextFile[] = [];
  readonly skipped: ContextSelection['skipped'] = [];
  readonly considered = new Set<string>();
  used = 0;
  readonly #contents: ReadonlyMap<string, string>;
  readonly #budget: number;

  constructor(contents: ReadonlyMap<string, string>, budget: number) {
    this.#contents = contents;
    this.#budget = budget;
  }

  offer(candidate: Candidate): void {
    const content = this.#contents.get(candidate.path);
    if (content === undefined || this.considered.has(candidate.path)) return;
    this.considered.add(candidate.path);
    const tokens = fileTokens(candidate.path, content);
    // Greedy and never over: a file that does not fit is skipped, and smaller later ones may still go in.
    if (this.used + tokens > this.#budget) {
      this.skipped.push({ path: candidate.path, reason: candidate.reason, tokens });
      return;
    }
    this.used += tokens;
    const file: ContextFile = { path: candidate.path, reason: candidate.reason, tokens, content };
    if (candidate.score !== undefined) file.score = candidate.score;
    this.files.push(file);
  }
}

function validBudget(budget: number): number {
  if (!Number.isFinite(budget) || budget < 0) {
    throw new AppError('BAD_INPUT', `Context budget must be a non-negative number of tokens, got ${budget}.`);
  }
  return Math.floor(budget);
}

/** Picks the files and map the model gets for `input.prompt`; `totalTokens` never exceeds the budget. */
export function selectContext(input: ContextInput): ContextSelection {
  const budget = validBudget(input.budgetTokens);
  const { files } = input;
  const sortedPaths = [...files.keys()].sort(comparePaths);
  const lookup = createPathLookup(sortedPaths);

  const mapReserve = Math.min(
    Math.floor(budget * contextLimits.mapReserveShare),
    contextLimits.mapReserveMax,
  );
  const filler = new Filler(files, budget - mapReserve);

  for (const path of expandPinned(input.pinnedPaths ?? [], lookup)) filler.offer({ path, reason: 'named' });
  const mentions = mentionsInPrompt(input.prompt, lookup);
  for (const path of mentions.paths) filler.offer({ path, reason: 'named' });
  for (const path of input.openPaths ?? []) filler.offer({ path, reason: 'open' });

  // Ranked on the prompt minus the paths it named: those files are in already, and the words of their paths
  // (`src`, `auth`, `ts`) would otherwise pull in every sibling ahead of the files they actually import.
  const ranked = new Bm25Index(files).rank(mentions.rest);
  const best = ranked[0]?.score ?? 0;
  let relevant = 0;
  for (const { path, score } of ranked) {
    if (relevant >= contextLimits.maxRelevant || score < best * contextLimits.minRelativeScore) break;
    if (filler.considered.has(path)) continue;
    relevant += 1;
    filler.offer({ path, reason: 'relevant', score });
  }

  // Neighbours of what is already in: the definitions it uses and the code that uses it.
  const graph = new ImportGraph(files, sortedPaths);
  const neighbours: string[] = [];
  const queued = new Set<string>();
  for (const seed of filler.files.map((file) => file.path)) {
    if (neighbours.length >= contextLimits.maxNeighbours) break;
    for (const path of [...graph.importsOf(seed), ...graph.importersOf(seed)]) {
      if (neighbours.length >= contextLimits.maxNeighbours) break;
      if (!filler.considered.has(path) && !queued.has(path)) {
        queued.add(path);
        neighbours.push(path);
      }
    }
  }
  for (const path of neighbours) filler.offer({ path, reason: 'import-neighbour' });

  const mapBudget = Math.min(
    budget - filler.used,
    Math.max(mapReserve, Math.min(Math.floor(budget * contextLimits.mapShare), contextLimits.mapMax)),
  );
  const map = buildRepoMap({
    files,
    sortedPaths,
    priority: [
      ...filler.files.map((file) => file.path),
      ...filler.skipped.map((file) => file.path),
      ...ranked.map((file) => file.path),
      ...neighbours,
    ],
    included: new Set(filler.files.map((file) => file.path)),
    budgetTokens: mapBudget,
  });

  return {
    files: filler.files,
    map: { text: map.text, tokens: map.tokens },
    totalTokens: filler.used + map.tokens,
    budgetTokens: budget,
    skipped: filler.skipped,
  };
}
