export { applyEdits } from './apply.ts';
export type {
  ApplyEditsOptions,
  ApplyEditsResult,
  EditAction,
  EditApplied,
  EditFailed,
  EditResult,
} from './apply.ts';
export { formatEditFeedback } from './feedback.ts';
export { findMatch, replaceMatch } from './match.ts';
export type {
  ClosestRegion,
  IndentShift,
  MatchAmbiguous,
  MatchFound,
  MatchMissing,
  MatchResult,
  MatchRung,
} from './match.ts';
export { createEditParser, parseEdits } from './parser.ts';
export type { EditParser, ParsedAnswer } from './parser.ts';
export { answerProse } from './prose.ts';
export { editFormatPrompt } from './prompt.ts';
export type {
  DeleteEdit,
  DiffEdit,
  UnifiedDiffHunk,
  UnifiedDiffLine,
  UnifiedDiffLineOp,
  ParsedEdit,
  ParseProblem,
  ParseProblemKind,
  SearchReplaceEdit,
  WholeFileEdit,
} from './types.ts';
