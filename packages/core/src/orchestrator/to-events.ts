// Turns domain results (edit results, validation results, errors) into task events that always satisfy
// `taskEventSchema`: texts and lists are cut to the event limits, since a model or a validator can produce
// anything (a 5 KB "path", thousands of diagnostics).
import type { ErrorCode } from '../errors.ts';
import type { EditResult, ParsedEdit } from '../edits/index.ts';
import { eventLimits, type EditFormat, type TaskEventOf } from '../events/index.ts';
import type { FileChangeKind } from '../changeset/index.ts';
import type { ValidationResult } from '../validate/index.ts';

/** Cuts `text` to `max` code units without splitting a surrogate pair, marking the cut. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

function eventPath(path: string): string {
  return path === '' ? '(no path)' : bounded(path, eventLimits.path);
}

function formatOf(edit: ParsedEdit): EditFormat {
  switch (edit.kind) {
    case 'search-replace':
      return 'search-replace';
    case 'diff':
    case 'delete':
      return 'unified-diff';
    case 'whole-file':
      return 'whole-file';
  }
}

/** What a failed edit meant to do, judged from the edit and whether its file existed. */
function intendedKind(edit: ParsedEdit, fileExisted: boolean): FileChangeKind {
  if (edit.kind === 'delete') return 'delete';
  if (edit.kind === 'diff' && edit.newFile) return 'create';
  if (edit.kind === 'search-replace' && edit.search.trim() === '' && !fileExisted) return 'create';
  if (edit.kind === 'whole-file' && !fileExisted) return 'create';
  return 'modify';
}

const rungNotes = {
  whitespace: 'The SEARCH text matched after ignoring whitespace differences.',
  indentation: 'The SEARCH text matched at a different indentation; the replacement was re-indented to fit.',
} as const;

/**
 * @param fileExisted whether the edit's file existed just before the edit was applied (decides `create`
 *                    versus `modify` for edits that failed)
 */
export function editEvent(result: EditResult, fileExisted: boolean): TaskEventOf<'edit'> {
  const base = { type: 'edit' as const, path: eventPath(result.path), format: formatOf(result.edit) };
  if (result.status === 'failed') {
    return {
      ...base,
      kind: intendedKind(result.edit, fileExisted),
      status: 'failed',
      message: bounded(`${result.code}: ${result.message}`, eventLimits.message),
    };
  }
  const kind: FileChangeKind =
    result.action === 'created' ? 'create' : result.action === 'deleted' ? 'delete' : 'modify';
  const note =
    result.rung === 'whitespace' || result.rung === 'indentation' ? rungNotes[result.rung] : undefined;
  return {
    ...base,
    kind,
    status: 'applied',
    ...(result.rung === undefined ? {} : { rung: result.rung }),
    ...(note === undefined ? {} : { message: note }),
  };
}

function position(value: number): number {
  return Number.isFinite(value) ? Math.max(1, Math.trunc(value)) : 1;
}

export function validationEvent(result: ValidationResult): TaskEventOf<'validation'> {
  return {
    type: 'validation',
    validator: bounded(result.validator === '' ? 'validator' : result.validator, eventLimits.name),
    path: eventPath(result.path),
    ok: result.ok,
    diagnostics: result.diagnostics.slice(0, eventLimits.diagnostics).map((d) => ({
      line: position(d.line),
      col: position(d.column),
      severity: d.severity,
      message: bounded(d.message === '' ? '(no message)' : d.message, eventLimits.message),
      ...(d.rule === undefined || d.rule === '' ? {} : { rule: bounded(d.rule, eventLimits.name) }),
    })),
  };
}

// Codes where trying the same task again later can succeed as is; the others need a change first (a key, a
// smaller prompt, a bigger budget, a different request).
const retryableCodes: ReadonlySet<ErrorCode> = new Set([
  'LLM_RATE_LIMITED',
  'LLM_TIMEOUT',
  'LLM_UNREACHABLE',
  'LLM_ERROR',
  'RATE_LIMITED',
  'INTERNAL',
]);

export function errorEvent(code: ErrorCode, message: string): TaskEventOf<'error'> {
  return {
    type: 'error',
    code,
    message: bounded(message === '' ? code : message, eventLimits.message),
    retryable: retryableCodes.has(code),
  };
}
