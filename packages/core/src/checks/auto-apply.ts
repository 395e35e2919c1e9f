// The one rule for applying a proposal without a human: only when every check that ran passed (or was skipped
// for a stated reason) and nothing serious was found. Used by the auto-apply path and to ask for confirmation
// when a human accepts such a hunk by hand.
import type { CheckName, CheckStatus, Finding } from './findings.ts';

export interface AutoApplyVerdict {
  allowed: boolean;
  /** Why not, one line each; empty when allowed. */
  reasons: string[];
}

/** A finding that keeps a proposal from applying on its own: a secret, or anything critical or high. */
export function isBlockingFinding(finding: Pick<Finding, 'tool' | 'severity'>): boolean {
  return finding.tool === 'secretlint' || finding.severity === 'critical' || finding.severity === 'high';
}

/** The blocking findings on the given hunks: accepting those by hand needs a confirmation, and is audited. */
export function blockingFindingsOn<F extends Pick<Finding, 'tool' | 'severity' | 'hunkId'>>(
  findings: readonly F[],
  hunkIds: Iterable<string>,
): F[] {
  const ids = new Set(hunkIds);
  return findings.filter((f) => f.hunkId !== undefined && ids.has(f.hunkId) && isBlockingFinding(f));
}

export function mayAutoApply(input: {
  checks: readonly { check: CheckName; status: CheckStatus; summary?: string }[];
  findings: readonly Pick<Finding, 'tool' | 'severity' | 'path' | 'line' | 'rule'>[];
}): AutoApplyVerdict {
  const reasons: string[] = [];
  if (input.checks.length === 0) reasons.push('no checks ran');
  for (const check of input.checks) {
    if (check.status === 'passed' || check.status === 'skipped') continue;
    reasons.push(
      `${check.check} ${check.status === 'running' ? 'did not finish' : check.status}${check.summary === undefined ? '' : `: ${check.summary}`}`,
    );
  }
  const secrets = input.findings.filter((f) => f.tool === 'secretlint');
  if (secrets.length > 0)
    reasons.push(`${secrets.length} secret${secrets.length === 1 ? '' : 's'} found (${where(secrets)})`);
  const serious = input.findings.filter(
    (f) => f.tool !== 'secretlint' && (f.severity === 'critical' || f.severity === 'high'),
  );
  if (serious.length > 0)
    reasons.push(
      `${serious.length} critical or high finding${serious.length === 1 ? '' : 's'} (${where(serious)})`,
    );
  return { allowed: reasons.length === 0, reasons };
}

function where(findings: readonly Pick<Finding, 'path' | 'line' | 'rule'>[]): string {
  const shown = findings.slice(0, 3).map((f) => `${f.path}:${f.line} ${f.rule}`);
  return findings.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}
