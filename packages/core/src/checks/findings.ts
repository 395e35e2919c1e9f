// What the checks of a proposal produce, in one shape whatever tool found it: SARIF's model (tool, rule, level,
// location, message) cut down to what a reviewer needs, with the hunk it falls in when it falls in one.
import { z } from 'zod';

export const checkNames = ['typecheck', 'lint', 'test', 'security', 'install'] as const;
export type CheckName = (typeof checkNames)[number];

export const checkStatuses = ['running', 'passed', 'failed', 'error', 'timeout', 'skipped'] as const;
export type CheckStatus = (typeof checkStatuses)[number];

/** Most severe first. */
export const findingSeverities = ['critical', 'high', 'medium', 'low'] as const;
export type FindingSeverity = (typeof findingSeverities)[number];

export const findingLimits = {
  tool: 64,
  rule: 256,
  path: 1_024,
  message: 2_000,
  /** Findings kept per check run; the rest are counted in the check's summary. */
  perCheck: 500,
} as const;

export const findingSchema = z.object({
  /** `tsc`, `eslint`, `eslint-security`, `secretlint`, `npm-audit`. */
  tool: z.string().min(1).max(findingLimits.tool),
  /** The tool's id for the problem: `TS2322`, `security/detect-eval-with-expression`, an advisory URL. */
  rule: z.string().min(1).max(findingLimits.rule),
  severity: z.enum(findingSeverities),
  /** Relative to the work tree, like every path of the file model. */
  path: z.string().min(1).max(findingLimits.path),
  /** 1-based; 1 for findings about a whole file (an advisory on a lockfile). */
  line: z.int().positive(),
  message: z.string().min(1).max(findingLimits.message),
  /** The changeset hunk whose new lines hold `line`, when one does. */
  hunkId: z.string().min(1).max(32).optional(),
});
export type Finding = z.infer<typeof findingSchema>;

/** Sorts most severe first, then by path and line, so summaries and feedback lead with what matters. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    findingSeverities.indexOf(a.severity) - findingSeverities.indexOf(b.severity) ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line
  );
}

/** Cuts a tool's text to a field's limit, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
