// How each tool's own levels become finding severities. The rule of thumb: `critical` is something that must
// never reach the live files (a secret: once written it is leaked, whatever is done after); `high` is a change
// that is broken or exploitable as it stands (it does not type-check; code runs from input; HTML is injected);
// `medium` is worth a reviewer's look; `low` is a hint. Critical and high block auto-apply and go back to the
// model; medium and low are shown on the hunks only.
import type { FindingSeverity } from './findings.ts';

/**
 * A type error is `high`: the program as changed does not compile, which is as bad as a failing test for a
 * reviewer, and the model can nearly always fix it from the message alone.
 */
export const tscErrorSeverity: FindingSeverity = 'high';

/** Secrets are always `critical`, whatever the secretlint rule's own level. */
export const secretSeverity: FindingSeverity = 'critical';

/**
 * The workspace's own ESLint config encodes its style and correctness rules, not security: an error is
 * `medium` (the lint check fails, which already blocks auto-apply and is fed back), a warning `low`, and a file
 * ESLint could not parse `high` (it is broken).
 */
export function workspaceLintSeverity(level: number, fatal: boolean): FindingSeverity {
  if (fatal) return 'high';
  return level >= 2 ? 'medium' : 'low';
}

/** The security scan's rules by what exploiting them gives an attacker. Unknown rules are `medium`. */
const securityRules: Readonly<Record<string, FindingSeverity>> = {
  // Code execution from data.
  'no-eval': 'high',
  'no-implied-eval': 'high',
  'no-new-func': 'high',
  'security/detect-eval-with-expression': 'high',
  'security/detect-non-literal-require': 'high',
  // HTML injection (XSS).
  'no-unsanitized/method': 'high',
  'no-unsanitized/property': 'high',
  'security/detect-disable-mustache-escape': 'high',
  // Source that reads differently from how it runs (Trojan Source).
  'security/detect-bidi-characters': 'high',
  'security/detect-child-process': 'medium',
  'security/detect-unsafe-regex': 'medium',
  'security/detect-no-csrf-before-method-override': 'medium',
  'security/detect-pseudoRandomBytes': 'medium',
  'security/detect-buffer-noassert': 'medium',
  'security/detect-invisible-characters': 'medium',
  // Frequent on ordinary code (any computed path or pattern): hints for the reviewer, never blocking.
  'security/detect-non-literal-fs-filename': 'low',
  'security/detect-non-literal-regexp': 'low',
  'security/detect-possible-timing-attacks': 'low',
  'security/detect-new-buffer': 'low',
};

export function securityRuleSeverity(rule: string, fatal: boolean): FindingSeverity {
  // A file the scan cannot parse is not a security finding: the type check or lint reports it.
  if (fatal) return 'low';
  return securityRules[rule] ?? 'medium';
}

/** npm's advisory levels; `moderate` is SARIF's and ours `medium`, `info` is `low`. */
export function advisorySeverity(level: string): FindingSeverity {
  switch (level) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'moderate':
      return 'medium';
    default:
      return 'low';
  }
}
