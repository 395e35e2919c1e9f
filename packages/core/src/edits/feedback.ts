// The message sent back to the model after its edits were applied, for a reflection round: what failed and why,
// the closest real lines, and what already applied so the model does not send it again.
import type { EditFailed, EditResult } from './apply.ts';
import type { ParsedEdit, ParseProblem } from './types.ts';

function fenceFor(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function fenced(text: string, info = ''): string {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  const fence = fenceFor(body);
  return `${fence}${info}\n${body}${fence}`;
}

function describe(edit: ParsedEdit, hunk: number | undefined): string {
  switch (edit.kind) {
    case 'search-replace':
      return `SEARCH/REPLACE block for ${edit.path} (edit ${edit.index + 1}, line ${edit.line} of your answer)`;
    case 'diff':
      return `diff hunk ${(hunk ?? 0) + 1} for ${edit.path} (edit ${edit.index + 1})`;
    case 'whole-file':
      return `whole-file content for ${edit.path} (edit ${edit.index + 1})`;
    case 'delete':
      return `deletion of ${edit.path} (edit ${edit.index + 1})`;
  }
}

function quoteEdit(result: EditFailed): string | undefined {
  const { edit } = result;
  if (edit.kind === 'search-replace') {
    return fenced(`<<<<<<< SEARCH\n${edit.search}=======\n${edit.replace}>>>>>>> REPLACE\n`);
  }
  if (edit.kind === 'diff' && result.hunk !== undefined) {
    const hunk = edit.hunks[result.hunk];
    if (hunk === undefined) return undefined;
    const sign = { context: ' ', remove: '-', add: '+' } as const;
    return fenced(`@@ @@\n${hunk.lines.map((l) => sign[l.op] + l.text).join('\n')}\n`, 'diff');
  }
  return undefined;
}

function formatFailure(result: EditFailed): string {
  const parts = [`## ${describe(result.edit, result.hunk)}: ${result.code}`, result.message];
  const quoted = quoteEdit(result);
  if (quoted !== undefined) parts.push(quoted);
  const near = result.didYouMean;
  if (near !== undefined) {
    parts.push(
      `Did you mean to match these lines in ${result.path} (lines ${near.startLine}-${near.endLine})?\n` +
        fenced(near.text),
    );
  }
  if (result.replaceAlreadyPresent) {
    parts.push(`The REPLACE lines are already in ${result.path}. Are you sure you need this edit?`);
  }
  return parts.join('\n\n');
}

function formatProblem(problem: ParseProblem): string {
  const where = problem.path === undefined ? '' : ` (${problem.path})`;
  return `## Malformed edit at line ${problem.line} of your answer${where}\n\n${problem.message}`;
}

/**
 * Returns the feedback text, or an empty string when every edit applied and nothing was malformed (there is
 * nothing to reflect on).
 */
export function formatEditFeedback(
  results: readonly EditResult[],
  problems: readonly ParseProblem[] = [],
): string {
  const failed = results.filter((r): r is EditFailed => r.status === 'failed');
  if (failed.length === 0 && problems.length === 0) return '';
  const applied = results.filter((r) => r.status === 'applied');
  const total = failed.length + problems.length;
  const sections = [`# ${total} ${total === 1 ? 'edit' : 'edits'} could not be applied`];
  sections.push(...failed.map(formatFailure), ...problems.map(formatProblem));
  if (failed.some((r) => r.code === 'EDIT_NO_MATCH' || r.code === 'EDIT_AMBIGUOUS')) {
    sections.push(
      'The SEARCH section must match existing lines of the file exactly, character for character (whitespace, ' +
        'indentation, comments included), and it must match in exactly one place: include enough unchanged ' +
        'lines around the change to make it unique.',
    );
  }
  if (applied.length > 0) {
    const lines = applied.map((r) => `- ${describe(r.edit, r.hunk)}`);
    sections.push(
      `# ${applied.length} ${applied.length === 1 ? 'edit was' : 'edits were'} applied successfully; ` +
        `do not send ${applied.length === 1 ? 'it' : 'them'} again:\n${lines.join('\n')}`,
    );
  }
  sections.push('Reply with fixed versions of the failed edits only.');
  return `${sections.join('\n\n')}\n`;
}
