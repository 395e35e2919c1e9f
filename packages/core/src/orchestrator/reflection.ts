// The follow-up turn that asks the model to repair its own answer: edits that did not apply (with the closest
// real lines), blocks it left unfinished, and errors the validators found in the files it changed, shown as
// they are now so new SEARCH sections can match them; and the checks that failed in the sandbox (type errors,
// failing tests, lint errors, serious findings) with the end of their output, as SWE-agent and Aider show a
// command's result to the model.
import type { CheckResult, Finding } from '../checks/index.ts';
import { formatEditFeedback, type EditResult, type ParseProblem } from '../edits/index.ts';
import type { ValidationResult } from '../validate/index.ts';
import { fenceFile } from './prompt.ts';

export interface ReflectionInput {
  /** This round's edit results: failures to fix, and successes the model must not resend. */
  results: readonly EditResult[];
  problems: readonly ParseProblem[];
  /** Set when the answer was cut off (output limit) with an edit still open; that edit was dropped. */
  truncated: { path: string | undefined } | undefined;
  /** Validation results that failed, latest per file. */
  failing: readonly ValidationResult[];
  /** The last run of the sandboxed checks; the ones that failed are fed back. */
  checks?: readonly CheckResult[];
  /** The working copy, to show the current text of files with errors. */
  files: ReadonlyMap<string, string>;
  /** Files longer than this are shown as excerpts around their diagnostics. */
  maxFileChars?: number;
}

const MAX_DIAGNOSTICS_PER_FILE = 20;
const EXCERPT_RADIUS = 8;
const DEFAULT_MAX_FILE_CHARS = 40_000;
const MAX_FINDINGS_PER_CHECK = 20;
/** The end of a failed check's output shown to the model: enough for a stack trace and a test summary. */
const CHECK_OUTPUT_CHARS = 4_000;

/**
 * Checks worth a reflection round: failed ones (type errors, failing tests, lint errors, critical or high
 * findings) and tests stopped at the time limit (a loop the change introduced). Errors of the sandbox itself
 * are not the model's to fix.
 */
export function failingChecks(checks: readonly CheckResult[] = []): CheckResult[] {
  return checks.filter((c) => c.status === 'failed' || (c.status === 'timeout' && c.check === 'test'));
}

/** True when a reflection round has something to work on. */
export function needsReflection(input: Omit<ReflectionInput, 'files'>): boolean {
  return (
    input.results.some((r) => r.status === 'failed') ||
    input.problems.length > 0 ||
    input.truncated !== undefined ||
    input.failing.length > 0 ||
    failingChecks(input.checks).length > 0
  );
}

export function buildReflectionMessage(input: ReflectionInput): string {
  const sections: string[] = [];
  const feedback = formatEditFeedback(input.results, input.problems).trimEnd();
  if (feedback !== '') sections.push(feedback);
  if (input.truncated !== undefined) {
    const where = input.truncated.path === undefined ? '' : ` for ${input.truncated.path}`;
    sections.push(
      `# Your answer was cut off\n\nYour answer reached the output limit while writing the edit${where}; that ` +
        'incomplete edit was dropped and nothing of it was applied. Send it again, complete. Keep blocks small: ' +
        'only the lines that change plus a little context.',
    );
  }
  if (input.failing.length > 0) {
    sections.push(
      validationSection(input.failing, input.files, input.maxFileChars ?? DEFAULT_MAX_FILE_CHARS),
    );
  }
  const checks = failingChecks(input.checks);
  if (checks.length > 0)
    sections.push(checksSection(checks, input.files, input.maxFileChars ?? DEFAULT_MAX_FILE_CHARS));
  sections.push(
    'Reply with SEARCH/REPLACE blocks that fix only these problems. They must match the files as they are now, ' +
      'with your earlier edits that applied already in place.',
  );
  return `${sections.join('\n\n')}\n`;
}

