// Find and replace across workspace files, and the globs that pick the files.
export { compileGlob, compilePathFilter, splitGlobs, type GlobError, type PathMatcher } from './glob.ts';
export {
  applyReplacements,
  compileSearch,
  defaultSearchLimits,
  expandReplacement,
  findInText,
  planReplaceAt,
  planReplacements,
  searchFiles,
  type CompiledSearch,
  type FileMatches,
  type SearchError,
  type SearchErrorCode,
  type SearchLimits,
  type SearchMatch,
  type SearchOptions,
  type SearchResult,
  type SearchSource,
  type TextReplacement,
} from './find.ts';
export { applyToText } from './apply.ts';
