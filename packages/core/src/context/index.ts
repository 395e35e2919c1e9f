// Context selection: which workspace files, and what map of the rest, a task's prompt carries.
export type { ContextFile, ContextInput, ContextReason, ContextSelection } from './types.ts';
export { contextLimits, fileTokens, selectContext } from './select-context.ts';
export { countTokens, isApproximateCount, warmTokenizer } from './tokens.ts';
export { buildRepoMap, type RepoMap, type RepoMapInput } from './repo-map.ts';
export { extractSymbols, type SymbolLine } from './symbols.ts';
export { ImportGraph, resolveImport } from './imports.ts';
export { Bm25Index, type RankedFile } from './bm25.ts';
export { REPO_MAP_ENTRY, toContextEvent } from './context-event.ts';