function validationSection(
  failing: readonly ValidationResult[],
  files: ReadonlyMap<string, string>,
  maxFileChars: number,
): string {
  const byPath = new Map<string, ValidationResult[]>();
  for (const result of failing) byPath.set(result.path, [...(byPath.get(result.path) ?? []), result]);
  const count = byPath.size;
  const parts = [`# ${count} ${count === 1 ? 'file has' : 'files have'} errors after your edits`];
  for (const [path, results] of byPath) {
    const diagnostics = results
      .flatMap((r) => r.diagnostics.map((d) => ({ ...d, validator: r.validator })))
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.line - b.line);
    const shown = diagnostics.slice(0, MAX_DIAGNOSTICS_PER_FILE).map((d) => {
      const rule = d.rule === undefined ? '' : ` [${d.rule}]`;
      return `- line ${d.line}, column ${d.column}: ${d.severity}${rule}: ${d.message} (${d.validator})`;
    });
    if (diagnostics.length > shown.length) shown.push(`- … and ${diagnostics.length - shown.length} more`);
    if (shown.length === 0)
      shown.push(`- ${results.map((r) => r.validator).join(', ')} failed without details`);
    const content = files.get(path);
    const current =
      content === undefined
        ? ''
        : `\n\n${currentText(
            path,
            content,
            diagnostics.map((d) => d.line),
            maxFileChars,
          )}`;
    parts.push(`## ${path}\n\n${shown.join('\n')}${current}`);
  }
  return parts.join('\n\n');
}

function severityRank(severity: 'error' | 'warning' | 'info'): number {
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2;
}

function currentText(path: string, content: string, lines: readonly number[], maxFileChars: number): string {
  if (content.length <= maxFileChars) return `Current content:\n\n${fenceFile(path, content)}`;
  const all = content.split('\n');
  const ranges = mergeRanges(
    lines.map((line) => [Math.max(1, line - EXCERPT_RADIUS), Math.min(all.length, line + EXCERPT_RADIUS)]),
  );
  const excerpts = ranges.map(
    ([from, to]) => `Lines ${from}-${to}:\n\n${fenceFile(path, all.slice(from - 1, to).join('\n'))}`,
  );
  return `The file is long; excerpts around the errors:\n\n${excerpts.join('\n\n')}`;
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of sorted.slice(0, MAX_DIAGNOSTICS_PER_FILE)) {
    const last = merged.at(-1);
    if (last !== undefined && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

function checksSection(
  checks: readonly CheckResult[],
  files: ReadonlyMap<string, string>,
  maxFileChars: number,
): string {
  const parts = [
    `# ${checks.length} ${checks.length === 1 ? 'check' : 'checks'} failed on the files as they are after your edits`,
  ];
  const lines = new Map<string, number[]>();
  for (const check of checks) {
    // The security scan reports only what blocks: critical and high findings.
    const findings = check.findings.filter(
      (f) => check.check !== 'security' || f.severity === 'critical' || f.severity === 'high',
    );
    const shown = findings.slice(0, MAX_FINDINGS_PER_CHECK).map(describeFinding);
    if (findings.length > shown.length) shown.push(`- … and ${findings.length - shown.length} more`);
    for (const f of findings) lines.set(f.path, [...(lines.get(f.path) ?? []), f.line]);
    const advice = check.check === 'security' ? `\n\n${SECURITY_ADVICE}` : '';
    // Findings say it all for a type check or lint; a test run is shown by its output.
    const output =
      check.output !== undefined && (findings.length === 0 || check.check === 'test')
        ? `\n\nEnd of the output:\n\n\`\`\`text\n${tail(check.output)}\n\`\`\``
        : '';
    parts.push(
      `## ${check.check}: ${check.status} (${check.summary})${shown.length > 0 ? `\n\n${shown.join('\n')}` : ''}${advice}${output}`,
    );
  }
  for (const [path, at] of lines) {
    const content = files.get(path);
    if (content !== undefined) parts.push(`## ${path}\n\n${currentText(path, content, at, maxFileChars)}`);
  }
  return parts.join('\n\n');
}

const SECURITY_ADVICE =
  'Never evaluate input as code or write it into HTML unescaped; never put secrets in source: read them from ' +
  'the environment or a secret store, and remove any you wrote.';

function describeFinding(f: Finding): string {
  return `- ${f.path}, line ${f.line}: ${f.severity} [${f.rule}]: ${f.message} (${f.tool})`;
}

function tail(output: string): string {
  const text = output.length <= CHECK_OUTPUT_CHARS ? output : `…${output.slice(-CHECK_OUTPUT_CHARS)}`;
  return text.trimEnd().replaceAll('```', '``\u200b`');
}
